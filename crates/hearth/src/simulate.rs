//! One policy on one fleet size (`hearth simulate`), with everything the run
//! did, for other tools: its metrics, the busiest and mean server's
//! utilisation per step, the summed load per step, placements and evictions.

use crate::fleet::FleetOptions;
use crate::output::{write_csv, write_json};
use crate::policies::{decider, PolicyContext};
use crate::samples::{DefaultWorkload, SampleUsage};
use crate::step_load::{step_load, Run, StepLoad};
use crate::workload::WorkloadInput;
use anyhow::{bail, Result};
use hearth_sim::Progress;
use hearth_sim::RunMetrics;
use serde_json::json;
use std::path::{Path, PathBuf};

/// One run: the policy, the fleet and its size, the workload and the seed.
#[derive(Clone)]
pub struct SimulateOptions {
    /// Any name `compare` takes.
    pub policy: String,
    /// Servers in the fleet (at least 1).
    pub servers: usize,
    pub workload: WorkloadInput,
    /// Seed of the run.
    pub seed: u64,
    /// Model file of a learned policy.
    pub model: Option<PathBuf>,
    /// Steps forecast-lstm and forecast-tcn reuse a VM's forecast (at least 1).
    pub forecast_refresh_steps: u32,
    /// One admission mode (not `both`).
    pub fleet: FleetOptions,
}

impl SimulateOptions {
    /// `policy` on `servers` servers of the default fleet and workload, seed 0.
    pub fn new(policy: &str, servers: usize) -> Self {
        SimulateOptions {
            policy: policy.to_string(),
            servers,
            workload: WorkloadInput::Samples(DefaultWorkload::new(SampleUsage::Bitbrains, 0)),
            seed: 0,
            model: None,
            forecast_refresh_steps: 1,
            fleet: FleetOptions::default(),
        }
    }
}

/// One run: its metrics (with the summed load per step) and each step's
/// peak and mean server utilisation.
pub struct Simulated {
    pub metrics: RunMetrics,
    pub load: StepLoad,
    /// What the workload was (its file, or what it was composed from).
    pub source: String,
    pub seed: u64,
    pub forecast_refresh_steps: u32,
}

/// Runs the policy on the fleet.
///
/// Errors: no servers, `both` admission modes, an unknown policy or a
/// missing model (before the workload is built), a failed run.
pub fn compute(opts: &SimulateOptions, progress: &dyn Progress) -> Result<Simulated> {
    if opts.servers == 0 {
        bail!("--servers must be at least 1");
    }
    let admissions = opts.fleet.admissions()?;
    let [admission] = admissions[..] else {
        bail!("--admission both: simulate runs one admission mode; choose usage, usage-lagged or requests");
    };
    let ctx = PolicyContext::for_run(
        opts.model.as_slice(),
        opts.fleet.overload_threshold,
        opts.forecast_refresh_steps,
    )?;
    decider(&opts.policy, &ctx)?; // a bad name fails before the workload is built
    let (workload, source) = opts.workload.load()?;
    progress.note(&format!("workload: {source}"));
    let run = Run {
        policy: &opts.policy,
        admission,
        servers: opts.servers,
        seed: opts.seed,
    };
    let (metrics, load) = step_load(&opts.fleet, &workload, &opts.fleet.spec()?, &run, &ctx)?;
    Ok(Simulated {
        metrics,
        load,
        source,
        seed: opts.seed,
        forecast_refresh_steps: opts.forecast_refresh_steps,
    })
}

/// Where [`Simulated::write`] writes; `None` skips an output.
#[derive(Default)]
pub struct SimulateOutputs<'a> {
    /// The run's metrics as JSON.
    pub json: Option<&'a Path>,
    /// The load summed over all servers at each step (`step,cpu_cores,memory_gib`).
    pub step_loads: Option<&'a Path>,
    /// Each VM's server (`vm,server`; empty server: rejected).
    pub placements: Option<&'a Path>,
    /// Every eviction of a spot VM (`step,vm,server,cpu_cores,memory_gib`).
    pub evictions: Option<&'a Path>,
}

impl Simulated {
    /// The JSON document of `simulate --json`.
    pub fn to_json(&self) -> serde_json::Value {
        json!({"workload": self.source, "admission": self.load.admission, "seed": self.seed,
            "forecast_refresh_steps": self.forecast_refresh_steps, "metrics": self.metrics})
    }

    /// Writes the outputs asked for, each atomically.
    pub fn write(&self, out: &SimulateOutputs) -> Result<()> {
        let m = &self.metrics;
        if let Some(path) = out.json {
            write_json(path, &self.to_json())?;
        }
        if let Some(path) = out.step_loads {
            let rows = (m.step_load.iter().enumerate())
                .map(|(t, r)| vec![t.to_string(), r.cpu.0.to_string(), r.memory.0.to_string()])
                .collect::<Vec<_>>();
            write_csv(path, &["step", "cpu_cores", "memory_gib"], &rows)?;
        }
        if let Some(path) = out.placements {
            let rows = (m.assignment.iter().enumerate())
                .map(|(vm, s)| vec![vm.to_string(), s.map_or(String::new(), |s| s.0.to_string())])
                .collect::<Vec<_>>();
            write_csv(path, &["vm", "server"], &rows)?;
        }
        if let Some(path) = out.evictions {
            let rows = (m.eviction_log.iter())
                .map(|e| {
                    let fields = [e.step.0, e.vm.0, e.server.0].map(|v| v.to_string());
                    let mut row = fields.to_vec();
                    row.extend([e.cores.to_string(), e.memory_gib.to_string()]);
                    row
                })
                .collect::<Vec<_>>();
            write_csv(path, &["step", "vm", "server", "cpu_cores", "memory_gib"], &rows)?;
        }
        Ok(())
    }
}
