//! Reader of the Huawei-East-1 VM trace, published with VMAgent
//! (github.com/mail-ecnu/VMAgent, `vmagent/data/README.md` and
//! `docs/source/simulator/dataset.rst`): one month of VM requests of one
//! Huawei Cloud region.
//!
//! The trace is one CSV file (`Huawei-East-1.csv`; any `*.csv[.gz]` name is
//! accepted, several files are read as one trace) with the header
//! `vmid,cpu,memory,time,type` and one row per event:
//! - `vmid`: integer VM id; `cpu`: cores; `memory`: GB;
//! - `time`: seconds relative to the trace start (written `2.0` in the file);
//! - `type`: 0 = creation, 1 = deletion.
//!
//! Columns are found by header name. Mapping to the workload:
//! - arrival = step of the creation; departure = first step after the
//!   deletion, at least one step after arrival. A VM never deleted departs one
//!   step after the step of the last event of the trace (counted).
//! - request = `cpu` cores and `memory` GB read as GiB (the documentation says
//!   GB; VM flavours are binary sizes) from the creation row.
//! - usage: the trace records none, so usage = the request at every step.
//!   (The documentation notes that some small internal VMs share cores at
//!   1/4 to 1/2; that is not applied.)
//! - priority: on-demand (the trace has no spot class).
//!
//! A negative `cpu` or `memory`, or one too large for a 32-bit float, is a
//! field error. Events that share a timestamp are applied in file order: a
//! VM created and deleted at one time lives one step.
//!
//! A deletion of a VM that is not alive (never created, or already deleted)
//! and a second creation of a live VM are row errors naming field `vmid`. A
//! `vmid` may be created again after its deletion: that is a new VM.
//!
//! This module also holds the streaming helpers shared by the Google 2019 and
//! Alibaba 2018 readers.

use super::rows::{check_step, each_record, find_column, parse_seconds};
use super::{end_step_of, step_of, ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{csv_error, get, parse_amount, parse_field, OnBadRow, ReadReport, Source};
use crate::units::{Resources, Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use std::collections::HashMap;

const COLUMNS: [&str; 5] = ["vmid", "cpu", "memory", "time", "type"];
const PATTERN: &str = "`*.csv` or `*.csv.gz` with header `vmid,cpu,memory,time,type`";

/// A VM created and, once its deletion is read, deleted.
struct Rec {
    order: u64,
    created: f64,
    deleted: Option<f64>,
    request: Resources,
}

#[derive(Default)]
struct State {
    live: HashMap<u64, Rec>,
    done: Vec<Rec>,
    created: u64,
    last_time: f64,
}

/// One parsed row.
struct Event {
    vmid: u64,
    request: Resources,
    time: f64,
    delete: bool,
}

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    check_step(opts)?;
    for s in &sources {
        let base = s.base_name();
        if !(base.ends_with(".csv") || base.ends_with(".csv.gz")) {
            return Err(TraceError::file(
                s.name(),
                format!("not a file of the huawei trace: expected {PATTERN}"),
            ));
        }
    }
    let mut report = ReadReport {
        files: sources.len(),
        ..ReadReport::default()
    };
    let mut state = State::default();
    for source in sources {
        read_file(source, opts.on_bad_row, &mut report, &mut state)?;
    }
    finish(state, report, opts)
}

fn read_file(source: Source, policy: OnBadRow, report: &mut ReadReport, state: &mut State) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let headers = reader.headers().map_err(|e| csv_error(&name, e))?.clone();
    let mut cols = [0usize; 5];
    for (col, field) in cols.iter_mut().zip(COLUMNS) {
        *col = find_column(&headers, &[field], b',', &name)?;
    }
    each_record(&name, &mut reader, policy, report, |record, line| {
        let event = parse_event(record, &cols, &name, line)?;
        apply(state, event, &name, line)
    })
}

fn parse_event(record: &csv::StringRecord, cols: &[usize; 5], file: &str, line: u64) -> Result<Event> {
    let field = |i: usize| get(record, cols[i], file, line, COLUMNS[i]);
    let vmid = parse_field::<u64>(field(0)?, file, line, "vmid")?;
    let size = |i: usize, name: &str| -> Result<f32> {
        let x = parse_amount(field(i)?, file, line, name)?;
        let y = x as f32;
        if !y.is_finite() {
            return Err(TraceError::field(
                file,
                line,
                name,
                format!("{x} is too large for a VM size"),
            ));
        }
        Ok(y)
    };
    let (cpu, memory) = (size(1, "cpu")?, size(2, "memory")?);
    let time = parse_seconds(field(3)?, file, line, "time")?;
    let delete = match field(4)? {
        "0" => false,
        "1" => true,
        other => {
            let reason = format!("{other:?} is not an event type: expected 0 (creation) or 1 (deletion)");
            return Err(TraceError::field(file, line, "type", reason));
        }
    };
    let request = Resources::new(cpu, memory);
    Ok(Event {
        vmid,
        request,
        time,
        delete,
    })
}

/// Applies one event; the state changes only when the event is valid.
fn apply(state: &mut State, ev: Event, file: &str, line: u64) -> Result<()> {
    if ev.delete {
        let Some(rec) = state.live.get(&ev.vmid) else {
            let reason = format!(
                "VM {} is deleted but is not alive (never created, or deleted already)",
                ev.vmid
            );
            return Err(TraceError::field(file, line, "vmid", reason));
        };
        if ev.time < rec.created {
            let reason = format!(
                "deletion at {} s is before the VM's creation at {} s",
                ev.time, rec.created
            );
            return Err(TraceError::field(file, line, "time", reason));
        }
        if let Some(mut rec) = state.live.remove(&ev.vmid) {
            rec.deleted = Some(ev.time);
            state.done.push(rec);
        }
    } else {
        if state.live.contains_key(&ev.vmid) {
            let reason = format!("VM {} is created again while it is alive", ev.vmid);
            return Err(TraceError::field(file, line, "vmid", reason));
        }
        let rec = Rec {
            order: state.created,
            created: ev.time,
            deleted: None,
            request: ev.request,
        };
        state.created += 1;
        state.live.insert(ev.vmid, rec);
    }
    state.last_time = state.last_time.max(ev.time);
    Ok(())
}

fn finish(state: State, report: ReadReport, opts: &ImportOptions) -> Result<Imported> {
    let step_s = opts.step_seconds;
    let never_deleted = state.live.len() as u64;
    let mut recs = state.done;
    recs.extend(state.live.into_values());
    recs.sort_by_key(|r| r.order);
    let end = step_of(state.last_time, step_s).saturating_add(1);
    let mut lengthened = 0u64;
    let vms: Vec<Vm> = recs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let arrival = step_of(r.created, step_s);
            let departure = r.deleted.map_or(end, |d| end_step_of(d, step_s));
            if departure <= arrival {
                lengthened += 1;
            }
            let departure = departure.max(arrival.saturating_add(1));
            constant_vm(i, arrival, departure, r.request, Priority::OnDemand)
        })
        .collect();
    let step = ProvenanceStep::new("import")
        .with("format", "huawei")
        .with("step_seconds", step_s)
        .with(
            "units",
            "cpu: cores; memory: GB read as GiB; time: seconds from the trace start",
        )
        .with("usage", "the trace records no usage: usage = the request at every step")
        .with("priority", "all on-demand: the trace has no spot class")
        .with("vms", vms.len() as u64)
        .with("vms_never_deleted", never_deleted)
        .with(
            "never_deleted_departure",
            "one step after the step of the last event of the trace",
        )
        .with("vms_lengthened_to_one_step", lengthened)
        .with("rows", report.rows)
        .with("skipped_rows", report.skipped_rows);
    let workload = Workload::new(step_s, vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}

/// A VM that uses its whole request at every step of its life.
fn constant_vm(i: usize, arrival: u32, departure: u32, request: Resources, priority: Priority) -> Vm {
    let life = departure.saturating_sub(arrival) as usize;
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(i as u32),
        arrival: Step(arrival),
        departure: Step(departure),
        request,
        priority,
        usage: Usage {
            cpu: vec![request.cpu.0; life],
            memory: vec![request.memory.0; life],
        },
    }
}
