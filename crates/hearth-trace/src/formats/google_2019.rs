//! Reader of the Google cluster data 2019 (Borg, eight cells, May 2019),
//! as described in "Google cluster-usage traces v3" and
//! `clusterdata_trace_format_v3.proto` (github.com/google/cluster-data,
//! `ClusterData2019.md`). The trace is published only in BigQuery; this
//! reader takes its tables exported to CSV with a header row, nested
//! fields flattened (`resource_request.cpus`, or `resource_request_cpus` as
//! an `AS` alias writes it). Repeated fields (`constraint`, the CPU usage
//! distributions) cannot be exported to CSV and are not read.
//!
//! Files, told apart by base name (`.gz` allowed, BigQuery shards such as
//! `instance_events-000000000000.csv` too):
//! - `instance_events*.csv`: columns used, found by header name: `time` (µs
//!   since the trace start), `type` (0 SUBMIT, 1 QUEUE, 2 ENABLE, 3 SCHEDULE,
//!   4 EVICT, 5 FAIL, 6 FINISH, 7 KILL, 8 LOST, 9 UPDATE_PENDING,
//!   10 UPDATE_RUNNING), `collection_id`, `instance_index`, `priority`,
//!   `resource_request.cpus`, `resource_request.memory` (empty = NULL), and
//!   if present `collection_type` (0 job, 1 alloc set).
//! - `instance_usage*.csv`: `start_time`, `end_time` (µs), `collection_id`,
//!   `instance_index`, `average_usage.cpus`, `average_usage.memory`.
//!
//! Both roles are required. Rows may come in any order (export shards are
//! unordered): events are kept per instance (about 32 bytes each) and
//! resolved after all are read, so the events tables are read before the
//! usage tables whatever the order of the inputs. Memory grows with the
//! events and with the usage series of the scheduled instances, which the
//! workload holds anyway; filter a cell's tables in BigQuery first.
//!
//! Mapping to the workload (an instance = `(collection_id, instance_index)`):
//! - time: `time / 1e6` seconds. (Google's time 0 lies 600 s before the
//!   first event; the offset is kept.) Time `0` means "before the trace" and
//!   is read as 0 s; `2^63-1` means "after the trace": such a SCHEDULE is
//!   no scheduling, such an end is no end.
//! - arrival: the first SCHEDULE. Departure: the first EVICT, FAIL, FINISH,
//!   KILL or LOST after it; an instance with none departs at the last event
//!   time of the trace (counted). Later runs after a reschedule are not
//!   modelled (counted). Instances never scheduled are left out (counted),
//!   and so are alloc instances: they are reservations in which tasks run,
//!   and counting both would count the resources twice (counted).
//! - request: the last `resource_request` at or before the scheduling. The
//!   trace normalises CPU (NCU) and memory to the largest machine of the
//!   trace, whose size is not published: one unit is read as
//!   [`GOOGLE_MACHINE`] (an assumption, recorded in provenance).
//! - priority: below 116 (free tier 0–99, best-effort batch 110–115) is spot,
//!   the rest (mid-tier, production, monitoring) on-demand.
//! - usage per step: the duration-weighted mean of `average_usage` of the
//!   usage windows that start in the step, in the same units as the request.
//!   Windows of one instance that repeat a start time are windows of the
//!   step like any other and enter its mean with their lengths. Steps with
//!   no window use 0 (counted). Usage rows of instances left out, outside
//!   the first run or without an average are counted; an import that leaves
//!   out most usage rows carries a warning.
//! - ranges: requests and usage are normalised to the largest machine, so a
//!   value above 1 is a field error.

use super::rows::{check_step, each_record, find_column, MAX_SECONDS};
use super::{end_step_of, step_of, ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{csv_error, get, parse_amount, parse_field, OnBadRow, ReadReport, Source};
use crate::units::{Resources, Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use std::collections::HashMap;

/// Size of the trace's largest machine, which one normalised unit stands
/// for: (CPU cores, memory GiB). Google does not publish it; 64 cores and
/// 256 GiB is an assumed size of a large Borg machine of 2019.
pub const GOOGLE_MACHINE: (f32, f32) = (64.0, 256.0);
/// Priorities below this are free tier or best-effort batch: spot.
pub const SPOT_BELOW_PRIORITY: i64 = 116;
/// The trace's "after the end of the trace" time.
const AFTER_END: u64 = i64::MAX as u64;
const MAX_MICROS: u64 = (MAX_SECONDS * 1e6) as u64;
const SCHEDULE: u8 = 3;
const PATTERNS: &str = "`instance_events*.csv[.gz]` (instance events) and `instance_usage*.csv[.gz]` (instance usage)";

type Key = (i64, i64);

/// One instance event, as much as the workload needs of it.
struct Ev {
    time: u64,
    kind: u8,
    priority: i64,
    cpus: Option<f32>,
    memory: Option<f32>,
}

#[derive(Default)]
struct Inst {
    events: Vec<Ev>,
    alloc: bool,
}

/// A scheduled instance while its usage windows are streamed in.
struct Run {
    key: Key,
    arrival: u32,
    departure: u32,
    request: Resources,
    priority: Priority,
    cpu: Vec<f32>,
    memory: Vec<f32>,
    weight: Vec<f32>,
}

#[derive(Default)]
struct Counts {
    never_scheduled: u64,
    alloc_instances: u64,
    still_running: u64,
    later_runs: u64,
    no_request: u64,
    lengthened: u64,
    usage_unknown: u64,
    usage_outside: u64,
    usage_no_average: u64,
    steps_without_usage: u64,
}

struct EventCols {
    time: usize,
    kind: usize,
    collection: usize,
    index: usize,
    priority: usize,
    cpus: usize,
    memory: usize,
    collection_type: Option<usize>,
}

struct UsageCols {
    start: usize,
    end: usize,
    collection: usize,
    index: usize,
    cpus: usize,
    memory: usize,
}

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    check_step(opts)?;
    let (events, usage) = split_roles(sources)?;
    let mut report = ReadReport {
        files: events.len() + usage.len(),
        ..ReadReport::default()
    };
    let (mut insts, mut last_time) = (HashMap::new(), 0u64);
    for source in events {
        read_events(source, opts.on_bad_row, &mut report, &mut insts, &mut last_time)?;
    }
    let mut counts = Counts::default();
    let mut runs: HashMap<Key, Run> = insts
        .into_iter()
        .filter_map(|(key, inst)| resolve(key, inst, last_time, opts.step_seconds, &mut counts))
        .map(|run| (run.key, run))
        .collect();
    let rows_before = report.rows;
    for source in usage {
        read_usage(source, opts, &mut report, &mut runs, &mut counts)?;
    }
    let c = &counts;
    report.drop_rows(
        format!(
            "usage rows ({} of instances unknown or left out, {} outside the first run, {} without an average)",
            c.usage_unknown, c.usage_outside, c.usage_no_average
        ),
        c.usage_unknown + c.usage_outside + c.usage_no_average,
        report.rows - rows_before,
    );
    finish(runs, counts, report, opts)
}

/// Sorts the sources into event and usage tables, by base name.
fn split_roles(sources: Vec<Source>) -> Result<(Vec<Source>, Vec<Source>)> {
    let (mut events, mut usage) = (Vec::new(), Vec::new());
    for s in sources {
        let base = s.base_name();
        let csv = base.ends_with(".csv") || base.ends_with(".csv.gz");
        if csv && base.starts_with("instance_events") {
            events.push(s);
        } else if csv && base.starts_with("instance_usage") {
            usage.push(s);
        } else {
            return Err(TraceError::file(
                s.name(),
                format!("not a file of the google-2019 trace: expected {PATTERNS}"),
            ));
        }
    }
    if events.is_empty() || usage.is_empty() {
        let missing = if events.is_empty() {
            "instance events"
        } else {
            "instance usage"
        };
        return Err(TraceError::Invalid(format!(
            "google-2019: no {missing} table among the inputs: expected {PATTERNS}"
        )));
    }
    Ok((events, usage))
}

/// A header column by its flattened name, spelled with `.` or `_`.
fn column(headers: &csv::StringRecord, name: &str, file: &str) -> Result<usize> {
    let alias = name.replace('.', "_");
    find_column(headers, &[name, alias.as_str()], file)
}

fn event_cols(headers: &csv::StringRecord, file: &str) -> Result<EventCols> {
    Ok(EventCols {
        time: column(headers, "time", file)?,
        kind: column(headers, "type", file)?,
        collection: column(headers, "collection_id", file)?,
        index: column(headers, "instance_index", file)?,
        priority: column(headers, "priority", file)?,
        cpus: column(headers, "resource_request.cpus", file)?,
        memory: column(headers, "resource_request.memory", file)?,
        collection_type: column(headers, "collection_type", file).ok(),
    })
}

fn read_events(
    source: Source,
    policy: OnBadRow,
    report: &mut ReadReport,
    insts: &mut HashMap<Key, Inst>,
    last_time: &mut u64,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let headers = reader.headers().map_err(|e| csv_error(&name, e))?.clone();
    let cols = event_cols(&headers, &name)?;
    each_record(&name, &mut reader, policy, report, |record, line| {
        let (key, ev, alloc) = parse_event(record, &cols, &name, line)?;
        if ev.time != AFTER_END {
            *last_time = (*last_time).max(ev.time);
        }
        let inst = insts.entry(key).or_default();
        inst.alloc |= alloc;
        inst.events.push(ev);
        Ok(())
    })
}

fn parse_event(record: &csv::StringRecord, c: &EventCols, file: &str, line: u64) -> Result<(Key, Ev, bool)> {
    let time = parse_micros(get(record, c.time, file, line, "time")?, file, line, "time", true)?;
    let kind: u8 = parse_field(get(record, c.kind, file, line, "type")?, file, line, "type")?;
    if kind > 10 {
        let reason = format!("{kind} is not an event type: expected 0 (SUBMIT) to 10 (UPDATE_RUNNING)");
        return Err(TraceError::field(file, line, "type", reason));
    }
    let key = parse_key(record, c.collection, c.index, file, line)?;
    let priority = parse_field(get(record, c.priority, file, line, "priority")?, file, line, "priority")?;
    let cpus = parse_optional(record, c.cpus, file, line, "resource_request.cpus")?;
    let memory = parse_optional(record, c.memory, file, line, "resource_request.memory")?;
    let alloc = match c.collection_type {
        None => false,
        Some(i) => match get(record, i, file, line, "collection_type")? {
            "" | "0" => false,
            "1" => true,
            other => {
                let reason = format!("{other:?} is not a collection type: expected 0 (job) or 1 (alloc set)");
                return Err(TraceError::field(file, line, "collection_type", reason));
            }
        },
    };
    let ev = Ev {
        time,
        kind,
        priority,
        cpus,
        memory,
    };
    Ok((key, ev, alloc))
}

fn parse_key(record: &csv::StringRecord, collection: usize, index: usize, file: &str, line: u64) -> Result<Key> {
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
fn parse_optional(record: &csv::StringRecord, index: usize, file: &str, line: u64, field: &str) -> Result<Option<f32>> {
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
fn parse_micros(raw: &str, file: &str, line: u64, field: &str, after_end_allowed: bool) -> Result<u64> {
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

fn is_end(kind: u8) -> bool {
    (4..=8).contains(&kind)
}

/// Turns an instance's events into its first run, or counts why it has none.
fn resolve(key: Key, inst: Inst, last_time: u64, step_s: u32, counts: &mut Counts) -> Option<Run> {
    if inst.alloc {
        counts.alloc_instances += 1;
        return None;
    }
    let mut events = inst.events;
    events.sort_by_key(|e| e.time);
    let Some(s) = events.iter().position(|e| e.kind == SCHEDULE && e.time != AFTER_END) else {
        counts.never_scheduled += 1;
        return None;
    };
    let (before, after) = events.split_at(s + 1);
    let sched = before.last()?;
    let end_at = after.iter().position(|e| is_end(e.kind));
    let end = match end_at.and_then(|i| after.get(i)) {
        Some(e) if e.time != AFTER_END => e.time,
        _ => {
            counts.still_running += 1;
            last_time
        }
    };
    if let Some(i) = end_at {
        let later = after.get(i + 1..).unwrap_or_default();
        counts.later_runs += later.iter().any(|e| e.kind == SCHEDULE) as u64;
    }
    let request = request_at(&events, sched.time, counts);
    let arrival = step_of(sched.time as f64 / 1e6, step_s);
    let mut departure = end_step_of(end as f64 / 1e6, step_s);
    if departure <= arrival {
        counts.lengthened += 1;
        departure = arrival.saturating_add(1);
    }
    let priority = if sched.priority < SPOT_BELOW_PRIORITY {
        Priority::Spot
    } else {
        Priority::OnDemand
    };
    let life = departure.saturating_sub(arrival) as usize;
    Some(Run {
        key,
        arrival,
        departure,
        request,
        priority,
        cpu: vec![0.0; life],
        memory: vec![0.0; life],
        weight: vec![0.0; life],
    })
}

/// The last requested CPU and memory at or before `time`, in cores and GiB.
fn request_at(events: &[Ev], time: u64, counts: &mut Counts) -> Resources {
    let upto = || events.iter().take_while(|e| e.time <= time);
    let cpus = upto().filter_map(|e| e.cpus).last();
    let memory = upto().filter_map(|e| e.memory).last();
    if cpus.is_none() || memory.is_none() {
        counts.no_request += 1;
    }
    Resources::new(
        cpus.unwrap_or(0.0) * GOOGLE_MACHINE.0,
        memory.unwrap_or(0.0) * GOOGLE_MACHINE.1,
    )
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

fn read_usage(
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

fn finish(runs: HashMap<Key, Run>, mut counts: Counts, report: ReadReport, opts: &ImportOptions) -> Result<Imported> {
    let mut runs: Vec<Run> = runs.into_values().collect();
    runs.sort_by_key(|r| (r.arrival, r.key));
    let vms: Vec<Vm> = runs
        .into_iter()
        .enumerate()
        .map(|(i, r)| to_vm(i, r, &mut counts))
        .collect();
    let step = provenance(&vms, &counts, &report, opts);
    let workload = Workload::new(opts.step_seconds, vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}

fn to_vm(i: usize, mut r: Run, counts: &mut Counts) -> Vm {
    for ((c, m), w) in r.cpu.iter_mut().zip(r.memory.iter_mut()).zip(&r.weight) {
        if *w > 0.0 {
            *c /= w;
            *m /= w;
        } else {
            counts.steps_without_usage += 1;
        }
    }
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(i as u32),
        arrival: Step(r.arrival),
        departure: Step(r.departure),
        request: r.request,
        priority: r.priority,
        usage: Usage {
            cpu: r.cpu,
            memory: r.memory,
        },
    }
}

fn provenance(vms: &[Vm], c: &Counts, report: &ReadReport, opts: &ImportOptions) -> ProvenanceStep {
    let spot = vms.iter().filter(|vm| vm.priority == Priority::Spot).count() as u64;
    ProvenanceStep::new("import")
        .with("format", "google-2019")
        .with("step_seconds", opts.step_seconds)
        .with(
            "time",
            "time / 1e6 seconds since Google's trace start (600 s before the first event)",
        )
        .with(
            "units",
            "resource_request and average_usage are normalised units (NCU, normalised memory)",
        )
        .with("machine_per_unit_cores", GOOGLE_MACHINE.0)
        .with("machine_per_unit_memory_gib", GOOGLE_MACHINE.1)
        .with(
            "machine_per_unit_note",
            "assumed size of the largest machine; Google does not publish it",
        )
        .with(
            "priority",
            "below 116 (free tier, best-effort batch) spot, else on-demand",
        )
        .with("vms", vms.len() as u64)
        .with("spot_vms", spot)
        .with("instances_never_scheduled_dropped", c.never_scheduled)
        .with("alloc_instances_dropped", c.alloc_instances)
        .with("instances_still_running_at_end", c.still_running)
        .with("later_runs_after_reschedule_ignored", c.later_runs)
        .with("instances_without_request_use_zero", c.no_request)
        .with("vms_lengthened_to_one_step", c.lengthened)
        .with("usage_rows_of_unknown_or_dropped_instances", c.usage_unknown)
        .with("usage_rows_outside_first_run", c.usage_outside)
        .with("usage_rows_without_average_ignored", c.usage_no_average)
        .with(
            "usage",
            "duration-weighted mean of average_usage over the windows starting in each step",
        )
        .with("steps_without_usage_set_to_zero", c.steps_without_usage)
        .with("rows", report.rows)
        .with("skipped_rows", report.skipped_rows)
}
