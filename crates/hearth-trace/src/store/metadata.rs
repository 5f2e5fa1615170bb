//! The file's key-value metadata: written from a workload, and read back
//! with defaults for what files of other tools omit.

use super::schema::{KEY_OBSERVED_FROM, KEY_PROVENANCE, KEY_SCHEMA_VERSION, KEY_STEP_SECONDS};
use super::schema::{SCHEMA_VERSION, SUPPORTED_SCHEMA_VERSIONS};
use crate::error::{Result, TraceError};
use crate::workload::{Provenance, ProvenanceStep, Workload};
use std::collections::HashMap;

/// Options of [`read_workload_with`](super::read_workload_with): what to
/// assume where a file written by another tool lacks hearth's metadata.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Step length in seconds for a file without `hearth.step_seconds`. A
    /// file that has the key must agree with it.
    pub step_seconds: Option<u32>,
}

/// The file's key-value metadata (see the docs of [`crate::store`]).
pub(super) fn metadata(w: &Workload, name: &str) -> Result<Vec<(String, String)>> {
    let provenance = serde_json::to_string(&w.provenance)
        .map_err(|e| TraceError::file(name, format!("cannot encode the provenance as JSON: {e}")))?;
    Ok(vec![
        (KEY_SCHEMA_VERSION.to_string(), SCHEMA_VERSION.to_string()),
        (KEY_STEP_SECONDS.to_string(), w.step_seconds.to_string()),
        (KEY_OBSERVED_FROM.to_string(), w.observed_from.0.to_string()),
        (KEY_PROVENANCE.to_string(), provenance),
    ])
}

/// The hearth metadata of a file, with defaults for what other tools omit.
pub(super) struct Meta {
    pub(super) step_seconds: u32,
    pub(super) observed_from: Option<u32>,
    pub(super) provenance: Provenance,
}

pub(super) fn read_meta(kv: &HashMap<&str, Option<&str>>, name: &str, opts: &ReadOptions) -> Result<Meta> {
    let meta = |key: &str| -> Result<Option<&str>> {
        match kv.get(key) {
            Some(Some(v)) => Ok(Some(v)),
            Some(None) => Err(TraceError::file(name, format!("metadata key `{key}` has no value"))),
            None => Ok(None),
        }
    };
    if let Some(version) = meta(KEY_SCHEMA_VERSION)? {
        if !SUPPORTED_SCHEMA_VERSIONS.contains(&version) {
            return Err(TraceError::file(
                name,
                format!(
                    "unsupported hearth schema version {version:?} (this build reads version{} {})",
                    if SUPPORTED_SCHEMA_VERSIONS.len() > 1 { "s" } else { "" },
                    SUPPORTED_SCHEMA_VERSIONS.join(", ")
                ),
            ));
        }
    }
    let step_seconds = step_seconds(meta(KEY_STEP_SECONDS)?, name, opts)?;
    let observed_from = match meta(KEY_OBSERVED_FROM)? {
        None => None,
        Some(raw) => Some(raw.trim().parse().map_err(|_| {
            TraceError::file(
                name,
                format!("metadata `{KEY_OBSERVED_FROM}` is not a non-negative whole number"),
            )
        })?),
    };
    let provenance = match meta(KEY_PROVENANCE)? {
        Some(raw) => serde_json::from_str(raw).map_err(|e| {
            TraceError::file(
                name,
                format!("metadata `{KEY_PROVENANCE}` is not valid provenance JSON: {e}"),
            )
        })?,
        None => Provenance {
            steps: vec![ProvenanceStep::new("read-external").with("file", name).with(
                "note",
                format!("no `{KEY_PROVENANCE}` metadata: written by another tool; its history is unknown"),
            )],
        },
    };
    Ok(Meta {
        step_seconds,
        observed_from,
        provenance,
    })
}

/// The step length from the metadata, or from the options when the key is missing.
fn step_seconds(raw: Option<&str>, name: &str, opts: &ReadOptions) -> Result<u32> {
    let from_file = match raw {
        None => None,
        Some(raw) => Some(raw.trim().parse().ok().filter(|&s: &u32| s > 0).ok_or_else(|| {
            TraceError::file(
                name,
                format!("metadata `{KEY_STEP_SECONDS}` is {raw:?}, not a positive whole number of seconds"),
            )
        })?),
    };
    match (from_file, opts.step_seconds) {
        (Some(f), Some(o)) if f != o => Err(TraceError::file(
            name,
            format!("the file's `{KEY_STEP_SECONDS}` is {f} s but a step of {o} s was given; drop the option or fix the file"),
        )),
        (Some(s), _) => Ok(s),
        (None, Some(0)) => Err(TraceError::Invalid("step length must be at least 1 second".into())),
        (None, Some(s)) => Ok(s),
        (None, None) => Err(TraceError::file(
            name,
            format!(
                "the step length is unknown: the Parquet metadata key `{KEY_STEP_SECONDS}` is missing. \
                 Add it to the file's key-value metadata with the step length in seconds as a string, \
                 e.g. `{KEY_STEP_SECONDS}` = \"300\" (pyarrow: `table.replace_schema_metadata({{**(table.schema.metadata or {{}}), \
                 b\"{KEY_STEP_SECONDS}\": b\"300\"}})`), or give it when reading (`--step-seconds 300`)"
            ),
        )),
    }
}
