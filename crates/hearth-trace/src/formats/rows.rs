//! Row plumbing shared by the readers of headerless and headed CSV traces:
//! streaming records under the bad-row policy, checking row widths, finding
//! columns, and the identifier and time fields every event trace has.

use super::separator::separator_hint;
use super::ImportOptions;
use crate::error::{Result, TraceError};
use crate::source::{csv_error, get, line_of, parse_amount, OnBadRow, ReadReport};
use std::io::Read;

/// Trace times beyond this (seconds from the trace start) are taken as
/// corrupt, so one bad value cannot ask for years of usage series.
pub(crate) const MAX_SECONDS: f64 = 400.0 * 86_400.0;

/// Refuses a zero step length before any time is divided by it.
pub(crate) fn check_step(opts: &ImportOptions) -> Result<()> {
    if opts.step_seconds == 0 {
        return Err(TraceError::Invalid("step length must be at least 1 second".into()));
    }
    Ok(())
}

/// Streams the records of one CSV reader, calling `row` on each with its
/// 1-based line. Row errors follow the bad-row policy; an unreadable stream
/// (a truncated gzip) always stops the read, naming the last line read.
pub(crate) fn each_record<R: Read>(
    name: &str,
    reader: &mut csv::Reader<R>,
    policy: OnBadRow,
    report: &mut ReadReport,
    mut row: impl FnMut(&csv::StringRecord, u64) -> Result<()>,
) -> Result<()> {
    let mut record = csv::StringRecord::new();
    let mut last_line = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                report.rows += 1;
                last_line = line_of(&record);
                if let Err(e) = row(&record, last_line) {
                    report.bad_row(policy, e)?;
                }
            }
            Err(e) if e.is_io_error() => {
                let reason = format!("input cannot be read after this line (truncated or corrupt file?): {e}");
                return Err(TraceError::row(name, last_line, reason));
            }
            Err(e) => {
                report.rows += 1;
                report.bad_row(policy, csv_error(name, e))?;
            }
        }
    }
}

/// The index of the first header column named one of `names` (a flattened
/// BigQuery name may be spelled with `.` or `_`); an error on line 1 otherwise.
/// `separator` is the one the reader splits on, named when the header
/// appears to use another.
pub(crate) fn find_column(headers: &csv::StringRecord, names: &[&str], separator: u8, file: &str) -> Result<usize> {
    let found = headers.iter().position(|h| names.contains(&h.trim()));
    found.ok_or_else(|| {
        let shown: Vec<&str> = headers.iter().collect();
        let reason = format!(
            "column missing from the header (expected a column named {}); the header has: {}",
            names.join(" or "),
            shown.join(",")
        );
        TraceError::field(
            file,
            1,
            names.first().copied().unwrap_or("?"),
            with_hint(reason, headers, separator),
        )
    })
}

fn with_hint(reason: String, header: &csv::StringRecord, separator: u8) -> String {
    match separator_hint(header, separator) {
        Some(hint) => format!("{hint}; {reason}"),
        None => reason,
    }
}

/// The column of each named field in a header, or an error naming the
/// first missing one (and the separator, when the header did not split on
/// `separator`, the one the reader uses).
pub(crate) fn columns<const N: usize>(
    header: &csv::StringRecord,
    names: [&str; N],
    separator: u8,
    file: &str,
    expected: &str,
) -> Result<[usize; N]> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| {
            let reason = format!("no such column in the header; expected a header like {expected}");
            TraceError::field(file, 1, name, with_hint(reason, header, separator))
        })?;
    }
    Ok(out)
}

/// The header row; a stream that cannot be read is an error on line 1.
pub(crate) fn header_of(
    name: &str,
    reader: &mut csv::Reader<Box<dyn std::io::BufRead + Send>>,
) -> Result<csv::StringRecord> {
    reader.headers().cloned().map_err(|e| {
        let reason = format!("cannot read the header (truncated or corrupt file?): {e}");
        TraceError::row(name, 1, reason)
    })
}

/// Checks that a headerless row has exactly the published fields, naming
/// the first missing one.
pub(crate) fn check_width(record: &csv::StringRecord, fields: &[&str], file: &str, line: u64) -> Result<()> {
    let expected = format!("expected {} fields: {}", fields.len(), fields.join(","));
    match fields.get(record.len()) {
        _ if record.len() == fields.len() => Ok(()),
        Some(missing) => {
            let reason = format!("missing (row has {} fields; {expected})", record.len());
            Err(TraceError::field(file, line, missing, reason))
        }
        None => Err(TraceError::row(
            file,
            line,
            format!("row has {} fields; {expected}", record.len()),
        )),
    }
}

/// A required identifier: any non-empty text.
pub(crate) fn parse_id<'r>(
    record: &'r csv::StringRecord,
    index: usize,
    file: &str,
    line: u64,
    field: &str,
) -> Result<&'r str> {
    let raw = get(record, index, file, line, field)?;
    if raw.is_empty() {
        return Err(TraceError::field(file, line, field, "empty; expected an identifier"));
    }
    Ok(raw)
}

/// A time in seconds from the trace start, within [`MAX_SECONDS`].
pub(crate) fn parse_seconds(raw: &str, file: &str, line: u64, field: &str) -> Result<f64> {
    let t = parse_amount(raw, file, line, field)?;
    if t > MAX_SECONDS {
        let reason =
            format!("{t} s is more than 400 days after the trace start; expected seconds from the trace start");
        return Err(TraceError::field(file, line, field, reason));
    }
    Ok(t)
}

/// Finds the wanted columns in the header (case-insensitive); a missing one
/// is an error on line 1 naming it and listing what the header holds, and
/// the separator when the header did not split on `separator`.
pub(crate) fn find_columns<R: std::io::Read, const N: usize>(
    reader: &mut csv::Reader<R>,
    name: &str,
    wanted: [&str; N],
    separator: u8,
    what: &str,
) -> Result<[usize; N]> {
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(err) if err.is_io_error() => return Err(read_failure(name, 1, err.into())),
        Err(err) => return Err(csv_error(name, err)),
    };
    let position = |w: &str| header.iter().position(|h| h.eq_ignore_ascii_case(w));
    let missing: Vec<&str> = wanted.iter().copied().filter(|w| position(w).is_none()).collect();
    if let Some(first) = missing.first() {
        let found: Vec<&str> = header.iter().collect();
        let mut reason = format!(
            "missing from the header (missing: `{}`); expected {what} with columns `{}`; the header has `{}`",
            missing.join("`, `"),
            wanted.join("`, `"),
            found.join("`, `")
        );
        if let Some(hint) = separator_hint(&header, separator) {
            reason = format!("{hint}; {reason}");
        }
        return Err(TraceError::field(name, 1, first, reason));
    }
    Ok(wanted.map(|w| position(w).unwrap_or(0)))
}

/// An I/O error while reading, e.g. a truncated or corrupt gzip stream: not
/// a bad row (nothing after it can be read), so never skipped.
pub(crate) fn read_failure(file: &str, line: u64, err: std::io::Error) -> TraceError {
    TraceError::row(
        file,
        line,
        format!("cannot read this line: {err} (is the file truncated or corrupt?)"),
    )
}
