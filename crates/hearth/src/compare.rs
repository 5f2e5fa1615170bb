//! Servers needed by each policy on one workload (`hearth compare`): the
//! sizing search of `hearth_sim::servers_needed` run for every policy,
//! admission mode and seed, two jobs at a time, summarised per policy by the
//! median over seeds.

use crate::fleet::FleetOptions;
use crate::policies::{decider, PolicyContext};
use crate::samples::DefaultWorkload;
use crate::workload::WorkloadInput;
use anyhow::{bail, Context, Result};
use hearth_sim::Progress;
use hearth_sim::{
    ffd_packing_estimate, fluid_lower_bound, servers_needed, Admission, FleetSpec, LowerBound, PackingEstimate,
};
use hearth_sim::{Probe, Sizing, SizingOptions};
use hearth_trace::Workload;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What `compare` sizes, with its defaults ([`CompareOptions::default`]): the
/// Azure zone sample, the twelve heuristics, a 1% limit, one seed.
#[derive(Clone)]
pub struct CompareOptions {
    pub workload: WorkloadInput,
    /// Policy names ([`crate::policies::decider`]); default: `hearth_place::HEURISTICS`.
    pub policies: Vec<String>,
    /// Highest acceptable overload rate, a fraction of active server-steps in [0, 1).
    pub overload_limit: f64,
    /// First seed of the runs.
    pub seed: u64,
    /// Seeds run: `seed..seed + seeds`.
    pub seeds: u64,
    /// Largest fleet the search tries (default: twice the peak number of VMs alive).
    pub max_servers: Option<usize>,
    pub fleet: FleetOptions,
    /// Model files of learned policies, one per policy (each file's kind is read from it).
    pub models: Vec<PathBuf>,
    /// Steps forecast-lstm and forecast-tcn reuse a VM's forecast (at least 1).
    pub forecast_refresh_steps: u32,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            workload: WorkloadInput::Samples(DefaultWorkload::new(crate::samples::SampleUsage::Bitbrains, 0)),
            policies: hearth_place::HEURISTICS.iter().map(|s| s.to_string()).collect(),
            overload_limit: 0.01,
            seed: 0,
            seeds: 1,
            max_servers: None,
            fleet: FleetOptions::default(),
            models: Vec::new(),
            forecast_refresh_steps: 1,
        }
    }
}

/// One policy under one admission mode: the median answer over seeds, with
/// the metrics of the seed that gave it.
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

/// One sizing search: a policy, an admission mode and a seed.
pub struct Job {
    pub admission: Admission,
    pub policy: String,
    pub seed: u64,
}

/// What `compare` computed: the results and what they were computed on.
pub struct Compared {
    pub options: CompareOptions,
    pub workload: Workload,
    pub source: String,
    pub spec: FleetSpec,
    pub results: Vec<PolicyResult>,
    pub bound: LowerBound,
    /// First-fit-decreasing packing of the highest-load steps: an estimate
    /// (from above) of a tighter bound than the fluid one; see [`hearth_sim::packing`].
    pub packing: PackingEstimate,
    pub ctx: PolicyContext,
}

/// Sizes every policy on the workload.
///
/// Errors: an option out of range, an unknown policy or missing model (before
/// any work), a workload that cannot be read or composed, a failed run.
pub fn compute(opts: &CompareOptions, progress: &dyn Progress) -> Result<Compared> {
    if !(0.0..1.0).contains(&opts.overload_limit) {
        bail!("--overload-limit must be within [0, 1), e.g. 0.01 for 1%");
    }
    if opts.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    if opts.max_servers == Some(0) {
        bail!("--max-servers must be at least 1");
    }
    let (workload, source) = opts.workload.load()?;
    let spec = opts.fleet.spec()?;
    let ctx = PolicyContext::for_run(&opts.models, opts.fleet.overload_threshold, opts.forecast_refresh_steps)?;
    for p in &opts.policies {
        decider(p, &ctx)?; // fail on a bad name or a missing model before any work
    }
    let jobs = jobs(&opts.fleet.admissions()?, &opts.policies, opts.seed, opts.seeds);
    progress.note(&format!("workload: {source}"));
    progress.note(&format!(
        "fleet: {}; overload limit {}%",
        opts.fleet.describe(),
        opts.overload_limit * 100.0
    ));
    let sizing = SizingOptions {
        overload_limit: opts.overload_limit,
        max_servers: opts.max_servers,
        ..Default::default()
    };
    let sizings = size_all(&opts.fleet, &workload, &spec, &jobs, &sizing, &ctx, progress)?;
    let results = collect(&jobs, sizings, opts.seeds as usize);
    let bound = fluid_lower_bound(&workload, &spec, opts.fleet.overload_threshold);
    let packing = ffd_packing_estimate(&workload, &spec, opts.fleet.overload_threshold);
    Ok(Compared {
        options: opts.clone(),
        workload,
        source,
        spec,
        results,
        bound,
        packing,
        ctx,
    })
}

/// Every (admission, policy, seed), seeds innermost.
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

/// Sizes every job, as many at a time as there are cores, results in job order.
pub fn size_all(
    fleet: &FleetOptions,
    w: &Workload,
    spec: &FleetSpec,
    jobs: &[Job],
    opts: &SizingOptions,
    ctx: &PolicyContext,
    progress: &dyn Progress,
) -> Result<Vec<Sizing>> {
    progress.begin(jobs.len() as u64, "sizing");
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
                progress.message(&format!("{} ({})", job.policy, job.admission.name()));
                let result = size_one(fleet, w, spec, job, opts, ctx);
                done.lock().expect("no worker panicked")[i] = Some(result);
                progress.inc();
            });
        }
    });
    progress.finish();
    done.into_inner()
        .expect("no worker panicked")
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

fn size_one(
    fleet: &FleetOptions,
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
            let s = &ss[median_index(&by_seed)];
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
pub fn median_index(by_seed: &[Option<usize>]) -> usize {
    let mut order: Vec<usize> = (0..by_seed.len()).collect();
    order.sort_by_key(|&i| by_seed[i].unwrap_or(usize::MAX));
    order[(order.len() - 1) / 2]
}
