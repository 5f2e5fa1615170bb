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

mod events;
mod fields;
mod runs;
mod usage;

pub use fields::GOOGLE_MACHINE;
pub use runs::SPOT_BELOW_PRIORITY;

use super::rows::check_step;
use super::{ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{ReadReport, Source};
use crate::units::{Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use events::read_events;
use fields::Key;
use runs::{resolve, Counts, Run};
use std::collections::HashMap;
use usage::read_usage;

const PATTERNS: &str = "`instance_events*.csv[.gz]` (instance events) and `instance_usage*.csv[.gz]` (instance usage)";

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
