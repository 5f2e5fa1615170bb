//! Reader of the Azure public VM traces, V1 (2017) and V2 (2019), which share
//! one layout (schema: `AzurePublicDatasetV1.md`, `AzurePublicDatasetV2.md` in
//! github.com/Azure/AzurePublicDataset).
//!
//! Files, told apart by base name (`.gz` allowed):
//! - `vmtable.csv` (any name containing `vmtable`), no header, one row per VM:
//!   `vmid,subscriptionid,deploymentid,vmcreated,vmdeleted,maxcpu,avgcpu,p95maxcpu,vmcategory,vmcorecountbucket,vmmemorybucket`.
//!   Times are seconds from the trace start; CPU figures are percent of the
//!   VM's cores; the core bucket is `2`,`4`,`8`,`24` or `>24` (V1 gives the
//!   exact count), the memory bucket is GB: `2`,`4`,`8`,`32`,`64` or `>64` (V1
//!   gives the exact size, e.g. `0.75`).
//! - `vm_cpu_readings-file-<i>-of-<n>.csv`, no header, one row per VM per 300 s:
//!   `timestamp,vmid,mincpu,maxcpu,avgcpu` (percent of the VM's cores).
//!   Optional: without them every step takes the VM's lifetime `avgcpu`.
//!
//! Mapping to the workload (step 300 s, the readings' period):
//! - arrival = step of `vmcreated`; departure = `ceil(vmdeleted / 300 s)`,
//!   the first step starting at or after `vmdeleted`, at least one step
//!   after arrival. The trace's `vmdeleted` is the time of the
//!   VM's last reading, so that last reading falls on the departure step and is
//!   counted among readings outside the VM's life.
//! - request: the buckets as cores and GiB (Azure sizes are binary gigabytes);
//!   the open-ended `>24` cores is read as 32 and `>64` GB as 128.
//! - CPU used per step: `avgcpu` / 100 × cores of the reading in that step;
//!   steps without a reading take the vmtable's lifetime `avgcpu`. Readings
//!   that repeat a step already read for the VM (a repeated timestamp, or
//!   two timestamps in one 300 s step) are left out: the first read wins,
//!   as the readings files are in time order. They are counted with the
//!   readings of VMs missing from the vmtable and those outside a VM's life;
//!   an import that leaves out most readings carries a warning.
//! - CPU figures are percentages of the VM's cores: a value above 100 (or a
//!   negative one) is a field error, in the vmtable and in the readings.
//! - memory used: the trace records none, so usage = the request.
//! - priority: on-demand (the trace records none).

use super::rows::{check_width, each_record, parse_id, parse_seconds};
use super::{end_step_of, step_of, ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{get, parse_amount, OnBadRow, ReadReport, Source};
use crate::units::{Resources, Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use std::collections::HashMap;

const STEP_SECONDS: u32 = 300;
const VMTABLE_FIELDS: [&str; 11] = [
    "vmid",
    "subscriptionid",
    "deploymentid",
    "vmcreated",
    "vmdeleted",
    "maxcpu",
    "avgcpu",
    "p95maxcpu",
    "vmcategory",
    "vmcorecountbucket",
    "vmmemorybucket",
];
const READING_FIELDS: [&str; 5] = ["timestamp", "vmid", "mincpu", "maxcpu", "avgcpu"];
const PATTERNS: &str = "`*vmtable*.csv[.gz]` (VM table) or `vm_cpu_readings*.csv[.gz]` (CPU readings)";

/// One VM of the vmtable while its readings are streamed in.
struct VmRec {
    line: u64,
    arrival: u32,
    departure: u32,
    request: Resources,
    avg_pct: f32,
    /// CPU cores used per step of life; NaN until a reading arrives.
    cpu: Vec<f32>,
}

#[derive(Default)]
struct Counts {
    readings_used: u64,
    unknown_vm: u64,
    outside_life: u64,
    duplicate: u64,
    filled_steps: u64,
}

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    let (tables, readings) = split_roles(sources)?;
    let mut report = ReadReport {
        files: tables.len() + readings.len(),
        ..ReadReport::default()
    };
    let policy = opts.on_bad_row;
    let (mut ids, mut vms) = (HashMap::new(), Vec::new());
    for source in tables {
        read_vmtable(source, policy, &mut report, &mut ids, &mut vms)?;
    }
    let mut counts = Counts::default();
    let reading_files = readings.len();
    let rows_before = report.rows;
    for source in readings {
        read_readings(source, policy, &mut report, &ids, &mut vms, &mut counts)?;
    }
    let c = &counts;
    report.drop_rows(
        format!(
            "CPU reading rows ({} of VMs not in the vmtable, {} outside the VM's life, {} repeating a step already read)",
            c.unknown_vm, c.outside_life, c.duplicate
        ),
        c.unknown_vm + c.outside_life + c.duplicate,
        report.rows - rows_before,
    );
    let vms: Vec<Vm> = vms
        .into_iter()
        .enumerate()
        .map(|(i, rec)| finish_vm(i, rec, &mut counts))
        .collect();
    let step = provenance(&vms, &counts, reading_files, &report, opts);
    let workload = Workload::new(STEP_SECONDS, vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}

/// Sorts the sources into vmtables and readings, by base name.
fn split_roles(sources: Vec<Source>) -> Result<(Vec<Source>, Vec<Source>)> {
    let (mut tables, mut readings) = (Vec::new(), Vec::new());
    for s in sources {
        let base = s.base_name();
        if base.contains("vmtable") {
            tables.push(s);
        } else if base.starts_with("vm_cpu_readings") {
            readings.push(s);
        } else {
            return Err(TraceError::file(
                s.name(),
                format!("not a file of the azure-vm trace: expected {PATTERNS}"),
            ));
        }
    }
    if tables.is_empty() {
        return Err(TraceError::Invalid(format!(
            "azure-vm: no VM table among the inputs: expected {PATTERNS}"
        )));
    }
    Ok((tables, readings))
}

fn read_vmtable(
    source: Source,
    policy: OnBadRow,
    report: &mut ReadReport,
    ids: &mut HashMap<String, u32>,
    vms: &mut Vec<VmRec>,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', false);
    each_record(&name, &mut reader, policy, report, |record, line| {
        let (vmid, rec) = parse_vm(record, &name, line)?;
        if let Some(&first) = ids.get(vmid) {
            let first_line = vms.get(first as usize).map_or(0, |r| r.line);
            let reason = format!("VM listed twice (first at line {first_line})");
            return Err(TraceError::field(&name, line, "vmid", reason));
        }
        let index = u32::try_from(vms.len()).map_err(|_| TraceError::row(&name, line, "more than 2^32 VMs"))?;
        ids.insert(vmid.to_string(), index);
        vms.push(rec);
        Ok(())
    })
}

fn parse_vm<'r>(record: &'r csv::StringRecord, file: &str, line: u64) -> Result<(&'r str, VmRec)> {
    check_width(record, &VMTABLE_FIELDS, file, line)?;
    let vmid = parse_id(record, 0, file, line, "vmid")?;
    let num = |i: usize| {
        parse_amount(
            get(record, i, file, line, VMTABLE_FIELDS[i])?,
            file,
            line,
            VMTABLE_FIELDS[i],
        )
    };
    let created = parse_seconds(get(record, 3, file, line, "vmcreated")?, file, line, "vmcreated")?;
    let deleted = parse_seconds(get(record, 4, file, line, "vmdeleted")?, file, line, "vmdeleted")?;
    if deleted < created {
        let reason = format!("{deleted} s is before vmcreated ({created} s)");
        return Err(TraceError::field(file, line, "vmdeleted", reason));
    }
    let (_max, avg, _p95) = (
        percent(num(5)?, file, line, "maxcpu")?,
        percent(num(6)?, file, line, "avgcpu")?,
        percent(num(7)?, file, line, "p95maxcpu")?,
    );
    let cores = parse_bucket(
        get(record, 9, file, line, "vmcorecountbucket")?,
        (24.0, 32.0),
        file,
        line,
        "vmcorecountbucket",
    )?;
    let memory = parse_bucket(
        get(record, 10, file, line, "vmmemorybucket")?,
        (64.0, 128.0),
        file,
        line,
        "vmmemorybucket",
    )?;
    let arrival = step_of(created, STEP_SECONDS);
    let departure = end_step_of(deleted, STEP_SECONDS).max(arrival.saturating_add(1));
    let life = departure.saturating_sub(arrival) as usize;
    let rec = VmRec {
        line,
        arrival,
        departure,
        request: Resources::new(cores as f32, memory as f32),
        avg_pct: avg as f32,
        cpu: vec![f32::NAN; life],
    };
    Ok((vmid, rec))
}

/// A size bucket: a positive number, or the one open-ended bucket `>{lo}`,
/// read as `hi`.
fn parse_bucket(raw: &str, (lo, hi): (f64, f64), file: &str, line: u64, field: &str) -> Result<f64> {
    if let Some(rest) = raw.strip_prefix('>') {
        if rest.trim().parse::<f64>().ok() == Some(lo) {
            return Ok(hi);
        }
    } else if let Ok(x) = raw.parse::<f64>() {
        if x.is_finite() && x > 0.0 && x <= 1e6 {
            return Ok(x);
        }
    }
    let reason = format!("{raw:?} is not a size bucket; expected a positive number or `>{lo}`");
    Err(TraceError::field(file, line, field, reason))
}

fn read_readings(
    source: Source,
    policy: OnBadRow,
    report: &mut ReadReport,
    ids: &HashMap<String, u32>,
    vms: &mut [VmRec],
    counts: &mut Counts,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', false);
    each_record(&name, &mut reader, policy, report, |record, line| {
        let (t, vmid, avg) = parse_reading(record, &name, line)?;
        let Some(vm) = ids.get(vmid).and_then(|&i| vms.get_mut(i as usize)) else {
            counts.unknown_vm += 1;
            return Ok(());
        };
        let step = step_of(t, STEP_SECONDS);
        let slot = step.checked_sub(vm.arrival).and_then(|i| vm.cpu.get_mut(i as usize));
        match slot {
            None => counts.outside_life += 1,
            Some(x) if !x.is_nan() => counts.duplicate += 1,
            Some(x) => {
                *x = (avg / 100.0) as f32 * vm.request.cpu.0;
                counts.readings_used += 1;
            }
        }
        Ok(())
    })
}

fn parse_reading<'r>(record: &'r csv::StringRecord, file: &str, line: u64) -> Result<(f64, &'r str, f64)> {
    check_width(record, &READING_FIELDS, file, line)?;
    let t = parse_seconds(get(record, 0, file, line, "timestamp")?, file, line, "timestamp")?;
    let vmid = parse_id(record, 1, file, line, "vmid")?;
    for (i, field) in [(2, "mincpu"), (3, "maxcpu")] {
        percent(
            parse_amount(get(record, i, file, line, field)?, file, line, field)?,
            file,
            line,
            field,
        )?;
    }
    let avg = parse_amount(get(record, 4, file, line, "avgcpu")?, file, line, "avgcpu")?;
    Ok((t, vmid, percent(avg, file, line, "avgcpu")?))
}

/// A CPU figure, which the trace gives as a percentage of the VM's cores.
fn percent(x: f64, file: &str, line: u64, field: &str) -> Result<f64> {
    if x > 100.0 {
        let reason = format!("{x} is over 100; expected a percentage of the VM's cores (0-100)");
        return Err(TraceError::field(file, line, field, reason));
    }
    Ok(x)
}

/// Fills the steps that had no reading and builds the VM.
fn finish_vm(index: usize, mut rec: VmRec, counts: &mut Counts) -> Vm {
    let fill = rec.avg_pct / 100.0 * rec.request.cpu.0;
    for x in rec.cpu.iter_mut().filter(|x| x.is_nan()) {
        *x = fill;
        counts.filled_steps += 1;
    }
    let life = rec.cpu.len();
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(index as u32),
        arrival: Step(rec.arrival),
        departure: Step(rec.departure),
        request: rec.request,
        priority: Priority::OnDemand,
        usage: Usage {
            cpu: rec.cpu,
            memory: vec![rec.request.memory.0; life],
        },
    }
}

fn provenance(
    vms: &[Vm],
    c: &Counts,
    reading_files: usize,
    report: &ReadReport,
    opts: &ImportOptions,
) -> ProvenanceStep {
    let mut step = ProvenanceStep::new("import")
        .with("format", "azure-vm")
        .with("step_seconds", STEP_SECONDS)
        .with("vms", vms.len())
        .with("reading_files", reading_files)
        .with("time", "vmcreated/vmdeleted in seconds from the trace start; departure = ceil(vmdeleted / 300 s), the first step starting at or after vmdeleted, at least one step after arrival")
        .with("request_cpu", "vmcorecountbucket as cores; open-ended `>24` read as 32")
        .with("request_memory", "vmmemorybucket GB read as GiB; open-ended `>64` read as 128")
        .with("usage_cpu", "reading avgcpu / 100 × cores; steps without a reading take the vmtable avgcpu")
        .with("usage_memory", "the trace records no memory usage: usage = request")
        .with("priority", "on-demand for every VM: the trace records none")
        .with("readings_used", c.readings_used)
        .with("steps_filled_with_vmtable_avgcpu", c.filled_steps)
        .with("readings_ignored_unknown_vm", c.unknown_vm)
        .with("readings_ignored_outside_vm_life", c.outside_life)
        .with("readings_ignored_duplicate_step", c.duplicate)
        .with("duplicate_step", "a reading of a step already read for the VM is ignored: the first read wins")
        .with("bad_rows_skipped", report.skipped_rows);
    if opts.step_seconds != STEP_SECONDS {
        step = step.with("step_seconds_option_ignored", "the trace's 300 s readings set the step");
    }
    step
}
