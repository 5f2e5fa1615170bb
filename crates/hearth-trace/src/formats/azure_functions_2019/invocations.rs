//! The invocations table: each function's invocations per minute of a day,
//! turned into busy minutes of its sandbox.

use super::busy::{BusyPeriods, KEEP_ALIVE_SECONDS, MICROS};
use super::fill::Medians;
use super::trace::Trace;
use crate::error::{Result, TraceError};
use crate::formats::rows::{each_record, header_of, parse_id};
use crate::formats::{step_of, ImportOptions};
use crate::source::{get, parse_field, ReadReport, Source};

const MINUTES_PER_DAY: u64 = 1440;

pub(super) fn read_invocations(
    day: u8,
    source: Source,
    opts: &ImportOptions,
    medians: &Medians,
    report: &mut ReadReport,
    trace: &mut Trace,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    check_invocations_header(&header_of(&name, &mut reader)?, &name)?;
    let day_offset = (day as u64 - 1) * MINUTES_PER_DAY;
    let day_median = medians.by_day.get(&day).copied().unwrap_or(medians.all);
    let mut counts = Vec::with_capacity(MINUTES_PER_DAY as usize);
    each_record(&name, &mut reader, opts.on_bad_row, report, |r, line| {
        let key = (
            parse_id(r, 1, &name, line, "HashApp")?,
            parse_id(r, 2, &name, line, "HashFunction")?,
        );
        parse_counts(r, &name, line, &mut counts)?;
        let f = trace
            .functions
            .entry((key.0.to_string(), key.1.to_string()))
            .or_default();
        if f.days_listed & (1u128 << day) != 0 {
            let reason = format!("function listed twice for day {day:02}");
            return Err(TraceError::field(&name, line, "HashFunction", reason));
        }
        f.days_listed |= 1u128 << day;
        let seconds = f.durations.get(&day).copied().unwrap_or_else(|| {
            trace.filled_durations += 1;
            day_median
        });
        add_minutes(&mut f.periods, day_offset, &counts, seconds, opts.step_seconds);
        Ok(())
    })
}

fn check_invocations_header(header: &csv::StringRecord, file: &str) -> Result<()> {
    let fixed = ["HashOwner", "HashApp", "HashFunction", "Trigger"];
    for (i, want) in fixed.iter().enumerate() {
        if header.get(i) != Some(want) {
            let reason = format!(
                "column {} of the header is {:?}; expected `{want}`",
                i + 1,
                header.get(i).unwrap_or("")
            );
            return Err(TraceError::field(file, 1, want, reason));
        }
    }
    let minutes_ok = header.len() == fixed.len() + MINUTES_PER_DAY as usize
        && header
            .iter()
            .skip(fixed.len())
            .enumerate()
            .all(|(i, h)| h.parse::<usize>().ok() == Some(i + 1));
    if !minutes_ok {
        let reason = format!(
            "the header has {} columns; expected HashOwner,HashApp,HashFunction,Trigger,1,...,1440",
            header.len()
        );
        return Err(TraceError::row(file, 1, reason));
    }
    Ok(())
}

/// Reads the 1440 minute counts of a row into `counts` (all of them, so that
/// a bad row changes nothing).
fn parse_counts(r: &csv::StringRecord, file: &str, line: u64, counts: &mut Vec<u32>) -> Result<()> {
    counts.clear();
    for minute in 1..=MINUTES_PER_DAY as usize {
        if let Some(n) = r.get(3 + minute).and_then(|raw| raw.parse::<u32>().ok()) {
            counts.push(n);
            continue;
        }
        // Naming the field costs an allocation: only on the way to an error.
        let field = minute.to_string();
        let raw = get(r, 3 + minute, file, line, &field)?;
        counts.push(parse_field::<u32>(raw, file, line, &field)?);
    }
    if r.len() > 4 + MINUTES_PER_DAY as usize {
        let reason = format!(
            "row has {} fields; expected 1444 (HashOwner,HashApp,HashFunction,Trigger,1..1440)",
            r.len()
        );
        return Err(TraceError::row(file, line, reason));
    }
    Ok(())
}

/// Adds each busy minute as activity lasting the minute plus the keep-alive.
fn add_minutes(periods: &mut BusyPeriods, day_offset: u64, counts: &[u32], seconds: f64, step_seconds: u32) {
    for (i, &n) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
        let minute = day_offset + i as u64;
        let start = minute * 60;
        let step = step_of(start as f64, step_seconds);
        let end_us = (start + 60 + KEEP_ALIVE_SECONDS) * MICROS;
        periods.add(start * MICROS, end_us, [(step, n as f64 * seconds)]);
    }
}
