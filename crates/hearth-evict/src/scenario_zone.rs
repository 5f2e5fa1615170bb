//! Clusters from a real zone's demand: each Azure packing 2020 sample file
//! (CoSpot's 1% samples of one Azure zone over 14 days) is replayed in real
//! time as one cluster, instead of time-scaled openb pods with a diurnal
//! modulation added by hand.
//!
//! - **Priorities** come from the trace: priority-1 (low-priority,
//!   evictable) VMs are spot, the rest on-demand (hearth-trace's reader).
//! - **Nodes** are the trace's machine types (CoSpot's
//!   `server_vm_cores_ram.json`), taken in turn by id (1, 2, 4, 10, 12, 16,
//!   1, 2, …), so every type is equally represented.
//! - **Sizing rule**: the cluster gets the fewest nodes whose cores are at
//!   least `headroom` × the peak on-demand cores requested, and whose memory
//!   is at least `headroom` × the peak on-demand memory, the peaks taken over
//!   the steps after the warm-up as if every VM were admitted. With headroom
//!   near 1, on-demand demand at its peak nears capacity: spot VMs are evicted
//!   around the peaks and live undisturbed in the troughs.
//! - **Time**: the trace's 14 days; the first `warmup_days` (the fleet starts
//!   empty and VMs that began before the trace all arrive at step 0) are
//!   simulated and dropped, the rest is snapshotted.
//! - Admission, placement and snapshots are as in [`crate::scenario`].

use crate::error::{Context, EvictError, Result};
use crate::scenario::{run_parallel, ClusterPlan, ClusterRun, ClusterSummary, ScenarioConfig};
use hearth_sim::Decider;
use hearth_trace::formats::azure_packing_2020::WINDOW_DAYS;
use hearth_trace::{ImportOptions, Priority, Resources, Source, Workload};
use std::path::PathBuf;

/// One zone sample file's VMs, read at the scenario's step.
pub struct ZoneDemand {
    pub name: String,
    pub workload: Workload,
}

/// Each Azure packing sample file as one zone's demand, read at the
/// scenario's step, named `folder/stem` after the file.
pub fn read_zones(paths: &[PathBuf], step_seconds: u32) -> Result<Vec<ZoneDemand>> {
    let opts = ImportOptions {
        step_seconds,
        ..ImportOptions::default()
    };
    paths
        .iter()
        .map(|p| {
            let source = Source::open(p).context_with(|| format!("opening {}", p.display()))?;
            let workload = hearth_trace::import(hearth_trace::Format::AzurePacking2020, vec![source], &opts)
                .context_with(|| format!("reading the Azure packing sample {}", p.display()))?
                .workload;
            let parent = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|d| d.to_string_lossy() + "/");
            let stem = p
                .file_stem()
                .map_or_else(|| p.display().to_string(), |s| s.to_string_lossy().into_owned());
            Ok(ZoneDemand {
                name: format!("{}{stem}", parent.unwrap_or_default()),
                workload,
            })
        })
        .collect()
}

/// Peak on-demand (cores, GiB) requested over steps `from..`, every VM admitted.
pub fn peak_on_demand(w: &Workload, from: u32) -> (f64, f64) {
    let mut events: Vec<(u32, f64, f64)> = Vec::new();
    for vm in w.vms.iter().filter(|v| v.priority == Priority::OnDemand) {
        let (c, m) = (vm.request.cpu.0 as f64, vm.request.memory.0 as f64);
        events.push((vm.arrival.0, c, m));
        events.push((vm.departure.0, -c, -m));
    }
    // Departures before arrivals at one step: a VM leaving frees room first.
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let (mut cores, mut mem, mut peak) = (0.0f64, 0.0f64, (0.0f64, 0.0f64));
    for (step, c, m) in events {
        cores += c;
        mem += m;
        if step >= from {
            peak = (peak.0.max(cores), peak.1.max(mem));
        }
    }
    peak
}

/// The sizing rule: machine types in turn until cores and memory reach
/// `headroom` × the on-demand peaks.
pub fn size_nodes(types: &[Resources], peak: (f64, f64), headroom: f64) -> Result<Vec<Resources>> {
    if types.is_empty() {
        return Err(EvictError::Config("no machine types to build nodes from".into()));
    }
    if !(headroom.is_finite() && headroom > 0.0) {
        return Err(EvictError::Config("--zone-headroom must be positive".into()));
    }
    let (want_cores, want_mem) = (peak.0 * headroom, peak.1 * headroom);
    let mut nodes = Vec::new();
    let (mut cores, mut mem) = (0.0, 0.0);
    while cores < want_cores || mem < want_mem || nodes.is_empty() {
        let t = types[nodes.len() % types.len()];
        cores += t.cpu.0 as f64;
        mem += t.memory.0 as f64;
        nodes.push(t);
    }
    Ok(nodes)
}

/// Hours snapshotted per zone cluster: the trace window after the warm-up.
pub fn zone_hours(config: &ScenarioConfig) -> usize {
    ((WINDOW_DAYS * 24.0) as usize).saturating_sub(config.warmup_hours())
}

/// One cluster plan per zone file: nodes by the sizing rule; the demand
/// ratio is the zone's offered mean core demand over the cluster's cores.
pub fn zone_plans(
    config: &ScenarioConfig,
    zones: &[ZoneDemand],
    machine_types: &[Resources],
    headroom: f64,
) -> Result<Vec<ClusterPlan>> {
    if zone_hours(config) < 52 {
        return Err(EvictError::Config(
            "the warm-up leaves fewer than 52 hours of the 14-day trace".into(),
        ));
    }
    let warmup_steps = (config.warmup_hours() as u64 * config.steps_per_hour() as u64) as u32;
    let mut plans = Vec::with_capacity(zones.len());
    for (index, z) in zones.iter().enumerate() {
        if z.workload.step_seconds != config.step_seconds {
            return Err(EvictError::Config(format!(
                "zone {}: read at {} s steps, the scenario uses {} s",
                z.name, z.workload.step_seconds, config.step_seconds
            )));
        }
        let peak = peak_on_demand(&z.workload, warmup_steps);
        let nodes = size_nodes(machine_types, peak, headroom)?;
        let cores: f64 = nodes.iter().map(|r| r.cpu.0 as f64).sum();
        let span = WINDOW_DAYS * 86_400.0 / config.step_seconds as f64;
        let offered: f64 = z
            .workload
            .vms
            .iter()
            .map(|v| v.request.cpu.0 as f64 * v.lifetime() as f64)
            .sum();
        plans.push(ClusterPlan {
            index,
            nodes,
            cores,
            demand_ratio: offered / span / cores,
            peak_hour: 0.0,
            seed: config.seed.wrapping_add(index as u64),
        });
    }
    Ok(plans)
}

/// Simulates one cluster per zone file, `threads` at a time.
pub fn simulate_zones(
    config: &ScenarioConfig,
    zones: &[ZoneDemand],
    machine_types: &[Resources],
    headroom: f64,
    make_decider: &(dyn Fn() -> Decider + Sync),
    threads: usize,
    on_done: &(dyn Fn(&ClusterSummary) + Sync),
) -> Result<Vec<ClusterRun>> {
    let hours = zone_hours(config);
    let plans = zone_plans(config, zones, machine_types, headroom)?;
    let run = |i: usize, decider: &mut Decider| {
        crate::scenario::run_cluster(config, &plans[i], &zones[i].workload, hours, decider)
    };
    run_parallel(plans.len(), make_decider, threads, on_done, &run)
}
