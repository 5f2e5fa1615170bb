//! `hearth simulate`: one policy on one fleet size, with everything the run
//! did written out for other tools: per-step load, placements, evictions.

use crate::fleet_args::FleetArgs;
use crate::output::{write_csv, write_json};
use crate::policies::{decider, PolicyContext};
use crate::samples::{DefaultWorkload, SampleArrivals, SampleUsage};
use crate::step_load::{step_load, Run, StepLoad};
use crate::workload_file::WorkloadFileArgs;
use anyhow::{bail, Result};
use clap::Args;
use hearth_sim::RunMetrics;
use hearth_trace::Workload;
use serde_json::json;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Placement policy (any name `hearth compare --policies` takes).
    #[arg(long)]
    pub policy: String,
    /// Servers in the fleet (`hearth compare` finds the servers needed).
    #[arg(long)]
    pub servers: usize,
    /// Workload file; default: the workload `hearth compare` uses.
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    /// Arrival trace of the default workload (see `hearth compare --help`).
    #[arg(long, value_enum, default_value_t = SampleArrivals::Azure)]
    pub sample: SampleArrivals,
    /// Usage trace of the default workload.
    #[arg(long, value_enum, default_value_t = SampleUsage::Bitbrains)]
    pub sample_usage: SampleUsage,
    /// Seed of the run (and of the default workload's composition).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Model file for learned policies.
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub forecast: crate::policies_nn::ForecastRefreshArgs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Write the run's metrics as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the load summed over all servers at each step as CSV
    /// (`step,cpu_cores,memory_gib`).
    #[arg(long)]
    pub step_loads: Option<PathBuf>,
    /// Write each VM's server as CSV (`vm,server`; empty server: rejected).
    #[arg(long)]
    pub placements: Option<PathBuf>,
    /// Write every eviction of a spot VM as CSV (`step,vm,server,cpu_cores,memory_gib`).
    #[arg(long)]
    pub evictions: Option<PathBuf>,
}

/// One run: its metrics (with the summed load per step) and each step's
/// peak and mean server utilisation.
pub struct Simulated {
    pub metrics: RunMetrics,
    pub load: StepLoad,
    pub source: String,
}

pub fn run(args: SimulateArgs) -> Result<()> {
    let Simulated {
        metrics: m,
        load,
        source,
    } = compute(&args)?;
    println!(
        "{}: {} servers ({} used), overload rate {:.3}%, VM overload rate {:.3}%, {} rejections, {} evictions",
        m.policy,
        m.servers,
        m.servers_used,
        m.overload_rate * 100.0,
        m.vm_overload_rate * 100.0,
        m.rejections,
        m.evictions
    );
    write_outputs(&args, &source, &load.admission, &m)
}

/// Runs the policy on the fleet (no printing but the workload on stderr).
pub fn compute(args: &SimulateArgs) -> Result<Simulated> {
    if args.servers == 0 {
        bail!("--servers must be at least 1");
    }
    let admissions = args.fleet.admissions()?;
    let [admission] = admissions[..] else {
        bail!("--admission both: simulate runs one admission mode; choose usage, usage-lagged or requests");
    };
    let mut ctx = PolicyContext::new(args.model.as_deref(), args.fleet.overload_threshold)?;
    ctx.nn.set_forecast_refresh(args.forecast.forecast_refresh_steps);
    decider(&args.policy, &ctx)?; // a bad name fails before the workload is built
    let (workload, source) = load_workload(args)?;
    eprintln!("workload: {source}");
    let run = Run {
        policy: &args.policy,
        admission,
        servers: args.servers,
        seed: args.seed,
    };
    let (metrics, load) = step_load(&args.fleet, &workload, &args.fleet.spec()?, &run, &ctx)?;
    Ok(Simulated { metrics, load, source })
}

fn load_workload(args: &SimulateArgs) -> Result<(Workload, String)> {
    match &args.workload {
        Some(path) => Ok((args.workload_file.read(path)?, path.display().to_string())),
        None => {
            let d = DefaultWorkload::of(args.sample, args.sample_usage, args.seed);
            Ok((d.build()?, d.describe()))
        }
    }
}

fn write_outputs(args: &SimulateArgs, source: &str, admission: &str, m: &RunMetrics) -> Result<()> {
    if let Some(path) = &args.json {
        let doc = json!({"workload": source, "admission": admission, "seed": args.seed,
            "forecast_refresh_steps": args.forecast.forecast_refresh_steps, "metrics": m});
        write_json(path, &doc)?;
    }
    if let Some(path) = &args.step_loads {
        let rows = (m.step_load.iter().enumerate())
            .map(|(t, r)| vec![t.to_string(), r.cpu.0.to_string(), r.memory.0.to_string()])
            .collect::<Vec<_>>();
        write_csv(path, &["step", "cpu_cores", "memory_gib"], &rows)?;
    }
    if let Some(path) = &args.placements {
        let rows = (m.assignment.iter().enumerate())
            .map(|(vm, s)| vec![vm.to_string(), s.map_or(String::new(), |s| s.0.to_string())])
            .collect::<Vec<_>>();
        write_csv(path, &["vm", "server"], &rows)?;
    }
    if let Some(path) = &args.evictions {
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
