//! `hearth compare`: servers needed by each policy on one workload.

use crate::fleet_args::FleetArgs;
use crate::output::{csv_text, progress, write_atomic, write_json};
use crate::policies::{decider, PolicyContext};
use crate::samples::{DefaultWorkload, SampleArrivals, SampleUsage};
use crate::step_load::{step_load, Run, StepLoad};
use crate::workload_file::WorkloadFileArgs;
use anyhow::{bail, Context, Result};
use clap::Args;
use hearth_sim::{fluid_lower_bound, servers_needed, Admission, FleetSpec, LowerBound, Probe, Sizing, SizingOptions};
use hearth_trace::{summarize, Workload};
use serde::Serialize;
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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
    /// `best-fit-threshold-X` any CPU share X in (0, 2].
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
    pub forecast: crate::policies_nn::ForecastRefreshArgs,
}

#[derive(Serialize, Clone)]
pub struct PolicyResult {
    pub policy: String,
    pub admission: String,
    pub servers_needed: Option<usize>,
    pub reason: Option<String>,
    pub overload_rate: f64,
    pub vm_overload_rate: f64,
    pub peak_to_average: f64,
    pub utilisation: f64,
    pub rejections: u64,
    pub evictions: u64,
    pub servers_used: usize,
    pub decisions_per_second: f64,
    pub seeds: Vec<u64>,
    pub servers_needed_by_seed: Vec<Option<usize>>,
    pub search_runs: usize,
    /// The fleet sizes the search ran for the median seed, smallest first.
    pub search: Vec<Probe>,
}

pub struct Job {
    pub admission: Admission,
    pub policy: String,
    pub seed: u64,
}

/// What `compare` computed: the results and what they were computed on.
pub struct Compared {
    pub workload: Workload,
    pub source: String,
    pub spec: FleetSpec,
    pub results: Vec<PolicyResult>,
    pub bound: LowerBound,
    pub ctx: PolicyContext,
}

pub fn run(args: CompareArgs) -> Result<()> {
    let c = compute(&args)?;
    print_table(&c.results, Some(&c.bound), args.overload_limit);
    write_outputs(&args, &c)
}

/// Sizes every policy on the workload (no printing but progress on stderr).
pub fn compute(args: &CompareArgs) -> Result<Compared> {
    if !(0.0..1.0).contains(&args.overload_limit) {
        bail!("--overload-limit must be within [0, 1), e.g. 0.01 for 1%");
    }
    if args.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    if args.max_servers == Some(0) {
        bail!("--max-servers must be at least 1");
    }
    let (workload, source) = load_workload(args)?;
    let spec = args.fleet.spec()?;
    let policies = args
        .policies
        .clone()
        .unwrap_or_else(|| hearth_place::HEURISTICS.iter().map(|s| s.to_string()).collect());
    let models: Vec<&std::path::Path> = args.model.iter().map(PathBuf::as_path).collect();
    let mut ctx = PolicyContext::with_models(&models, args.fleet.overload_threshold)?;
    ctx.nn.set_forecast_refresh(args.forecast.forecast_refresh_steps);
    for p in &policies {
        decider(p, &ctx)?; // fail on a bad name or a missing model before any work
    }
    let jobs = jobs(&args.fleet.admissions()?, &policies, args.seed, args.seeds);
    eprintln!("workload: {source}");
    eprintln!(
        "fleet: {}; overload limit {}%",
        args.fleet.describe(),
        args.overload_limit * 100.0
    );
    let opts = SizingOptions {
        overload_limit: args.overload_limit,
        max_servers: args.max_servers,
        ..Default::default()
    };
    let sizings = size_all(&args.fleet, &workload, &spec, &jobs, &opts, &ctx)?;
    let results = collect(&jobs, sizings, args.seeds as usize);
    let bound = fluid_lower_bound(&workload, &spec, args.fleet.overload_threshold);
    Ok(Compared {
        workload,
        source,
        spec,
        results,
        bound,
        ctx,
    })
}

fn load_workload(args: &CompareArgs) -> Result<(Workload, String)> {
    match &args.workload {
        Some(path) => {
            let w = args.workload_file.read(path)?;
            Ok((w, path.display().to_string()))
        }
        None => {
            let d = DefaultWorkload::of(args.sample, args.sample_usage, args.seed);
            Ok((d.build()?, d.describe()))
        }
    }
}

pub fn jobs(admissions: &[Admission], policies: &[String], seed: u64, seeds: u64) -> Vec<Job> {
    let mut jobs = Vec::new();
    for &admission in admissions {
        for p in policies {
            for seed in seed..seed + seeds {
                jobs.push(Job {
                    admission,
                    policy: p.clone(),
                    seed,
                });
            }
        }
    }
    jobs
}

/// Sizes every job, two at a time (one per core), in job order.
pub fn size_all(
    fleet: &FleetArgs,
    w: &Workload,
    spec: &FleetSpec,
    jobs: &[Job],
    opts: &SizingOptions,
    ctx: &PolicyContext,
) -> Result<Vec<Sizing>> {
    let bar = progress(jobs.len() as u64, "sizing");
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Result<Sizing>>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i) else { break };
                bar.set_message(format!("{} ({})", job.policy, job.admission.name()));
                let result = size_one(fleet, w, spec, job, opts, ctx);
                done.lock().expect("no worker panicked")[i] = Some(result);
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    done.into_inner()
        .expect("no worker panicked")
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

fn size_one(
    fleet: &FleetArgs,
    w: &Workload,
    spec: &FleetSpec,
    job: &Job,
    opts: &SizingOptions,
    ctx: &PolicyContext,
) -> Result<Sizing> {
    let config = fleet.config(job.admission, job.seed)?;
    let mut make = || decider(&job.policy, ctx).expect("checked before the search");
    servers_needed(w, spec, &config, opts, &mut make).with_context(|| format!("sizing {}", job.policy))
}

/// One result per (admission, policy): the median over seeds, with the
/// metrics of the seed that gave it.
pub fn collect(jobs: &[Job], sizings: Vec<Sizing>, seeds: usize) -> Vec<PolicyResult> {
    jobs.chunks(seeds)
        .zip(sizings.chunks(seeds))
        .map(|(js, ss)| {
            let by_seed: Vec<Option<usize>> = ss.iter().map(|s| s.servers_needed).collect();
            let pick = median_index(&by_seed);
            let s = &ss[pick];
            let m = &s.metrics;
            PolicyResult {
                policy: js[0].policy.clone(),
                admission: js[0].admission.name().to_string(),
                servers_needed: s.servers_needed,
                reason: s.reason.clone(),
                overload_rate: m.overload_rate,
                vm_overload_rate: m.vm_overload_rate,
                peak_to_average: m.peak_to_average,
                utilisation: m.utilisation,
                rejections: m.rejections,
                evictions: m.evictions,
                servers_used: m.servers_used,
                decisions_per_second: m.decisions_per_second,
                seeds: js.iter().map(|j| j.seed).collect(),
                servers_needed_by_seed: by_seed,
                search_runs: ss.iter().map(|s| s.runs).sum(),
                search: s.probes.clone(),
            }
        })
        .collect()
}

/// Index of the median answer; an unattainable seed counts as the largest.
fn median_index(by_seed: &[Option<usize>]) -> usize {
    let mut order: Vec<usize> = (0..by_seed.len()).collect();
    order.sort_by_key(|&i| by_seed[i].unwrap_or(usize::MAX));
    order[(order.len() - 1) / 2]
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

/// Prints the results, with the fluid lower bound as a last row when given.
pub fn print_table(results: &[PolicyResult], bound: Option<&LowerBound>, limit: f64) {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(vec![
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

/// The load per step of the chosen fleet: for each admission mode, the
/// policy needing the fewest servers, on that many servers, at its median seed.
fn chosen_fleet_loads(args: &CompareArgs, out: &Compared) -> Result<Vec<StepLoad>> {
    let mut loads = Vec::new();
    for admission in args.fleet.admissions()? {
        let best = (out.results.iter())
            .filter(|r| r.admission == admission.name())
            .filter_map(|r| Some((r.servers_needed?, r)))
            .min_by_key(|(n, _)| *n);
        let Some((servers, r)) = best else { continue };
        let seed = r.seeds[median_index(&r.servers_needed_by_seed)];
        let run = Run {
            policy: &r.policy,
            admission,
            servers,
            seed,
        };
        loads.push(step_load(&args.fleet, &out.workload, &out.spec, &run, &out.ctx)?.1);
    }
    Ok(loads)
}

pub fn write_outputs(args: &CompareArgs, out: &Compared) -> Result<()> {
    let Compared {
        workload: w,
        source,
        spec,
        results,
        bound,
        ..
    } = out;
    if let Some(path) = &args.json {
        let loads = chosen_fleet_loads(args, out)?;
        let s = summarize(w);
        let doc = json!({
            "workload": {
                "source": source,
                "vms": s.vms,
                "spot_vms": s.spot_vms,
                "step_seconds": s.step_seconds,
                "span_hours": s.span_hours,
                "peak_vms_alive": s.peak_vms_alive,
                "provenance": w.provenance,
            },
            "fleet": spec_json(spec),
            "overload_limit": args.overload_limit,
            "overload_threshold": args.fleet.overload_threshold,
            "seed": args.seed,
            "seeds": args.seeds,
            "forecast_refresh_steps": args.forecast.forecast_refresh_steps,
            "results": results,
            "lower_bound": bound,
            "chosen_fleet_load": loads,
        });
        write_json(path, &doc)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.csv {
        write_atomic(path, csv(results).as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn spec_json(spec: &FleetSpec) -> serde_json::Value {
    match spec {
        FleetSpec::Homogeneous { capacity } => {
            json!({"kind": "homogeneous", "cores": capacity.cpu.0, "memory_gib": capacity.memory.0})
        }
        FleetSpec::Nodes { nodes } => json!({"kind": "node-list", "nodes": nodes.len()}),
    }
}

/// The results as `--csv` writes them (header row first).
pub fn csv(results: &[PolicyResult]) -> String {
    csv_text(&CSV_HEADER, &results.iter().map(csv_row).collect::<Vec<_>>())
}

const CSV_HEADER: [&str; 12] = [
    "policy",
    "admission",
    "servers_needed",
    "overload_rate",
    "vm_overload_rate",
    "peak_to_average",
    "utilisation",
    "rejections",
    "evictions",
    "decisions_per_second",
    "servers_needed_by_seed",
    "reason",
];

fn csv_row(r: &PolicyResult) -> Vec<String> {
    let opt = |x: Option<usize>| x.map_or(String::new(), |n| n.to_string());
    vec![
        r.policy.clone(),
        r.admission.clone(),
        opt(r.servers_needed),
        r.overload_rate.to_string(),
        r.vm_overload_rate.to_string(),
        r.peak_to_average.to_string(),
        r.utilisation.to_string(),
        r.rejections.to_string(),
        r.evictions.to_string(),
        r.decisions_per_second.to_string(),
        r.servers_needed_by_seed
            .iter()
            .map(|x| opt(*x))
            .collect::<Vec<_>>()
            .join(" "),
        r.reason.clone().unwrap_or_default(),
    ]
}
