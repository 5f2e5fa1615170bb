//! The two percentile tables: each function's mean execution time per day
//! (`function_durations_percentiles`) and each app's allocated memory
//! (`app_memory_percentiles`).

use super::trace::Trace;
use crate::error::{Result, TraceError};
use crate::formats::rows::{columns, each_record, header_of, parse_id};
use crate::source::{get, parse_amount, OnBadRow, ReadReport, Source};

/// Bounds on the execution time (ms, a day) and the app memory (MB, 1 PiB).
const MAX_AVERAGE_MS: f64 = 86_400_000.0;
const MAX_MB: f64 = 1e9;

pub(super) fn read_durations(
    day: u8,
    source: Source,
    policy: OnBadRow,
    report: &mut ReadReport,
    trace: &mut Trace,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let header = header_of(&name, &mut reader)?;
    let expected = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,...";
    let [app, func, avg] = columns(&header, ["HashApp", "HashFunction", "Average"], b',', &name, expected)?;
    each_record(&name, &mut reader, policy, report, |r, line| {
        let key = (
            parse_id(r, app, &name, line, "HashApp")?,
            parse_id(r, func, &name, line, "HashFunction")?,
        );
        let seconds = parse_bounded(
            get(r, avg, &name, line, "Average")?,
            MAX_AVERAGE_MS,
            &name,
            line,
            "Average",
        )? / 1000.0;
        let f = trace
            .functions
            .entry((key.0.to_string(), key.1.to_string()))
            .or_default();
        // The first row of a function-day wins, as provenance says.
        if f.durations.contains_key(&day) {
            trace.duplicate_durations += 1;
            return Ok(());
        }
        f.durations.insert(day, seconds);
        trace.day_durations.entry(day).or_default().push(seconds);
        Ok(())
    })
}

pub(super) fn read_memory(source: Source, policy: OnBadRow, report: &mut ReadReport, trace: &mut Trace) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let header = header_of(&name, &mut reader)?;
    let expected = "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,...";
    let [app, mb] = columns(&header, ["HashApp", "AverageAllocatedMb"], b',', &name, expected)?;
    let mut seen = std::collections::HashSet::new();
    each_record(&name, &mut reader, policy, report, |r, line| {
        let app = parse_id(r, app, &name, line, "HashApp")?;
        let mb = parse_bounded(
            get(r, mb, &name, line, "AverageAllocatedMb")?,
            MAX_MB,
            &name,
            line,
            "AverageAllocatedMb",
        )?;
        if !seen.insert(app.to_string()) {
            trace.duplicate_memory += 1;
            return Ok(());
        }
        let entry = trace.app_memory.entry(app.to_string()).or_default();
        entry.0 += mb;
        entry.1 += 1;
        Ok(())
    })
}

/// A non-negative number up to `max`: larger values are corrupt, and would
/// overflow the usage series.
fn parse_bounded(raw: &str, max: f64, file: &str, line: u64, field: &str) -> Result<f64> {
    let x = parse_amount(raw, file, line, field)?;
    if x > max {
        return Err(TraceError::field(
            file,
            line,
            field,
            format!("{x} is implausibly large; expected at most {max}"),
        ));
    }
    Ok(x)
}
