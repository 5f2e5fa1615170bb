//! Reader of the Azure Functions invocation trace 2021 (schema:
//! `AzureFunctionsInvocationTrace2021.md` in github.com/Azure/AzurePublicDataset),
//! turned into microVMs as in FirePlace.
//!
//! File: `AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt` (any base name
//! starting with `AzureFunctionsInvocationTrace`, `.gz` allowed), CSV with
//! header `app,func,end_timestamp,duration`: one row per invocation; `func`
//! is unique within its `app`; `end_timestamp` is seconds from the trace
//! start and `duration` seconds, both decimal. Columns are found by header
//! name; rows need not be sorted.
//!
//! The microVM model is the one of the 2019 reader: per function, busy
//! periods joined across idle gaps shorter than a 10-minute keep-alive; one
//! microVM per period, from the start of its first invocation to the end of
//! its last plus the keep-alive.
//! - an invocation runs `[end − duration, end)`; a start before the trace
//!   start is an error on `duration`.
//! - CPU used per step: seconds of execution overlapping the step / step
//!   seconds (concurrent executions, one core each).
//! - memory: the trace records none; each microVM uses 0.125 GiB, Lambda's
//!   smallest size.
//! - request: peak CPU rounded up to whole cores (at least 1), and 0.125 GiB.
//!
//! Only the busy periods are kept in memory (start, end, CPU seconds per
//! busy step), never the invocations themselves.

use super::azure_functions_2019::{BusyPeriods, KEEP_ALIVE_SECONDS};
use super::rows::{columns, each_record, header_of, parse_id, parse_seconds};
use super::{step_of, ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{get, parse_amount, ReadReport, Source};
use crate::workload::{Provenance, ProvenanceStep, Workload};
use std::collections::HashMap;

/// Memory of every microVM, GiB: the trace records none.
const MICROVM_GIB: f32 = 0.125;
const PREFIX: &str = "AzureFunctionsInvocationTrace";
const HEADER: &str = "app,func,end_timestamp,duration";

/// Busy periods by app, then function.
type Functions = HashMap<String, HashMap<String, BusyPeriods>>;

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    if opts.step_seconds == 0 {
        return Err(TraceError::Invalid("step length must be at least 1 second".into()));
    }
    for s in &sources {
        if !s.base_name().starts_with(PREFIX) {
            let reason = format!(
                "not a file of the azure-functions-2021 trace: expected `{PREFIX}*.txt` (e.g. `AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt`, `.gz` allowed)"
            );
            return Err(TraceError::file(s.name(), reason));
        }
    }
    let mut report = ReadReport {
        files: sources.len(),
        ..ReadReport::default()
    };
    let mut functions: Functions = HashMap::new();
    for source in sources {
        read_file(source, opts, &mut report, &mut functions)?;
    }
    build(functions, opts, report)
}

fn read_file(source: Source, opts: &ImportOptions, report: &mut ReadReport, functions: &mut Functions) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let header = header_of(&name, &mut reader)?;
    let cols = columns(
        &header,
        ["app", "func", "end_timestamp", "duration"],
        b',',
        &name,
        HEADER,
    )?;
    each_record(&name, &mut reader, opts.on_bad_row, report, |r, line| {
        let (app, func, start_s, end_s) = parse_invocation(r, cols, &name, line)?;
        let cpu = spread(start_s, end_s, opts.step_seconds);
        let end_us = micros(end_s) + KEEP_ALIVE_SECONDS * 1_000_000;
        // Looked up by `&str` first: names are allocated only for a new function.
        let funcs = match functions.get_mut(app) {
            Some(funcs) => funcs,
            None => functions.entry(app.to_string()).or_default(),
        };
        let periods = match funcs.get_mut(func) {
            Some(periods) => periods,
            None => funcs.entry(func.to_string()).or_default(),
        };
        periods.add(micros(start_s), end_us, cpu);
        Ok(())
    })
}

/// One row: app, function, start and end of the invocation (s).
fn parse_invocation<'r>(
    r: &'r csv::StringRecord,
    [app, func, end, dur]: [usize; 4],
    file: &str,
    line: u64,
) -> Result<(&'r str, &'r str, f64, f64)> {
    let app = parse_id(r, app, file, line, "app")?;
    let func = parse_id(r, func, file, line, "func")?;
    let end_s = parse_seconds(get(r, end, file, line, "end_timestamp")?, file, line, "end_timestamp")?;
    let duration = parse_amount(get(r, dur, file, line, "duration")?, file, line, "duration")?;
    let start_s = end_s - duration;
    if start_s < 0.0 {
        let reason = format!(
            "{duration} s is longer than end_timestamp ({end_s} s): the invocation would start before the trace"
        );
        return Err(TraceError::field(file, line, "duration", reason));
    }
    Ok((app, func, start_s, end_s))
}

/// Spreads the execution `[start_s, end_s)` over the steps it overlaps, as
/// CPU seconds per step.
fn spread(start_s: f64, end_s: f64, step_seconds: u32) -> Vec<(u32, f64)> {
    let width = step_seconds as f64;
    let mut out = Vec::new();
    let mut step = step_of(start_s, step_seconds);
    loop {
        let (from, to) = (step as f64 * width, (step as f64 + 1.0) * width);
        let overlap = end_s.min(to) - start_s.max(from);
        if overlap > 0.0 {
            out.push((step, overlap));
        }
        match step.checked_add(1) {
            Some(next) if to < end_s => step = next,
            _ => return out,
        }
    }
}

fn micros(seconds: f64) -> u64 {
    (seconds * 1e6).round() as u64
}

fn build(functions: Functions, opts: &ImportOptions, report: ReadReport) -> Result<Imported> {
    let mut sorted: Vec<(String, String, BusyPeriods)> = functions
        .into_iter()
        .flat_map(|(app, funcs)| funcs.into_iter().map(move |(func, p)| (app.clone(), func, p)))
        .collect();
    sorted.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let function_count = sorted.len();
    let mut vms = Vec::new();
    for (_, _, periods) in sorted {
        periods.into_vms(opts.step_seconds, MICROVM_GIB, &mut vms);
    }
    let step = ProvenanceStep::new("import")
        .with("format", "azure-functions-2021")
        .with("step_seconds", opts.step_seconds)
        .with("model", "one microVM per function per busy period: invocations joined across idle gaps shorter than the keep-alive; arrival at the first invocation's start (end_timestamp - duration), departure at the last invocation's end plus the keep-alive")
        .with("keep_alive_seconds", KEEP_ALIVE_SECONDS)
        .with("usage_cpu", "seconds of execution overlapping the step / step seconds (concurrent executions, one core each)")
        .with("usage_memory", "the trace records none: 0.125 GiB per microVM (AWS Lambda's smallest size), constant")
        .with("memory_gib", MICROVM_GIB)
        .with("request", "peak CPU rounded up to whole cores (at least 1); 0.125 GiB")
        .with("priority", "on-demand for every microVM: the trace records none")
        .with("functions", function_count)
        .with("vms", vms.len())
        .with("bad_rows_skipped", report.skipped_rows);
    let workload = Workload::new(opts.step_seconds, vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}
