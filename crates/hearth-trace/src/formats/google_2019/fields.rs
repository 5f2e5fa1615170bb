//! Fields both tables share: columns by flattened name, instance keys,
//! times in µs from the trace start, and amounts normalised to the largest
//! machine ([`GOOGLE_MACHINE`]).

use crate::error::{Result, TraceError};
use crate::formats::rows::{find_column, MAX_SECONDS};
use crate::source::{get, parse_amount, parse_field};

/// Size of the trace's largest machine, which one normalised unit stands
/// for: (CPU cores, memory GiB). Google does not publish it; 64 cores and
/// 256 GiB is an assumed size of a large Borg machine of 2019.
pub const GOOGLE_MACHINE: (f32, f32) = (64.0, 256.0);
/// The trace's "after the end of the trace" time.
pub(super) const AFTER_END: u64 = i64::MAX as u64;
const MAX_MICROS: u64 = (MAX_SECONDS * 1e6) as u64;

pub(super) type Key = (i64, i64);

/// A header column by its flattened name, spelled with `.` or `_`.
pub(super) fn column(headers: &csv::StringRecord, name: &str, file: &str) -> Result<usize> {
    let alias = name.replace('.', "_");
    find_column(headers, &[name, alias.as_str()], b',', file)
}

pub(super) fn parse_key(
    record: &csv::StringRecord,
    collection: usize,
    index: usize,
    file: &str,
    line: u64,
) -> Result<Key> {
    let c = parse_field(
        get(record, collection, file, line, "collection_id")?,
        file,
        line,
        "collection_id",
    )?;
    let i = parse_field(
        get(record, index, file, line, "instance_index")?,
        file,
        line,
        "instance_index",
    )?;
    Ok((c, i))
}

/// A normalised amount, or `None` for an empty (NULL) value.
pub(super) fn parse_optional(
    record: &csv::StringRecord,
    index: usize,
    file: &str,
    line: u64,
    field: &str,
) -> Result<Option<f32>> {
    let raw = get(record, index, file, line, field)?;
    if raw.is_empty() {
        return Ok(None);
    }
    let x = parse_amount(raw, file, line, field)?;
    // Normalised to the largest machine: one instance cannot ask for or use more.
    if x > 1.0 {
        let reason = format!("{x} is over 1; expected a share of the trace's largest machine (0-1)");
        return Err(TraceError::field(file, line, field, reason));
    }
    Ok(Some(x as f32))
}

/// Microseconds since the trace start; `2^63-1` ("after the trace") only
/// where `after_end_allowed`.
pub(super) fn parse_micros(raw: &str, file: &str, line: u64, field: &str, after_end_allowed: bool) -> Result<u64> {
    let t: u64 = parse_field(raw, file, line, field)?;
    if (t == AFTER_END && after_end_allowed) || t <= MAX_MICROS {
        return Ok(t);
    }
    let reason = format!(
        "{t} µs is more than 400 days after the trace start; expected microseconds since the trace start{}",
        if after_end_allowed {
            " (or 9223372036854775807 for after its end)"
        } else {
            ""
        }
    );
    Err(TraceError::field(file, line, field, reason))
}
