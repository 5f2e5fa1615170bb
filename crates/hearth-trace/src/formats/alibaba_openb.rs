//! Alibaba GPU-sharing cluster trace "openb" (alibaba/clusterdata
//! `cluster-trace-gpu-v2023`, USENIX ATC'23 "Beware of Fragmentation").
//!
//! # The format as published
//!
//! CSV files with a header; columns are found by header name.
//!
//! - Pod lists, `openb_pod_list_*.csv` (`default` has 8,152 pods, the others
//!   are samples of it): `name, cpu_milli, memory_mib, num_gpu, gpu_milli,
//!   gpu_spec, qos, pod_phase, creation_time, deletion_time,
//!   scheduled_time`. CPU in thousandths of a core, memory in MiB, times in
//!   seconds from the trace's start; `scheduled_time` is empty for pods that
//!   never got scheduled; `qos` is `LS` (latency sensitive), `Burstable`,
//!   `Guaranteed` or `BE` (best effort).
//! - Node lists, `openb_node_list_*.csv` (`all_node` has 1,523 nodes): `sn,
//!   cpu_milli, memory_mib, gpu, model`. These describe a fleet, not a
//!   workload: [`read_nodes`] reads them; [`read`] refuses them.
//!
//! # How it maps to the workload
//!
//! - One VM per pod, for every pod list given (samples of `default` read
//!   together with it are read as more pods).
//! - Arrival = the step of `creation_time`; departure = the first step after
//!   `deletion_time` (at least one step after arrival). Steps are
//!   [`ImportOptions::step_seconds`] long. Deletion before creation is a
//!   field error.
//! - Request = `cpu_milli` / 1000 cores and `memory_mib` / 1024 GiB.
//! - Priority: `BE` pods are spot; `LS`, `Burstable` and `Guaranteed` pods
//!   are on-demand. Any other class is a field error.
//! - Usage: openb records none, so a pod uses its request at every step. The
//!   composer replaces this with usage series from a usage trace.
//! - Pods never scheduled are kept (they are demand the cluster did not
//!   serve) and counted; GPU pods are kept and counted (GPUs are not
//!   modelled, only their CPU and memory).
//! - Observation window: the trace lists the pods *deleted* from a certain
//!   time on, so it only sees pods that were still alive then. The few pods
//!   created long before (33 in `default`, some months earlier) were already
//!   running when observation began, and the pods created and deleted before
//!   then are simply missing. So [`Workload::observed_from`] is the step of
//!   the earliest `deletion_time`, not of the earliest creation: arrivals
//!   before it are not a real arrival rate.

use super::bitbrains::next_record;
use super::rows::find_columns;
use super::{end_step_of, step_of, ImportOptions, Imported};
use crate::error::{Result, TraceError};
use crate::source::{get, line_of, parse_amount, ReadReport, Source};
use crate::units::{Resources, Step, VmId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use csv::StringRecord;

const POD_COLUMNS: [&str; 8] = [
    "cpu_milli",
    "memory_mib",
    "num_gpu",
    "gpu_milli",
    "qos",
    "creation_time",
    "deletion_time",
    "scheduled_time",
];
const NODE_COLUMNS: [&str; 2] = ["cpu_milli", "memory_mib"];
const EXPECTED_NAMES: &str = "pod lists named like `openb_pod_list_default.csv` (containing `pod_list`)";
/// Most VM-steps one import may hold: every step costs 8 bytes of usage,
/// so this bounds memory to 2 GiB; corrupt times could ask for far more.
const MAX_VM_STEPS: u64 = 1 << 28;

pub fn read(sources: Vec<Source>, opts: &ImportOptions) -> Result<Imported> {
    if opts.step_seconds == 0 {
        return Err(TraceError::Invalid("step length must be at least 1 second".into()));
    }
    let mut report = ReadReport::default();
    let mut pods = Pods::default();
    for source in sources {
        check_role(&source)?;
        report.files += 1;
        read_pods(source, opts, &mut report, &mut pods)?;
    }
    let step = provenance(&pods, opts.step_seconds);
    let observed_from = pods.min_deletion.map(|d| step_of(d, opts.step_seconds));
    let mut workload = Workload::new(opts.step_seconds, pods.vms, Provenance { steps: vec![step] })?;
    if let Some(from) = observed_from {
        workload.observed_from = Step(from);
    }
    Ok(Imported { workload, report })
}

fn check_role(source: &Source) -> Result<()> {
    let base = source.base_name();
    if base.contains("node_list") {
        let reason =
            "a node list describes a fleet, not a workload: give it to the simulator with --nodes, not to import";
        return Err(TraceError::file(source.name(), reason));
    }
    if !base.contains("pod_list") {
        return Err(TraceError::file(
            source.name(),
            format!("not an openb file name: expected {EXPECTED_NAMES}"),
        ));
    }
    Ok(())
}

/// The pods read so far and the counts provenance reports.
#[derive(Default)]
struct Pods {
    vms: Vec<Vm>,
    vm_steps: u64,
    min_deletion: Option<f64>,
    unscheduled: u64,
    gpu: u64,
    spot: u64,
}

fn provenance(pods: &Pods, step_seconds: u32) -> ProvenanceStep {
    let observed_from = pods.min_deletion.map(|d| step_of(d, step_seconds)).unwrap_or(0);
    let early = pods.vms.iter().filter(|vm| vm.arrival.0 < observed_from).count();
    ProvenanceStep::new("import")
        .with("format", "alibaba-openb")
        .with("step_seconds", step_seconds)
        .with("vms", pods.vms.len())
        .with("request", "cpu_milli / 1000 cores, memory_mib / 1024 GiB")
        .with(
            "lifetime",
            "creation_time to deletion_time (seconds), at least one step",
        )
        .with("priority", "qos BE -> spot; LS, Burstable, Guaranteed -> on-demand")
        .with("spot_vms", pods.spot)
        .with(
            "usage",
            "openb records no usage: each pod uses its request at every step (replace it with the composer)",
        )
        .with("unscheduled_pods_kept", pods.unscheduled)
        .with("gpu_pods_kept", pods.gpu)
        .with("gpus", "not modelled: GPU pods count with their CPU and memory only")
        .with("observed_from_step", observed_from)
        .with(
            "observed_from",
            "step of the earliest deletion_time: the trace lists only pods alive from then on",
        )
        .with("pods_created_before_observation", early)
}

fn read_pods(source: Source, opts: &ImportOptions, report: &mut ReadReport, pods: &mut Pods) -> Result<()> {
    let (name, mut reader) = source.csv(b',', true);
    let columns = find_columns(&mut reader, &name, POD_COLUMNS, b',', "an openb pod list")?;
    let mut record = StringRecord::new();
    let rows_before = report.rows;
    while let Some(row) = next_record(&mut reader, &mut record, &name)? {
        report.rows += 1;
        let line = line_of(&record);
        let pod = row.and_then(|()| parse_pod(&record, &columns, &name, line, opts.step_seconds));
        match pod {
            Ok(pod) => pods.add(pod, &name, line)?,
            Err(err) => report.bad_row(opts.on_bad_row, err)?,
        }
    }
    if report.rows == rows_before {
        return Err(TraceError::file(
            &name,
            "no pods after the header: expected one row per pod",
        ));
    }
    Ok(())
}

/// One pod row, before its usage series is made.
struct Pod {
    arrival: u32,
    departure: u32,
    request: Resources,
    priority: Priority,
    deletion: f64,
    unscheduled: bool,
    gpu: bool,
}

fn parse_pod(record: &StringRecord, columns: &[usize; 8], name: &str, line: u64, step_seconds: u32) -> Result<Pod> {
    let text = |i: usize| get(record, columns[i], name, line, POD_COLUMNS[i]);
    let amount = |i: usize| parse_amount(text(i)?, name, line, POD_COLUMNS[i]);
    let (cpu_milli, memory_mib) = (amount(0)?, amount(1)?);
    let gpu = amount(2)? > 0.0 || amount(3)? > 0.0;
    let priority = parse_qos(text(4)?, name, line)?;
    let (creation, deletion) = (amount(5)?, amount(6)?);
    let unscheduled = text(7)?.is_empty();
    if !unscheduled {
        amount(7)?;
    }
    if deletion < creation {
        let reason = format!("{deletion} is before creation_time {creation}");
        return Err(TraceError::field(name, line, "deletion_time", reason));
    }
    let arrival = step_of(creation, step_seconds);
    let departure = end_step_of(deletion, step_seconds).max(arrival.saturating_add(1));
    if u64::from(departure - arrival) > MAX_VM_STEPS {
        let reason = format!("the pod would live {} steps of {step_seconds} s, more than {MAX_VM_STEPS}: a corrupt time or too short a step", departure - arrival);
        return Err(TraceError::field(name, line, "deletion_time", reason));
    }
    let request = Resources::new(
        f32_of(cpu_milli / 1000.0, name, line, "cpu_milli")?,
        f32_of(memory_mib / 1024.0, name, line, "memory_mib")?,
    );
    Ok(Pod {
        arrival,
        departure,
        request,
        priority,
        deletion,
        unscheduled,
        gpu,
    })
}

fn parse_qos(raw: &str, name: &str, line: u64) -> Result<Priority> {
    let is = |class: &str| raw.eq_ignore_ascii_case(class);
    if is("BE") {
        Ok(Priority::Spot)
    } else if is("LS") || is("Burstable") || is("Guaranteed") {
        Ok(Priority::OnDemand)
    } else {
        let reason = format!("unknown QoS class {raw:?}; expected BE (spot), LS, Burstable or Guaranteed (on-demand)");
        Err(TraceError::field(name, line, "qos", reason))
    }
}

fn f32_of(x: f64, name: &str, line: u64, field: &str) -> Result<f32> {
    let y = x as f32;
    if !y.is_finite() {
        return Err(TraceError::field(name, line, field, format!("{x} is too large")));
    }
    Ok(y)
}

impl Pods {
    fn add(&mut self, pod: Pod, name: &str, line: u64) -> Result<()> {
        let lifetime = pod.departure - pod.arrival;
        self.vm_steps = self.vm_steps.saturating_add(u64::from(lifetime));
        if self.vm_steps > MAX_VM_STEPS {
            let reason =
                format!("the pods up to here live more than {MAX_VM_STEPS} steps in all: choose a longer step");
            return Err(TraceError::row(name, line, reason));
        }
        self.min_deletion = Some(self.min_deletion.map_or(pod.deletion, |d| d.min(pod.deletion)));
        self.unscheduled += u64::from(pod.unscheduled);
        self.gpu += u64::from(pod.gpu);
        self.spot += u64::from(pod.priority == Priority::Spot);
        let n = lifetime as usize;
        self.vms.push(Vm {
            tenant: None,
            vm_type: None,
            id: VmId(0),
            arrival: Step(pod.arrival),
            departure: Step(pod.departure),
            request: pod.request,
            priority: pod.priority,
            usage: Usage {
                cpu: vec![pod.request.cpu.0; n],
                memory: vec![pod.request.memory.0; n],
            },
        });
        Ok(())
    }
}

/// Reads an openb node list (`sn,cpu_milli,memory_mib,gpu,model`) into node
/// capacities in cores and GiB (GPUs are not modelled). Always strict, whatever
/// [`ImportOptions::on_bad_row`] says: a fleet silently missing a node would
/// change every result computed on it.
pub fn read_nodes(source: Source, _opts: &ImportOptions) -> Result<Vec<Resources>> {
    let (name, mut reader) = source.csv(b',', true);
    let columns = find_columns(&mut reader, &name, NODE_COLUMNS, b',', "an openb node list")?;
    let mut record = StringRecord::new();
    let mut nodes = Vec::new();
    while let Some(row) = next_record(&mut reader, &mut record, &name)? {
        row?;
        let line = line_of(&record);
        let amount = |i: usize| {
            parse_amount(
                get(&record, columns[i], &name, line, NODE_COLUMNS[i])?,
                &name,
                line,
                NODE_COLUMNS[i],
            )
        };
        let cores = f32_of(amount(0)? / 1000.0, &name, line, NODE_COLUMNS[0])?;
        let memory = f32_of(amount(1)? / 1024.0, &name, line, NODE_COLUMNS[1])?;
        nodes.push(Resources::new(cores, memory));
    }
    if nodes.is_empty() {
        return Err(TraceError::file(
            &name,
            "no nodes after the header: expected one row per node",
        ));
    }
    Ok(nodes)
}
