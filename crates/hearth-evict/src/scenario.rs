//! The multi-cluster spot scenario: N clusters of real (openb) node shapes,
//! each fed its own time-scaled replay of the openb pod trace, with demand set
//! per cluster so that low-, medium- and high-utilisation clusters all occur.
//!
//! Why each choice:
//! - `requests` admission with oversubscription 1.0: IaaS clouds reserve
//!   cores and memory, so a spot VM holds capacity until it leaves or is
//!   evicted, and evictions follow from allocation, not usage. Usage is the
//!   request (the composed usage trace is a constant 100%), since admission
//!   never looks at it.
//! - Demand: each cluster gets a target *offered* demand ratio (mean core
//!   demand of the arrivals, as if nothing were rejected, over the cluster's
//!   cores), spread evenly over `demand_range` and shuffled, so every
//!   utilisation bucket occurs. The VM count that meets it is calibrated on a
//!   pilot composition of the same cluster.
//! - Diurnal modulation: the openb window (34 days) squeezed onto two weeks has
//!   no daily rhythm of its own, so on-demand arrivals are thinned with a daily
//!   sinusoid (peak-to-trough `(1+a)/(1-a)`, phase per cluster); on-demand peaks
//!   then press on spot capacity at predictable times, as in a real region.
//!   Spot arrivals are not modulated.
//! - Warm-up: the fleet starts empty; the first `warmup_days` are simulated and
//!   dropped, so the first snapshot sees a loaded cluster.
//! - Each cluster is simulated on its own (memory stays that of one cluster).

use crate::error::{EvictError, Result};
use crate::snapshot::{ClusterSnapshots, Recorder};
use hearth_sim::{Admission, Decider, Fleet, SimConfig};
use hearth_trace::{compose, ComposeOptions, Priority, Resources, SizeSource, Step, Usage, Vm, VmId, Workload};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use crate::scenario_config::{ScenarioConfig, HOUR_SECONDS};

/// One cluster's shape and demand, drawn before it is simulated.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterPlan {
    pub index: usize,
    #[serde(skip)]
    pub nodes: Vec<Resources>,
    pub cores: f64,
    /// Target offered mean core demand / cluster cores.
    pub demand_ratio: f64,
    /// Hour of day (0..24) of the on-demand peak (0 for zone clusters, which are not modulated).
    pub peak_hour: f64,
    pub seed: u64,
}

/// Draws every cluster's nodes (uniformly from the node list) and demand.
pub fn plan(config: &ScenarioConfig, node_list: &[Resources]) -> Result<Vec<ClusterPlan>> {
    config.validate()?;
    if node_list.is_empty() {
        return Err(EvictError::Config("the node list is empty".into()));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x5e07_c1a5);
    let (lo, hi) = config.demand_range;
    let n = config.clusters;
    let mut ratios: Vec<f64> = (0..n)
        .map(|i| lo + (hi - lo) * (i as f64 + rng.random_range(0.0..1.0)) / n as f64)
        .collect();
    ratios.shuffle(&mut rng);
    let plans = ratios
        .into_iter()
        .enumerate()
        .map(|(index, demand_ratio)| {
            let nodes: Vec<Resources> = (0..config.nodes_per_cluster)
                .map(|_| node_list[rng.random_range(0..node_list.len())])
                .collect();
            ClusterPlan {
                index,
                cores: nodes.iter().map(|r| r.cpu.0 as f64).sum(),
                nodes,
                demand_ratio,
                peak_hour: rng.random_range(0.0..24.0),
                seed: rng.random(),
            }
        })
        .collect();
    Ok(plans)
}

/// A usage trace of one VM using 100% of its request, at the scenario's step:
/// the composer then gives every VM usage = request.
fn constant_usage(step_seconds: u32) -> Result<Workload> {
    let vm = Vm {
        tenant: None,
        vm_type: None,
        id: VmId(0),
        arrival: Step(0),
        departure: Step(1),
        request: Resources::new(1.0, 1.0),
        priority: Priority::OnDemand,
        usage: Usage {
            cpu: vec![1.0],
            memory: vec![1.0],
        },
    };
    Ok(Workload::new(step_seconds, vec![vm], Default::default())?)
}

/// Composes `vms` arrivals for the cluster, then applies the spot mix and the
/// daily thinning of on-demand arrivals.
fn compose_cluster(config: &ScenarioConfig, plan: &ClusterPlan, arrivals: &Workload, vms: usize) -> Result<Workload> {
    let usage = constant_usage(config.step_seconds)?;
    let opts = ComposeOptions {
        vms: Some(vms.max(1)),
        days: Some(config.days + config.warmup_days),
        sizes: SizeSource::Arrivals,
        max_vm_cores: None,
        max_vm_memory_gib: None,
        seed: plan.seed,
        ..Default::default()
    };
    let mut w = compose(arrivals, &usage, &opts)?;
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed ^ 0xd1u64);
    let step_hours = config.step_seconds as f64 / HOUR_SECONDS as f64;
    let a = config.diurnal_amplitude;
    let mut kept = Vec::with_capacity(w.vms.len());
    for mut vm in std::mem::take(&mut w.vms) {
        if let Some(f) = config.spot_fraction {
            vm.priority = if rng.random_bool(f) {
                Priority::Spot
            } else {
                Priority::OnDemand
            };
        }
        if vm.priority == Priority::OnDemand && a > 0.0 && !rng.random_bool(keep_on_demand(&vm, plan, a, step_hours)) {
            continue;
        }
        kept.push(vm);
    }
    let provenance = w.provenance.clone();
    let mut out = Workload::new(w.step_seconds, kept, provenance)?;
    out.observed_from = Step(0);
    Ok(out)
}

/// The chance that the daily thinning keeps an on-demand VM: by the hour it
/// arrives, on a sinusoid peaking at the plan's hour. VMs of step 0 are
/// already running when the replay begins (wrapped lives and the trace's own
/// initial VMs, see `hearth_trace::compose`): they did not arrive at hour 0,
/// so they are kept at the daily mean, 1 / (1 + a). Thinning them at hour 0's
/// rate made the first days' demand depend on the cluster's peak hour.
fn keep_on_demand(vm: &Vm, plan: &ClusterPlan, a: f64, step_hours: f64) -> f64 {
    if vm.arrival == Step(0) {
        return 1.0 / (1.0 + a);
    }
    let hour = vm.arrival.0 as f64 * step_hours;
    let phase = 2.0 * std::f64::consts::PI * (hour - plan.peak_hour) / 24.0;
    (1.0 + a * phase.cos()) / (1.0 + a)
}

/// Mean core demand over the span (cores), counting every VM as admitted.
fn offered_cores(w: &Workload, span_steps: u32) -> f64 {
    let core_steps: f64 = w
        .vms
        .iter()
        .map(|vm| vm.request.cpu.0 as f64 * vm.lifetime() as f64)
        .sum();
    core_steps / span_steps.max(1) as f64
}

/// The cluster's workload, its VM count calibrated so that the offered
/// demand meets the plan's ratio: first on a pilot composition of one copy of
/// the trace, then corrected once on the composition itself (one copy's
/// demand is a noisy estimate: a few long-lived pods dominate it).
pub fn cluster_workload(config: &ScenarioConfig, plan: &ClusterPlan, arrivals: &Workload) -> Result<Workload> {
    let span_steps = ((config.days + config.warmup_days) * 86_400.0 / config.step_seconds as f64).ceil() as u32;
    let target = plan.demand_ratio * plan.cores;
    let mut vms = arrivals.vms.len().max(1);
    let mut w = compose_cluster(config, plan, arrivals, vms)?;
    for _ in 0..2 {
        let offered = offered_cores(&w, span_steps);
        if offered <= 0.0 {
            return Err(EvictError::Config("the arrival trace offers no core demand".into()));
        }
        vms = (vms as f64 * target / offered).round().max(1.0) as usize;
        w = compose_cluster(config, plan, arrivals, vms)?;
    }
    Ok(w)
}

/// What one cluster's run produced.
pub struct ClusterRun {
    pub plan: ClusterPlan,
    pub snapshots: ClusterSnapshots,
    pub summary: ClusterSummary,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClusterSummary {
    pub cluster: usize,
    pub nodes: usize,
    pub cores: f64,
    pub demand_ratio: f64,
    /// Mean over observed hours of allocated cores / cluster cores.
    pub mean_allocation: f64,
    pub vms: usize,
    pub spot_vms: usize,
    pub evictions: u64,
    pub rejections: u64,
    pub rejected_spot: u64,
    pub seconds: f64,
}

/// Composes and simulates one cluster and records its hourly snapshots.
pub fn simulate_cluster(
    config: &ScenarioConfig,
    plan: &ClusterPlan,
    arrivals: &Workload,
    decider: &mut Decider,
) -> Result<ClusterRun> {
    let workload = cluster_workload(config, plan, arrivals)?;
    run_cluster(config, plan, &workload, config.hours(), decider)
}

/// A cluster's simulation settings: `requests` admission without
/// oversubscription (see the module docs), the plan's seed.
pub(crate) fn sim_config(plan: &ClusterPlan) -> SimConfig {
    SimConfig {
        admission: Admission::Requests {
            cpu_oversub: 1.0,
            memory_oversub: 1.0,
        },
        overload_threshold: 1.0,
        seed: plan.seed,
    }
}

/// Simulates one cluster's workload on its nodes and records `hours`
/// snapshot hours after the warm-up.
pub(crate) fn run_cluster(
    config: &ScenarioConfig,
    plan: &ClusterPlan,
    workload: &Workload,
    hours: usize,
    decider: &mut Decider,
) -> Result<ClusterRun> {
    let started = std::time::Instant::now();
    let fleet = Fleet {
        capacities: plan.nodes.clone(),
    };
    let sim = sim_config(plan);
    let total_hours = config.warmup_hours() + hours;
    let mut recorder = Recorder::new(workload, &plan.nodes, config.steps_per_hour(), total_hours);
    let metrics = hearth_sim::run_observed(workload, &fleet, &sim, decider, &mut |view| recorder.observe(view))?;
    let snapshots = recorder.finish(plan.index, &metrics.eviction_log, config.warmup_hours());
    let summary = ClusterSummary {
        cluster: plan.index,
        nodes: plan.nodes.len(),
        cores: plan.cores,
        demand_ratio: plan.demand_ratio,
        mean_allocation: snapshots.mean_allocation(0..snapshots.hours),
        vms: workload.vms.len(),
        spot_vms: workload.vms.iter().filter(|v| v.priority == Priority::Spot).count(),
        evictions: metrics.evictions,
        rejections: metrics.rejections,
        rejected_spot: metrics.rejected_spot,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok(ClusterRun {
        plan: plan.clone(),
        snapshots,
        summary,
    })
}

/// Simulates every cluster, `threads` at a time (each thread builds its own
/// decider with `make_decider`); `on_done` is called after each cluster.
/// Results are in cluster order whatever the threads' timing.
pub fn simulate(
    config: &ScenarioConfig,
    arrivals: &Workload,
    node_list: &[Resources],
    make_decider: &(dyn Fn() -> Decider + Sync),
    threads: usize,
    on_done: &(dyn Fn(&ClusterSummary) + Sync),
) -> Result<Vec<ClusterRun>> {
    let plans = plan(config, node_list)?;
    let run = |i: usize, decider: &mut Decider| simulate_cluster(config, &plans[i], arrivals, decider);
    run_parallel(plans.len(), make_decider, threads, on_done, &run)
}

/// Runs clusters `0..n`, `threads` at a time (each thread builds its own
/// decider); results in cluster order; the first failure stops the rest.
pub(crate) fn run_parallel(
    n: usize,
    make_decider: &(dyn Fn() -> Decider + Sync),
    threads: usize,
    on_done: &(dyn Fn(&ClusterSummary) + Sync),
    run: &(dyn Fn(usize, &mut Decider) -> Result<ClusterRun> + Sync),
) -> Result<Vec<ClusterRun>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<ClusterRun>>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, n.max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let mut decider = make_decider();
                let result = run(i, &mut decider);
                if let Ok(r) = &result {
                    on_done(&r.summary);
                }
                let failed = result.is_err();
                results.lock().expect("no thread panicked holding the lock")[i] = Some(result);
                if failed {
                    next.store(n, Ordering::Relaxed);
                }
            });
        }
    });
    let results = results.into_inner().expect("no thread panicked holding the lock");
    results
        .into_iter()
        .flatten()
        .collect::<Result<Vec<_>>>()
        .and_then(|runs| {
            if runs.len() == n {
                Ok(runs)
            } else {
                Err(EvictError::Config("a cluster was not simulated".into()))
            }
        })
}
