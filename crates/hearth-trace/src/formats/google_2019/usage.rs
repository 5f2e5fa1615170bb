//! The instance usage table: each usage window added, weighted by its
//! length, to the step of its instance's run that it starts in.

use super::fields::{column, parse_key, parse_micros, parse_optional, Key, GOOGLE_MACHINE};
use super::runs::{Counts, Run};
use crate::error::{Result, TraceError};
use crate::formats::rows::each_record;
use crate::formats::{step_of, ImportOptions};
use crate::source::{csv_error, get, ReadReport, Source};
use std::collections::HashMap;

struct UsageCols {
    start: usize,
    end: usize,
    collection: usize,
    index: usize,
    cpus: usize,
    memory: usize,
}

fn usage_cols(headers: &csv::StringRecord, file: &str) -> Result<UsageCols> {
    Ok(UsageCols {
        start: column(headers, "start_time", file)?,
        end: column(headers, "end_time", file)?,
        collection: column(headers, "collection_id", file)?,
        index: column(headers, "instance_index", file)?,
        cpus: column(headers, "average_usage.cpus", file)?,
        memory: column(headers, "average_usage.memory", file)?,
    })
}

pub(super) fn read_usage(
    source: Source,
    opts: &ImportOptions,
    report: &mut ReadReport,
    runs: &mut HashMap<Key, Run>,
    counts: &mut Counts,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let headers = reader.headers().map_err(|e| csv_error(&name, e))?.clone();
    let cols = usage_cols(&headers, &name)?;
    each_record(&name, &mut reader, opts.on_bad_row, report, |record, line| {
        let sample = parse_usage(record, &cols, &name, line)?;
        add_usage(sample, runs, opts.step_seconds, counts);
        Ok(())
    })
}

/// One usage window: instance, start, length in seconds, mean CPU and memory.
struct Sample {
    key: Key,
    start: u64,
    seconds: f64,
    cpus: Option<f32>,
    memory: Option<f32>,
}

fn parse_usage(record: &csv::StringRecord, c: &UsageCols, file: &str, line: u64) -> Result<Sample> {
    let start = parse_micros(
        get(record, c.start, file, line, "start_time")?,
        file,
        line,
        "start_time",
        false,
    )?;
    let end = parse_micros(
        get(record, c.end, file, line, "end_time")?,
        file,
        line,
        "end_time",
        false,
    )?;
    if end < start {
        let reason = format!("window ends at {end} µs, before its start at {start} µs");
        return Err(TraceError::field(file, line, "end_time", reason));
    }
    Ok(Sample {
        key: parse_key(record, c.collection, c.index, file, line)?,
        start,
        seconds: (end - start) as f64 / 1e6,
        cpus: parse_optional(record, c.cpus, file, line, "average_usage.cpus")?,
        memory: parse_optional(record, c.memory, file, line, "average_usage.memory")?,
    })
}

fn add_usage(s: Sample, runs: &mut HashMap<Key, Run>, step_s: u32, counts: &mut Counts) {
    let Some(run) = runs.get_mut(&s.key) else {
        counts.usage_unknown += 1;
        return;
    };
    let (Some(cpus), Some(memory)) = (s.cpus, s.memory) else {
        counts.usage_no_average += 1;
        return;
    };
    let step = step_of(s.start as f64 / 1e6, step_s);
    let i = step.wrapping_sub(run.arrival) as usize;
    // A zero-length window still carries a mean; give it a tiny weight.
    let w = s.seconds.max(1e-6) as f32;
    match (run.cpu.get_mut(i), run.memory.get_mut(i), run.weight.get_mut(i)) {
        (Some(c), Some(m), Some(wt)) if step >= run.arrival => {
            *c += cpus * GOOGLE_MACHINE.0 * w;
            *m += memory * GOOGLE_MACHINE.1 * w;
            *wt += w;
        }
        _ => counts.usage_outside += 1,
    }
}
