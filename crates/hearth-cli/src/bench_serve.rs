//! `hearth bench serve`: a load generator for `hearth serve`. It replays
//! the default workload (or a workload file) against a running service as
//! fast as it answers: each step's departures and arrivals spread over
//! `--concurrency` connections, then the step's usage reports in batches;
//! the workload repeats, steps shifted, until `--seconds` have passed.
//! Prints p50/p99/p99.9 latency per request kind, throughput and errors;
//! with `--malformed` mixes in bad requests (they must get 4xx, never 5xx);
//! with `--pid` samples the service's resident memory.

use crate::bench_serve_figures::{print, Tally};
use crate::bench_serve_load::Load;
use crate::memory::rss_mib;
use crate::workload_file::WorkloadFileArgs;
use anyhow::{bail, Context, Result};
use clap::Args;
use hearth::output::write_json;
use hearth::samples::{DefaultWorkload, SampleArrivals, SampleUsage};
use hearth_serve::api::UsageRow;
use hearth_trace::{Step, Workload};
use rand::SeedableRng;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Args, Debug)]
pub struct BenchServeArgs {
    #[arg(long, default_value = "http://127.0.0.1:7300")]
    pub url: String,
    /// Workload to replay (default: the default workload of `hearth compare`).
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    /// Seconds of load.
    #[arg(long, default_value_t = 30.0)]
    pub seconds: f64,
    /// Requests in flight.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Usage reports per request.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Send the usage reports of every N-th step only (1: every step, as
    /// the simulator measures). Larger N shifts the mix towards placements,
    /// as a fleet whose telemetry is coarser than its arrivals would.
    #[arg(long, default_value_t = 1)]
    pub usage_every: u32,
    /// Fraction of requests replaced by malformed ones (they must be answered 4xx).
    #[arg(long, default_value_t = 0.0)]
    pub malformed: f64,
    /// The service's process id: its resident memory is sampled every 10 s.
    #[arg(long)]
    pub pid: Option<u32>,
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

pub fn run(args: BenchServeArgs) -> Result<()> {
    if args.concurrency == 0 || args.batch == 0 || args.usage_every == 0 || !(0.0..1.0).contains(&args.malformed) {
        bail!("--concurrency, --batch and --usage-every must be positive, --malformed within [0, 1)");
    }
    let workload = match &args.workload {
        Some(p) => args.workload_file.read(p)?,
        None => DefaultWorkload::of(SampleArrivals::Azure, SampleUsage::Bitbrains, args.seed).build()?,
    };
    let token = crate::serve_replay::read_token(args.token_file.as_deref())?;
    let load = Arc::new(Load {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(args.concurrency)
            .build()
            .context("building the HTTP client")?,
        url: args.url.trim_end_matches('/').to_string(),
        token,
        malformed: args.malformed,
        tally: Mutex::new(Tally::default()),
        rng: std::sync::Mutex::new(rand_chacha::ChaCha8Rng::seed_from_u64(args.seed)),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let clock = Instant::now();
    let rss = runtime.block_on(drive(&workload, load.clone(), &args))?;
    let seconds = clock.elapsed().as_secs_f64();
    let tally = runtime.block_on(load.tally.lock()).clone_figures(
        seconds,
        (args.concurrency, args.batch, args.usage_every),
        rss,
    );
    print(&tally);
    if let Some(p) = &args.json {
        write_json(p, &tally)?;
    }
    Ok(())
}

/// Passes over the workload until time is up; returns RSS samples (MiB).
async fn drive(w: &Workload, load: Arc<Load>, args: &BenchServeArgs) -> Result<Vec<f64>> {
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let mut rss = Vec::new();
    let mut next_rss = Instant::now();
    // Each pass shifts steps past the last so the service's clock only moves on.
    let mut offset = 0u32;
    // Continue after the service's current step (it may have served before).
    if let Some((_, v)) = load.request(reqwest::Method::GET, "/v1/fleet", None).await {
        offset = v["step"].as_u64().unwrap_or(0) as u32 + 1;
    }
    let mut pass = 0;
    'passes: loop {
        let mut running: Vec<u32> = Vec::new();
        let mut next = 0;
        for t in 0..w.end().0 {
            if Instant::now() >= deadline {
                break 'passes;
            }
            if let (Some(pid), true) = (args.pid, Instant::now() >= next_rss) {
                rss.push(rss_mib(pid)?);
                next_rss = Instant::now() + Duration::from_secs(10);
            }
            let arrivals: Vec<u32> = w.vms[next..]
                .iter()
                .take_while(|vm| vm.arrival == Step(t))
                .map(|vm| vm.id.0)
                .collect();
            next += arrivals.len();
            let (leaving, staying): (Vec<u32>, Vec<u32>) = running
                .iter()
                .copied()
                .partition(|&v| w.vms[v as usize].departure == Step(t));
            running = staying;
            let mut jobs = Vec::new();
            for v in leaving {
                let path = format!("/v1/vms/p{pass}-{v}");
                jobs.push((1, reqwest::Method::DELETE, path, None, v));
            }
            // Departures first (as in the simulator), so none races an eviction.
            run_all(&load, jobs, args.concurrency).await;
            let mut jobs = Vec::new();
            for &v in &arrivals {
                let req = crate::serve_replay::vm_request(&w.vms[v as usize], format!("p{pass}-{v}"), w.observed_from);
                jobs.push((
                    0,
                    reqwest::Method::POST,
                    "/v1/vms".into(),
                    Some(serde_json::to_string(&req)?),
                    v,
                ));
            }
            let (placed, evicted) = run_all(&load, jobs, args.concurrency).await;
            running.extend(placed);
            running.retain(|v| !evicted.contains(v));
            running.sort_unstable();
            if t % args.usage_every != 0 {
                continue;
            }
            let rows: Vec<UsageRow> = running
                .iter()
                .map(|&v| {
                    let u = w.vms[v as usize].usage_at(Step(t));
                    UsageRow {
                        vm: Some(format!("p{pass}-{v}")),
                        server: None,
                        t: offset + t,
                        cpu_cores: u.cpu.0 as f64,
                        memory_gib: u.memory.0 as f64,
                    }
                })
                .collect();
            let mut jobs = Vec::new();
            for chunk in rows.chunks(args.batch) {
                jobs.push((
                    2,
                    reqwest::Method::POST,
                    "/v1/usage".into(),
                    Some(serde_json::to_string(chunk)?),
                    0,
                ));
            }
            run_all(&load, jobs, args.concurrency).await;
        }
        // Whatever still runs leaves before the next pass.
        let jobs = (running.iter())
            .map(|&v| (1, reqwest::Method::DELETE, format!("/v1/vms/p{pass}-{v}"), None, v))
            .collect();
        run_all(&load, jobs, args.concurrency).await;
        offset += w.end().0 + 1;
        pass += 1;
    }
    if let Some(pid) = args.pid {
        rss.push(rss_mib(pid)?);
    }
    Ok(rss)
}

type Job = (usize, reqwest::Method, String, Option<String>, u32);

/// Runs jobs with at most `concurrency` in flight; returns the VMs placed
/// and the VMs the placements evicted.
async fn run_all(load: &Arc<Load>, jobs: Vec<Job>, concurrency: usize) -> (Vec<u32>, Vec<u32>) {
    let queue = Arc::new(std::sync::Mutex::new(jobs.into_iter()));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (load, queue) = (load.clone(), queue.clone());
        workers.push(tokio::spawn(async move {
            let (mut placed, mut evicted): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
            loop {
                let job = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
                let Some((kind, method, path, body, vm)) = job else {
                    break;
                };
                let answer = load.send(kind, method, &path, body).await;
                if let (0, Some(a)) = (kind, answer) {
                    placed.push(vm);
                    let names = a["evicted"].as_array().cloned().unwrap_or_default();
                    let ids = names
                        .iter()
                        .filter_map(|n| n.as_str()?.rsplit('-').next()?.parse::<u32>().ok());
                    evicted.extend(ids);
                }
            }
            (placed, evicted)
        }));
    }
    let (mut placed, mut evicted) = (Vec::new(), Vec::new());
    for w in workers {
        let (p, e) = w.await.unwrap_or_default();
        placed.extend(p);
        evicted.extend(e);
    }
    (placed, evicted)
}
