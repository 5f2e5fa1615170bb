//! Load per step of one fleet: the busiest server's CPU utilisation against
//! the mean of the active servers', step by step. This is what peak-to-average
//! (FirePlace's objective) averages, shown over time for `hearth report`.

use crate::fleet::FleetOptions;
use crate::policies::{decider, PolicyContext};
use anyhow::{Context, Result};
use hearth_sim::{Admission, FleetSpec, FleetView, RunMetrics};
use hearth_trace::Workload;
use serde::Serialize;

/// Per-step CPU utilisation (load / capacity, 1.0 = full) of one run.
#[derive(Serialize)]
pub struct StepLoad {
    pub policy: String,
    pub admission: String,
    pub servers: usize,
    pub seed: u64,
    pub step_seconds: u32,
    /// Highest utilisation of an active server at each step (0 when none is active).
    pub peak_cpu_utilisation: Vec<f32>,
    /// Mean utilisation of the active servers at each step (0 when none is active).
    pub mean_cpu_utilisation: Vec<f32>,
}

pub struct Run<'a> {
    pub policy: &'a str,
    pub admission: Admission,
    pub servers: usize,
    pub seed: u64,
}

/// Runs the policy once on `run.servers` servers and records each step's
/// peak and mean utilisation, measured at the end of the step; with the run's metrics.
pub fn step_load(
    fleet: &FleetOptions,
    w: &Workload,
    spec: &FleetSpec,
    run: &Run,
    ctx: &PolicyContext,
) -> Result<(RunMetrics, StepLoad)> {
    let mut d = decider(run.policy, ctx)?;
    let config = fleet.config(run.admission, run.seed)?;
    let (mut peak, mut mean) = (Vec::new(), Vec::new());
    let mut observe = |v: &FleetView| {
        let (mut top, mut sum, mut active) = (0.0f32, 0.0f32, 0usize);
        for s in v.ids().filter(|&s| v.vm_count(s) > 0) {
            let u = v.measured(s).cpu.0 / v.capacity(s).cpu.0.max(f32::MIN_POSITIVE);
            top = top.max(u);
            sum += u;
            active += 1;
        }
        peak.push(top);
        mean.push(if active == 0 { 0.0 } else { sum / active as f32 });
    };
    let metrics = hearth_sim::run_observed(w, &spec.build(run.servers), &config, &mut d, &mut observe)
        .with_context(|| format!("simulating {} on {} servers", run.policy, run.servers))?;
    let load = StepLoad {
        policy: run.policy.to_string(),
        admission: run.admission.name().to_string(),
        servers: run.servers,
        seed: run.seed,
        step_seconds: w.step_seconds,
        peak_cpu_utilisation: peak,
        mean_cpu_utilisation: mean,
    };
    Ok((metrics, load))
}
