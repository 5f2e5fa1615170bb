//! `hearth bench sizing`: the fleet-sizing study of issue 13 (every
//! heuristic on an Azure-2019-sized workload), or any workload file, with
//! the wall time, peak memory, simulations per policy and time per
//! simulation. `--no-early-stop` runs the search with every simulation
//! complete, as it was before early stop, for the before-and-after figures.

use crate::fleet_args::FleetArgs;
use crate::memory::peak_rss;
use crate::progress::Bars;
use crate::workload_file::WorkloadFileArgs;
use anyhow::{bail, Context, Result};
use clap::Args;
use hearth::compare::{jobs, size_all};
use hearth::policies::{decider, PolicyContext};
use hearth_sim::SizingOptions;
use hearth_trace::{
    compose, import_paths, ComposeOptions, Format, ImportOptions, Overlay, SizeSource, TimeMode, UsageKey, Workload,
};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct SizingArgs {
    /// Workload file; default: the study composed in memory, openb arrivals (shipped sample)
    /// time-scaled to --vms over --days, usage by tenant from the Bitbrains month at --bitbrains,
    /// VMs ≤ 8 cores and ≤ 32 GiB, composed with --seed.
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    /// Bitbrains directory (one CSV per VM) of the default study.
    #[arg(long, default_value = "../shared/data/bitbrains-rnd/2013-7")]
    pub bitbrains: PathBuf,
    /// VMs of the default study.
    #[arg(long, default_value_t = 2_700_000)]
    pub vms: usize,
    /// Days of the default study.
    #[arg(long, default_value_t = 30.0)]
    pub days: f64,
    /// Policies, comma-separated (default: every heuristic).
    #[arg(long, value_delimiter = ',')]
    pub policies: Option<Vec<String>>,
    #[arg(long, default_value_t = 0.01)]
    pub overload_limit: f64,
    /// Seed of the runs and of the default study's composition.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub max_servers: Option<usize>,
    /// Run every simulation to its end (the search as before early stop; scans still skip
    /// never-used servers): the same answers, for timing.
    #[arg(long)]
    pub no_early_stop: bool,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

pub fn run(a: SizingArgs) -> Result<()> {
    if !(0.0..1.0).contains(&a.overload_limit) {
        bail!("--overload-limit must be within [0, 1), e.g. 0.01 for 1%");
    }
    let started = Instant::now();
    let (w, source) = workload(&a)?;
    let loaded = started.elapsed().as_secs_f64();
    let spec = a.fleet.options().spec()?;
    let policies = a
        .policies
        .clone()
        .unwrap_or_else(|| hearth_place::HEURISTICS.iter().map(|s| s.to_string()).collect());
    let ctx = PolicyContext::new(None, a.fleet.overload_threshold)?;
    for p in &policies {
        decider(p, &ctx)?;
    }
    let opts = SizingOptions {
        overload_limit: a.overload_limit,
        max_servers: a.max_servers,
        early_stop: !a.no_early_stop,
        ..Default::default()
    };
    println!("{source}");
    println!(
        "  VMs {}  VM-steps {}  steps {}  peak alive {}; {}; limit {}%; early stop {}; {} threads",
        w.vms.len(),
        w.vm_steps(),
        w.end().0,
        w.peak_alive().0,
        a.fleet.options().describe(),
        a.overload_limit * 100.0,
        if opts.early_stop { "on" } else { "off" },
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("  workload read or composed in {loaded:.1} s");
    let jobs = jobs(&a.fleet.options().admissions()?, &policies, a.seed, 1);
    let sized = Instant::now();
    let sizings = size_all(&a.fleet.options(), &w, &spec, &jobs, &opts, &ctx, &Bars::default())?;
    let sizing_seconds = sized.elapsed().as_secs_f64();
    print_table(&jobs_names(&jobs), &sizings);
    let runs: usize = sizings.iter().map(|s| s.runs).sum();
    println!(
        "  sizing wall time {sizing_seconds:.1} s for {runs} simulations ({} stopped early); total {:.1} s",
        sizings.iter().map(|s| s.stopped_early).sum::<usize>(),
        started.elapsed().as_secs_f64()
    );
    println!("  peak resident memory {}", peak_rss());
    Ok(())
}

fn jobs_names(jobs: &[hearth::compare::Job]) -> Vec<String> {
    jobs.iter()
        .map(|j| format!("{} ({})", j.policy, j.admission.name()))
        .collect()
}

fn print_table(names: &[String], sizings: &[hearth_sim::Sizing]) {
    let mut t = crate::table::table(vec![
        "policy",
        "servers needed",
        "simulations",
        "stopped early",
        "search s",
        "s per simulation",
    ]);
    for (name, s) in names.iter().zip(sizings) {
        t.add_row(vec![
            name.clone(),
            s.servers_needed.map_or("none".into(), |n| n.to_string()),
            s.runs.to_string(),
            s.stopped_early.to_string(),
            format!("{:.1}", s.seconds),
            format!("{:.2}", s.seconds / s.runs.max(1) as f64),
        ]);
    }
    println!("{t}");
}

/// The workload file, or the study composed in memory as the issue's
/// `hearth trace import` and `trace compose` commands build it.
fn workload(a: &SizingArgs) -> Result<(Workload, String)> {
    if let Some(path) = &a.workload {
        return Ok((a.workload_file.read(path)?, format!("workload {}", path.display())));
    }
    let opts = ImportOptions::default();
    let arrivals = hearth::samples::openb_arrivals(&opts)?;
    let usage = import_paths(Format::Bitbrains, std::slice::from_ref(&a.bitbrains), &opts)
        .with_context(|| {
            format!(
                "reading the Bitbrains month at {} (pass --bitbrains DIR or --workload FILE)",
                a.bitbrains.display()
            )
        })?
        .workload;
    let copts = ComposeOptions {
        time: TimeMode::Scaled,
        vms: Some(a.vms),
        // Pinned: the study's figures (BENCHMARKS.md) predate circular overlays.
        overlay: Overlay::Clipped,
        days: Some(a.days),
        usage_by: UsageKey::Tenant,
        sizes: SizeSource::Usage,
        max_vm_cores: Some(8.0),
        max_vm_memory_gib: Some(32.0),
        seed: a.seed,
    };
    let w = compose(&arrivals, &usage, &copts).context("composing the sizing study")?;
    let source = format!(
        "sizing study: openb arrivals time-scaled to {} VMs over {} days, Bitbrains usage by tenant from {}, \
         VMs ≤ 8 cores and ≤ 32 GiB, seed {}",
        a.vms,
        a.days,
        a.bitbrains.display(),
        a.seed
    );
    Ok((w, source))
}
