//! Reader of the Alibaba cluster trace v2018 (about 4000 machines, 8 days),
//! as described in `cluster-trace-v2018/trace_2018.md` and
//! `cluster-trace-v2018/schema.md` of github.com/alibaba/clusterdata. Only
//! the online containers are read (the batch tables are not VMs).
//!
//! Files, no header, told apart by base name (`.gz` allowed):
//! - `container_meta*.csv` (required): `container_id,machine_id,time_stamp,
//!   app_du,status,cpu_request,cpu_limit,mem_size`; time in seconds,
//!   `cpu_request` 100 = 1 core, `mem_size` normalised to [0, 100].
//! - `container_usage*.csv` (required): `container_id,machine_id,time_stamp,
//!   cpu_util_percent,mem_util_percent,cpi,mem_gps,mpki,net_in,net_out,
//!   disk_io_percent`, a sample every 10 s. Only the first five fields are
//!   used; the others may be empty (they are in the published files).
//! - `machine_meta*.csv` (optional): `machine_id,time_stamp,failure_domain_1,
//!   failure_domain_2,cpu_num,mem_size,status`; only counted.
//!
//! Mapping to the workload (a VM = a `container_id`):
//! - arrival: the step of its earliest meta row; departure: the step after
//!   its last usage sample, or after its last meta row if later.
//! - request: `cpu_request / 100` cores and `mem_size / 100` ×
//!   [`ALIBABA_MACHINE_MEMORY_GIB`] GiB, from the earliest meta row. The
//!   machines have 96 cores; their memory is not published (an assumption).
//! - usage per step: the mean of the samples in the step. The schema leaves
//!   the base of `cpu_util_percent` undocumented; the maintainers answered
//!   (alibaba/clusterdata issue #62) that a container's CPU utilisation is a
//!   percentage of its requested CPU, not of the machine: CPU cores =
//!   `cpu_util_percent / 100 × cpu_request / 100`. Memory is read on the
//!   same base, a percentage of the container's own memory size (sums of
//!   container percentages of one machine exceed 100, so a machine base is
//!   not plausible). Samples that repeat a timestamp of the container are
//!   samples of the step like any other and enter its mean. Steps without
//!   samples take the previous step's value
//!   (the first sample's before it; 0 for a container without samples);
//!   all counted.
//! - priority: on-demand (the trace has no spot class).
//! - ranges: `mem_size` and `mem_util_percent` above 100 are field errors
//!   (a share of the machine, a share of the container's own memory);
//!   `cpu_util_percent` above 100 is kept, since a container may run above
//!   its request up to its `cpu_limit`, but not above
//!   [`MAX_CPU_UTIL_PERCENT`] (the 96 cores of a machine for a container
//!   requesting one core).

use super::rows::{check_step, check_width, each_record, parse_id, parse_seconds, MAX_SECONDS};
use super::{step_of, ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{get, parse_amount, OnBadRow, ReadReport, Source};
use crate::units::{Resources, Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use std::collections::{HashMap, HashSet};

/// Memory of one machine of the trace, in GiB, which `mem_size` 100 stands
/// for. Alibaba does not publish it: 512 GiB is an assumption for the
/// 96-core machines of that cluster.
pub const ALIBABA_MACHINE_MEMORY_GIB: f32 = 512.0;
/// Largest `cpu_util_percent` read: a one-core container using a whole
/// 96-core machine.
pub const MAX_CPU_UTIL_PERCENT: f64 = 9600.0;
const META_FIELDS: [&str; 8] = [
    "container_id",
    "machine_id",
    "time_stamp",
    "app_du",
    "status",
    "cpu_request",
    "cpu_limit",
    "mem_size",
];
const USAGE_FIELDS: [&str; 11] = [
    "container_id",
    "machine_id",
    "time_stamp",
    "cpu_util_percent",
    "mem_util_percent",
    "cpi",
    "mem_gps",
    "mpki",
    "net_in",
    "net_out",
    "disk_io_percent",
];
const MACHINE_FIELDS: [&str; 7] = [
    "machine_id",
    "time_stamp",
    "failure_domain_1",
    "failure_domain_2",
    "cpu_num",
    "mem_size",
    "status",
];
const PATTERNS: &str =
    "`container_meta*.csv[.gz]`, `container_usage*.csv[.gz]` and optionally `machine_meta*.csv[.gz]`";

/// A container: what its meta rows say, then its usage samples per step.
struct Container {
    order: u64,
    first: f64,
    last: f64,
    request: Resources,
    /// Per step from arrival: CPU cores sum, memory GiB sum, sample count.
    sums: Vec<(f32, f32, u32)>,
}

#[derive(Default)]
struct Counts {
    usage_unknown: u64,
    usage_before_arrival: u64,
    samples: u64,
    filled_steps: u64,
    without_samples: u64,
    machine_rows: u64,
    max_cpu_num: u64,
}

#[derive(Default)]
struct Roles {
    meta: Vec<Source>,
    usage: Vec<Source>,
    machines: Vec<Source>,
}

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    check_step(opts)?;
    let roles = split_roles(sources)?;
    let mut report = ReadReport {
        files: roles.meta.len() + roles.usage.len() + roles.machines.len(),
        ..ReadReport::default()
    };
    let policy = opts.on_bad_row;
    let (mut counts, mut machines) = (Counts::default(), HashSet::new());
    for source in roles.machines {
        read_machines(source, policy, &mut report, &mut machines, &mut counts)?;
    }
    let mut containers = HashMap::new();
    for source in roles.meta {
        read_meta(source, policy, &mut report, &mut containers)?;
    }
    let rows_before = report.rows;
    for source in roles.usage {
        read_usage(source, opts, &mut report, &mut containers, &mut counts)?;
    }
    report.drop_rows(
        format!(
            "usage rows ({} of containers without a meta row, {} before the container's first meta row)",
            counts.usage_unknown, counts.usage_before_arrival
        ),
        counts.usage_unknown + counts.usage_before_arrival,
        report.rows - rows_before,
    );
    finish(containers, counts, machines.len(), report, opts)
}

/// Sorts the sources into their roles, by base name.
fn split_roles(sources: Vec<Source>) -> Result<Roles> {
    let mut roles = Roles::default();
    for s in sources {
        let base = s.base_name();
        let csv = base.ends_with(".csv") || base.ends_with(".csv.gz");
        let role = match () {
            _ if csv && base.starts_with("container_meta") => &mut roles.meta,
            _ if csv && base.starts_with("container_usage") => &mut roles.usage,
            _ if csv && base.starts_with("machine_meta") => &mut roles.machines,
            _ => {
                let reason = format!("not a file of the alibaba-2018 trace: expected {PATTERNS}");
                return Err(TraceError::file(s.name(), reason));
            }
        };
        role.push(s);
    }
    if roles.meta.is_empty() || roles.usage.is_empty() {
        let missing = if roles.meta.is_empty() {
            "container_meta"
        } else {
            "container_usage"
        };
        return Err(TraceError::Invalid(format!(
            "alibaba-2018: no {missing} file among the inputs: expected {PATTERNS}"
        )));
    }
    Ok(roles)
}

fn read_machines(
    source: Source,
    policy: OnBadRow,
    report: &mut ReadReport,
    machines: &mut HashSet<String>,
    counts: &mut Counts,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', false);
    each_record(&name, &mut reader, policy, report, |record, line| {
        check_width(record, &MACHINE_FIELDS, &name, line)?;
        let id = parse_id(record, 0, &name, line, "machine_id")?;
        parse_seconds(get(record, 1, &name, line, "time_stamp")?, &name, line, "time_stamp")?;
        let cpus: u64 = crate::source::parse_field(get(record, 4, &name, line, "cpu_num")?, &name, line, "cpu_num")?;
        counts.machine_rows += 1;
        counts.max_cpu_num = counts.max_cpu_num.max(cpus);
        if !machines.contains(id) {
            machines.insert(id.to_string());
        }
        Ok(())
    })
}

fn read_meta(
    source: Source,
    policy: OnBadRow,
    report: &mut ReadReport,
    containers: &mut HashMap<String, Container>,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', false);
    each_record(&name, &mut reader, policy, report, |record, line| {
        check_width(record, &META_FIELDS, &name, line)?;
        let id = parse_id(record, 0, &name, line, "container_id")?;
        let time = parse_seconds(get(record, 2, &name, line, "time_stamp")?, &name, line, "time_stamp")?;
        let cpu = parse_amount(get(record, 5, &name, line, "cpu_request")?, &name, line, "cpu_request")?;
        let mem = parse_amount(get(record, 7, &name, line, "mem_size")?, &name, line, "mem_size")?;
        at_most(
            mem,
            100.0,
            "a share of the machine's memory, normalised to 0-100",
            &name,
            line,
            "mem_size",
        )?;
        let request = Resources::new((cpu / 100.0) as f32, (mem / 100.0) as f32 * ALIBABA_MACHINE_MEMORY_GIB);
        let order = containers.len() as u64;
        let c = containers.entry(id.to_string()).or_insert(Container {
            order,
            first: time,
            last: time,
            request,
            sums: Vec::new(),
        });
        if time < c.first {
            c.first = time;
            c.request = request;
        }
        c.last = c.last.max(time);
        Ok(())
    })
}

fn read_usage(
    source: Source,
    opts: &ImportOptions,
    report: &mut ReadReport,
    containers: &mut HashMap<String, Container>,
    counts: &mut Counts,
) -> Result<()> {
    let (name, mut reader) = source.csv(b',', false);
    let step_s = opts.step_seconds;
    each_record(&name, &mut reader, opts.on_bad_row, report, |record, line| {
        check_width(record, &USAGE_FIELDS, &name, line)?;
        let id = parse_id(record, 0, &name, line, "container_id")?;
        let time = parse_seconds(get(record, 2, &name, line, "time_stamp")?, &name, line, "time_stamp")?;
        let cpu = parse_percent(record, 3, &name, line, "cpu_util_percent", MAX_CPU_UTIL_PERCENT)?;
        let mem = parse_percent(record, 4, &name, line, "mem_util_percent", 100.0)?;
        match containers.get_mut(id) {
            Some(c) => add_sample(c, step_of(time, step_s), step_of(c.first, step_s), cpu, mem, counts),
            None => counts.usage_unknown += 1,
        }
        Ok(())
    })
}

fn parse_percent(
    record: &csv::StringRecord,
    index: usize,
    file: &str,
    line: u64,
    field: &str,
    max: f64,
) -> Result<f32> {
    let x = parse_amount(get(record, index, file, line, field)?, file, line, field)?;
    at_most(x, max, "a percentage of the container's request", file, line, field)?;
    Ok((x / 100.0) as f32)
}

fn at_most(x: f64, max: f64, unit: &str, file: &str, line: u64, field: &str) -> Result<()> {
    if x > max {
        let reason = format!("{x} is over {max}; expected {unit}");
        return Err(TraceError::field(file, line, field, reason));
    }
    Ok(())
}

/// Adds one sample (fractions of the container's request) to its step.
fn add_sample(c: &mut Container, step: u32, arrival: u32, cpu: f32, mem: f32, counts: &mut Counts) {
    let Some(i) = step.checked_sub(arrival) else {
        counts.usage_before_arrival += 1;
        return;
    };
    let i = i as usize;
    if i >= c.sums.len() {
        c.sums.resize(i + 1, (0.0, 0.0, 0));
    }
    if let Some(s) = c.sums.get_mut(i) {
        s.0 += cpu * c.request.cpu.0;
        s.1 += mem * c.request.memory.0;
        s.2 += 1;
        counts.samples += 1;
    }
}

fn finish(
    containers: HashMap<String, Container>,
    mut counts: Counts,
    machines: usize,
    report: ReadReport,
    opts: &ImportOptions,
) -> Result<Imported> {
    let mut list: Vec<Container> = containers.into_values().collect();
    list.sort_by_key(|c| c.order);
    let vms: Vec<Vm> = list
        .into_iter()
        .enumerate()
        .map(|(i, c)| to_vm(i, c, opts.step_seconds, &mut counts))
        .collect();
    let step = provenance(&vms, &counts, machines, &report, opts);
    let workload = Workload::new(opts.step_seconds, vms, Provenance { steps: vec![step] })?;
    Ok(Imported { workload, report })
}

fn to_vm(i: usize, c: Container, step_s: u32, counts: &mut Counts) -> Vm {
    let arrival = step_of(c.first, step_s);
    let meta_end = step_of(c.last, step_s).saturating_add(1);
    let usage_end = arrival.saturating_add(c.sums.len() as u32);
    let departure = meta_end.max(usage_end).max(arrival.saturating_add(1));
    let life = (departure - arrival) as usize;
    let (cpu, memory) = fill_series(&c.sums, life, counts);
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(i as u32),
        arrival: Step(arrival),
        departure: Step(departure),
        request: c.request,
        priority: Priority::OnDemand,
        usage: Usage { cpu, memory },
    }
}

/// Means per step; steps without samples carry the previous value forward
/// (the first sample's value backward).
fn fill_series(sums: &[(f32, f32, u32)], life: usize, counts: &mut Counts) -> (Vec<f32>, Vec<f32>) {
    let first = sums
        .iter()
        .find(|s| s.2 > 0)
        .map(|s| (s.0 / s.2 as f32, s.1 / s.2 as f32));
    if first.is_none() {
        counts.without_samples += 1;
    }
    let mut prev = first.unwrap_or((0.0, 0.0));
    let (mut cpu, mut memory) = (Vec::with_capacity(life), Vec::with_capacity(life));
    for i in 0..life {
        match sums.get(i) {
            Some(&(c, m, n)) if n > 0 => prev = (c / n as f32, m / n as f32),
            _ if first.is_some() => counts.filled_steps += 1,
            _ => {}
        }
        cpu.push(prev.0);
        memory.push(prev.1);
    }
    (cpu, memory)
}

fn provenance(vms: &[Vm], c: &Counts, machines: usize, report: &ReadReport, opts: &ImportOptions) -> ProvenanceStep {
    ProvenanceStep::new("import")
        .with("format", "alibaba-2018")
        .with("step_seconds", opts.step_seconds)
        .with("time", "time_stamp in seconds")
        .with(
            "request",
            "cpu_request / 100 cores; mem_size / 100 x machine memory GiB",
        )
        .with("machine_memory_gib", ALIBABA_MACHINE_MEMORY_GIB)
        .with(
            "machine_memory_note",
            "assumed: the trace normalises memory and does not publish machine sizes",
        )
        .with(
            "usage",
            "mean of the samples per step; cpu_util_percent and mem_util_percent read as percent of the \
             container's own request (alibaba/clusterdata issue #62 for CPU; memory on the same base)",
        )
        .with("priority", "all on-demand: the trace has no spot class")
        .with("vms", vms.len() as u64)
        .with("usage_samples_used", c.samples)
        .with("usage_rows_of_containers_without_meta_dropped", c.usage_unknown)
        .with("usage_rows_before_first_meta_row_dropped", c.usage_before_arrival)
        .with("steps_without_samples_filled", c.filled_steps)
        .with("vms_without_samples_zero_usage", c.without_samples)
        .with("machine_meta_rows", c.machine_rows)
        .with("machines", machines as u64)
        .with("max_machine_cpu_num", c.max_cpu_num)
        .with("max_seconds_accepted", MAX_SECONDS)
        .with("rows", report.rows)
        .with("skipped_rows", report.skipped_rows)
}
