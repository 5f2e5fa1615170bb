//! SkyPilot spot-instance traces (skypilot-org/spot-traces, NSDI'24 "Can't
//! Be Late"): spot availability and preemption as they really happened on
//! AWS and GCP.
//!
//! # The format as published
//!
//! One JSON file per zone and instance type, e.g.
//! `availability/1-node/aws-02-15-2023/us-east-1a_v100_1.json`:
//!
//! ```json
//! {"metadata": {"gap_seconds": 300}, "data": [4, 4, 3, ...]}
//! ```
//!
//! `gap_seconds` is the time between two ticks; `data[i]` is the number of
//! spot instances available (availability traces) or still running
//! (preemption traces) at tick `i`. Other keys are ignored.
//!
//! # How it is used
//!
//! Not a VM workload, so not a [`super::Format`]: it is read into a
//! [`SpotTrace`], whose [`SpotTrace::preemptions`] gives the instances lost
//! at each tick, to drive or check spot eviction. The file is parsed as it
//! streams; a JSON error names the file and line (from serde_json), and a
//! missing or invalid `metadata.gap_seconds` or `data[i]` is a field error
//! naming it. A gap of 0 seconds is an error (ticks would not advance time).

use crate::error::{Result, TraceError};
use crate::source::Source;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::cell::RefCell;
use std::fmt;

/// Spot instance counts at regular ticks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotTrace {
    /// The file it was read from.
    pub name: String,
    /// Seconds between two ticks (at least 1).
    pub gap_seconds: u32,
    /// Instances available / still running at each tick.
    pub counts: Vec<u32>,
}

impl SpotTrace {
    /// Instances lost at each tick: the drop in count from the tick before
    /// (0 at the first tick and when the count rises).
    pub fn preemptions(&self) -> Vec<u32> {
        let previous = self.counts.first().into_iter().chain(&self.counts);
        previous
            .zip(&self.counts)
            .map(|(before, now)| before.saturating_sub(*now))
            .collect()
    }
}

pub fn read(source: Source) -> Result<SpotTrace> {
    let name = source.name().to_string();
    let failure = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_reader(source.into_reader());
    let parsed = Document { failure: &failure }
        .deserialize(&mut de)
        .and_then(|doc| de.end().map(|()| doc));
    match parsed {
        Ok((gap_seconds, counts)) => Ok(SpotTrace {
            name,
            gap_seconds,
            counts,
        }),
        Err(err) => Err(match failure.into_inner() {
            Some(Failure { field, reason }) => TraceError::field(&name, err.line() as u64, &field, reason),
            None if err.is_io() => TraceError::row(
                &name,
                err.line() as u64,
                format!("cannot read: {err} (is the file truncated or corrupt?)"),
            ),
            None => TraceError::row(&name, err.line() as u64, format!("not a SkyPilot spot trace: {err}")),
        }),
    }
}

/// What was wrong, kept aside so the error can name the field while
/// serde_json supplies the line.
struct Failure {
    field: String,
    reason: String,
}

type Failed<'a> = &'a RefCell<Option<Failure>>;

fn fail<E: de::Error>(failure: Failed, field: &str, reason: String) -> E {
    let err = E::custom(format!("field `{field}`: {reason}"));
    *failure.borrow_mut() = Some(Failure {
        field: field.to_string(),
        reason,
    });
    err
}

fn describe(v: &Value) -> String {
    let mut shown = v.to_string();
    if shown.len() > 40 {
        shown = format!("{}...", shown.chars().take(40).collect::<String>());
    }
    shown
}

/// A whole number that fits in `u32`, or the reason it is not.
fn whole(v: &Value) -> std::result::Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("expected a whole number from 0 to {}, found {}", u32::MAX, describe(v)))
}

/// The top-level object: `metadata` and `data`, any other key ignored.
struct Document<'a> {
    failure: Failed<'a>,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = (u32, Vec<u32>);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = (u32, Vec<u32>);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a SkyPilot trace: an object with `metadata` and `data`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let (mut gap, mut counts) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "metadata" => gap = Some(map.next_value_seed(Metadata { failure: self.failure })?),
                "data" => counts = Some(map.next_value_seed(Counts { failure: self.failure })?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let missing = |field: &str| {
            fail(
                self.failure,
                field,
                "missing; expected as in a SkyPilot spot trace".into(),
            )
        };
        let gap = gap.ok_or_else(|| missing("metadata.gap_seconds"))?;
        Ok((gap, counts.ok_or_else(|| missing("data"))?))
    }
}

/// `metadata`: only `gap_seconds` is read.
struct Metadata<'a> {
    failure: Failed<'a>,
}

impl<'de> DeserializeSeed<'de> for Metadata<'_> {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<u32, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Metadata<'_> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`metadata` as an object with `gap_seconds`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<u32, A::Error> {
        const FIELD: &str = "metadata.gap_seconds";
        let mut gap = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "gap_seconds" {
                let v: Value = map.next_value()?;
                let seconds = whole(&v).map_err(|reason| fail(self.failure, FIELD, reason))?;
                if seconds == 0 {
                    return Err(fail(
                        self.failure,
                        FIELD,
                        "0 seconds between ticks; expected at least 1".into(),
                    ));
                }
                gap = Some(seconds);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        gap.ok_or_else(|| {
            fail(
                self.failure,
                FIELD,
                "missing; expected the seconds between two ticks".into(),
            )
        })
    }
}

/// `data`: the counts, each checked where it stands so the error names it.
struct Counts<'a> {
    failure: Failed<'a>,
}

impl<'de> DeserializeSeed<'de> for Counts<'_> {
    type Value = Vec<u32>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Vec<u32>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Counts<'_> {
    type Value = Vec<u32>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`data` as an array of instance counts")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<u32>, A::Error> {
        let mut counts = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            let n = whole(&v).map_err(|reason| fail(self.failure, &format!("data[{}]", counts.len()), reason))?;
            counts.push(n);
        }
        Ok(counts)
    }
}
