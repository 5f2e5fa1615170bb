//! `hearth simulate`: one policy on one fleet size ([`hearth::simulate`]),
//! with everything the run did written out for other tools.

use crate::fleet_args::FleetArgs;
use crate::progress::Bars;
use crate::workload_file::WorkloadFileArgs;
use anyhow::Result;
use clap::Args;
use hearth::samples::{DefaultWorkload, SampleArrivals, SampleUsage};
use hearth::simulate::{self, SimulateOptions, SimulateOutputs};
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
    pub forecast: crate::forecast_args::ForecastRefreshArgs,
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

pub fn run(args: SimulateArgs) -> Result<()> {
    let s = simulate::compute(&args.options(), &Bars::default())?;
    let m = &s.metrics;
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
    s.write(&SimulateOutputs {
        json: args.json.as_deref(),
        step_loads: args.step_loads.as_deref(),
        placements: args.placements.as_deref(),
        evictions: args.evictions.as_deref(),
    })
}

impl SimulateArgs {
    /// The library's options for these flags.
    pub fn options(&self) -> SimulateOptions {
        let d = DefaultWorkload::of(self.sample, self.sample_usage, self.seed);
        SimulateOptions {
            policy: self.policy.clone(),
            servers: self.servers,
            workload: self.workload_file.input(self.workload.as_ref(), d),
            seed: self.seed,
            model: self.model.clone(),
            forecast_refresh_steps: self.forecast.forecast_refresh_steps,
            fleet: self.fleet.options(),
        }
    }
}
