//! `hearth compare`: servers needed by each policy on one workload; the
//! sizing is [`hearth::compare`], this prints its table.

use crate::fleet_args::FleetArgs;
use crate::progress::Bars;
use crate::workload_file::WorkloadFileArgs;
use anyhow::Result;
use clap::Args;
use hearth::compare::{self, CompareOptions, PolicyResult};
use hearth::samples::{DefaultWorkload, SampleArrivals, SampleUsage};
use hearth_sim::{LowerBound, PackingEstimate};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Workload file (from `hearth trace import|compose|stagger`); default: composed from the shipped samples.
    #[arg(long)]
    pub workload: Option<PathBuf>,
    /// Arrival trace of the default workload: the Azure zone sample in real time (2 days), or
    /// openb time-scaled to 20,000 VMs in a day (hearth's first default; it ran on
    /// `--server-cores 16 --server-memory-gib 64`).
    #[arg(long, value_enum, default_value_t = SampleArrivals::Azure)]
    pub sample: SampleArrivals,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    /// Usage trace of the default workload.
    #[arg(long, value_enum, default_value_t = SampleUsage::Bitbrains)]
    pub sample_usage: SampleUsage,
    /// Policies, comma-separated (default: the twelve heuristics). `power-of-K` takes any K,
    /// `best-fit-threshold-X` any CPU share X in (0, 2], `n-sigma-N` any N in [0, 10]; the field's
    /// baselines `n-sigma`, `rc-p95` and `power-of-two-mr` are not in the default list.
    #[arg(long, value_delimiter = ',')]
    pub policies: Option<Vec<String>>,
    /// Highest acceptable overload rate (fraction of active server-steps).
    #[arg(long, default_value_t = 0.01)]
    pub overload_limit: f64,
    /// Seed of the runs (and of the default workload's composition).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Run seeds seed..seed+N and report the spread.
    #[arg(long, default_value_t = 1)]
    pub seeds: u64,
    /// Largest fleet the search tries (default: twice the peak number of VMs alive). Confirmation
    /// stays within it: an answer within 2 of the cap is confirmed only up to the cap, and its
    /// `reason` says so; with no answer, the reason says whether this cap was reached.
    #[arg(long)]
    pub max_servers: Option<usize>,
    #[command(flatten)]
    pub fleet: FleetArgs,
    /// Write results as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write results as CSV here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Model files for learned policies, one per policy (repeat the flag): a FirePlace model,
    /// and with the `nn` feature usage forecasters (forecast-lstm, forecast-tcn) and a PPO policy
    /// (rl); each file's kind is read from it.
    #[arg(long)]
    pub model: Vec<PathBuf>,
    #[command(flatten)]
    pub forecast: crate::forecast_args::ForecastRefreshArgs,
}

pub fn run(args: CompareArgs) -> Result<()> {
    let c = compare::compute(&args.options(), &Bars::default())?;
    print_table(&c.results, Some((&c.bound, &c.packing)), args.overload_limit);
    c.write(args.json.as_deref(), args.csv.as_deref())?;
    for path in [&args.json, &args.csv].into_iter().flatten() {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

impl CompareArgs {
    /// The library's options for these flags.
    pub fn options(&self) -> CompareOptions {
        let d = DefaultWorkload::of(self.sample, self.sample_usage, self.seed);
        let defaults = CompareOptions::default();
        CompareOptions {
            workload: self.workload_file.input(self.workload.as_ref(), d),
            policies: self.policies.clone().unwrap_or(defaults.policies),
            overload_limit: self.overload_limit,
            seed: self.seed,
            seeds: self.seeds,
            max_servers: self.max_servers,
            fleet: self.fleet.options(),
            models: self.model.clone(),
            forecast_refresh_steps: self.forecast.forecast_refresh_steps,
        }
    }
}

fn spread(r: &PolicyResult) -> String {
    let Some(n) = r.servers_needed else {
        return "none".into();
    };
    let known: Vec<usize> = r.servers_needed_by_seed.iter().flatten().copied().collect();
    let (lo, hi) = (known.iter().min(), known.iter().max());
    match (lo, hi) {
        (Some(lo), Some(hi)) if lo != hi || known.len() < r.seeds.len() => {
            let all = known.len() == r.seeds.len();
            format!("{n} ({lo}–{hi}{})", if all { "" } else { ", some none" })
        }
        _ => n.to_string(),
    }
}

/// Prints the results, with the fluid lower bound and the packing estimate
/// as last rows when given.
pub fn print_table(results: &[PolicyResult], bounds: Option<(&LowerBound, &PackingEstimate)>, limit: f64) {
    let bound = bounds.map(|b| b.0);
    let mut t = crate::table::table(vec![
        "policy",
        "admission",
        "servers needed",
        "overload %",
        "VM-step overload %",
        "peak/avg",
        "utilisation %",
        "rejections",
        "decisions/s",
    ]);
    for r in results {
        t.add_row(vec![
            r.policy.clone(),
            r.admission.clone(),
            spread(r),
            format!("{:.2}", r.overload_rate * 100.0),
            format!("{:.2}", r.vm_overload_rate * 100.0),
            format!("{:.2}", r.peak_to_average),
            format!("{:.1}", r.utilisation * 100.0),
            r.rejections.to_string(),
            format!("{:.0}", r.decisions_per_second),
        ]);
    }
    if let Some(b) = bound {
        let mut row = vec!["fluid lower bound".to_string(), "-".into(), b.servers.to_string()];
        row.extend(std::iter::repeat_n("-".to_string(), 6));
        t.add_row(row);
    }
    if let Some((_, p)) = bounds {
        let label = if p.is_lower_bound {
            "FFD packing (lower bound)"
        } else {
            "FFD packing (estimate)"
        };
        let n = p.servers.map_or("none".into(), |n| n.to_string());
        let mut row = vec![label.to_string(), "-".into(), n];
        row.extend(std::iter::repeat_n("-".to_string(), 6));
        t.add_row(row);
    }
    println!("{t}");
    println!(
        "servers needed: smallest fleet with no rejection and overload rate ≤ {}%, confirmed at the next 2 sizes \
         up to the cap",
        limit * 100.0
    );
    if let Some(b) = bound {
        println!(
            "fluid lower bound: peak total usage {:.0} cores (step {}) and {:.0} GiB (step {}) need {} and {} servers; no policy can do better",
            b.peak_cpu_cores, b.peak_cpu_step.0, b.peak_memory_gib, b.peak_memory_step.0, b.cpu_servers, b.memory_servers
        );
    }
    if let Some((_, p)) = bounds {
        println!("{}", packing_note(p));
    }
    for r in results {
        let Some(reason) = &r.reason else { continue };
        match r.servers_needed {
            None => println!(
                "  {} ({}): no fleet size meets the limit: {reason}",
                r.policy, r.admission
            ),
            Some(n) => println!("  {} ({}): {n} servers, {reason}", r.policy, r.admission),
        }
    }
}

/// What the packing row means, in one line.
pub fn packing_note(p: &PackingEstimate) -> String {
    let n = p
        .servers
        .map_or("no fleet (a VM fits no server)".into(), |n| format!("{n} servers"));
    let what = if p.is_lower_bound {
        "equal to the fluid figure there, so optimal: a lower bound"
    } else {
        "FFD is at or above the optimal packing of that step, so this estimates a lower bound from above; it is not one"
    };
    format!(
        "FFD packing: the usage vectors of the {} VMs alive at step {} (the worst of {} high-load steps) need {n} by first-fit decreasing (fluid figure at that step {}); {what}",
        p.vms, p.step.0, p.steps_tried, p.fluid_servers_at_step
    )
}
