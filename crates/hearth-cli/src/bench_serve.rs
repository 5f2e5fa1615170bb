//! `hearth bench serve`: a load generator for `hearth serve`. It replays
//! the default workload (or a workload file) against a running service as
//! fast as it answers: each step's departures and arrivals spread over
//! `--concurrency` connections, then the step's usage reports in batches;
//! the workload repeats, steps shifted, until `--seconds` have passed.
//! Prints p50/p99/p99.9 latency per request kind, throughput and errors;
//! with `--malformed` mixes in bad requests (they must get 4xx, never 5xx);
//! with `--pid` samples the service's resident memory.

use crate::output::write_json;
use crate::samples::{DefaultWorkload, SampleArrivals, SampleUsage};
use crate::workload_file::WorkloadFileArgs;
use anyhow::{bail, Context, Result};
use clap::Args;
use hearth_serve::api::UsageRow;
use hearth_trace::{Step, Workload};
use rand::{Rng, SeedableRng};
use serde::Serialize;
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

/// Latencies (seconds) and answers by request kind.
#[derive(Default)]
struct Tally {
    latency: [Vec<f64>; 3],
    rejected: u64,
    client_errors: u64,
    server_errors: u64,
    transport_errors: u64,
    malformed_sent: u64,
    malformed_not_4xx: u64,
}

const KINDS: [&str; 3] = ["place", "depart", "usage"];

#[derive(Serialize)]
struct KindFigures {
    kind: &'static str,
    requests: usize,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    max_ms: f64,
}

#[derive(Serialize)]
struct Figures {
    seconds: f64,
    /// Usage reports sent every this many steps.
    usage_every: u32,
    concurrency: usize,
    requests: u64,
    requests_per_second: f64,
    placements_per_second: f64,
    usage_reports_per_second: f64,
    kinds: Vec<KindFigures>,
    rejected_409: u64,
    client_errors_4xx: u64,
    server_errors_5xx: u64,
    transport_errors: u64,
    malformed_sent: u64,
    malformed_not_4xx: u64,
    rss_mib: Vec<f64>,
}

struct Load {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
    malformed: f64,
    tally: Mutex<Tally>,
    rng: std::sync::Mutex<rand_chacha::ChaCha8Rng>,
}

/// Bodies and paths the service must refuse with a 4xx.
const BAD: [(&str, &str); 4] = [
    ("/v1/vms", r#"{"id":"x","cpu_cores":-3,"memory_gib":4}"#),
    ("/v1/vms", r#"{"id":"x","cpu_cores":2,"memory_gib":4,"extra":1}"#),
    ("/v1/usage", r#"[{"vm":"nobody","t":0,"cpu_cores":1,"memory_gib":1}]"#),
    ("/v1/vms", "{not json"),
];

impl Load {
    /// Sends one request (or, by chance, a malformed one instead); records it.
    async fn send(
        &self,
        kind: usize,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> Option<serde_json::Value> {
        let bad = {
            let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
            (self.malformed > 0.0 && rng.random::<f64>() < self.malformed).then(|| BAD[rng.random_range(0..BAD.len())])
        };
        if let Some((bad_path, bad_body)) = bad {
            let status = self
                .request(reqwest::Method::POST, bad_path, Some(bad_body.to_string()))
                .await
                .map(|r| r.0);
            let mut t = self.tally.lock().await;
            t.malformed_sent += 1;
            if !matches!(status, Some(400..=499)) {
                t.malformed_not_4xx += 1;
            }
        }
        let clock = Instant::now();
        let answer = self.request(method, path, body).await;
        let seconds = clock.elapsed().as_secs_f64();
        let mut t = self.tally.lock().await;
        t.latency[kind].push(seconds);
        match answer {
            None => {
                t.transport_errors += 1;
                None
            }
            Some((s, v)) if (200..300).contains(&s) => Some(v),
            Some((409, _)) if kind == 0 => {
                t.rejected += 1;
                None
            }
            Some((s, _)) if s >= 500 => {
                t.server_errors += 1;
                None
            }
            Some(_) => {
                t.client_errors += 1;
                None
            }
        }
    }

    async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> Option<(u16, serde_json::Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.ok()?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.ok()?;
        Some((
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        ))
    }
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
    let tally = runtime.block_on(load.tally.lock()).clone_figures(seconds, &args, rss);
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

fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS line")?;
    Ok(kb / 1024.0)
}

impl Tally {
    fn clone_figures(&self, seconds: f64, args: &BenchServeArgs, rss_mib: Vec<f64>) -> Figures {
        let (concurrency, batch) = (args.concurrency, args.batch);
        let kinds: Vec<KindFigures> = KINDS
            .iter()
            .zip(&self.latency)
            .map(|(&kind, l)| {
                let mut l = l.clone();
                l.sort_by(f64::total_cmp);
                let q = |p: f64| {
                    l.get(((l.len() as f64 * p).ceil() as usize).saturating_sub(1))
                        .copied()
                        .unwrap_or(0.0)
                        * 1e3
                };
                KindFigures {
                    kind,
                    requests: l.len(),
                    p50_ms: q(0.5),
                    p99_ms: q(0.99),
                    p999_ms: q(0.999),
                    max_ms: q(1.0),
                }
            })
            .collect();
        let requests: usize = kinds.iter().map(|k| k.requests).sum::<usize>() + self.malformed_sent as usize;
        Figures {
            seconds,
            usage_every: args.usage_every,
            concurrency,
            requests: requests as u64,
            requests_per_second: requests as f64 / seconds,
            placements_per_second: kinds[0].requests as f64 / seconds,
            usage_reports_per_second: (kinds[2].requests * batch) as f64 / seconds,
            kinds,
            rejected_409: self.rejected,
            client_errors_4xx: self.client_errors,
            server_errors_5xx: self.server_errors,
            transport_errors: self.transport_errors,
            malformed_sent: self.malformed_sent,
            malformed_not_4xx: self.malformed_not_4xx,
            rss_mib,
        }
    }
}

fn print(f: &Figures) {
    println!(
        "{:.1} s, {} in flight: {} requests ({:.0}/s), {:.0} placements/s; 409 {}, other 4xx {}, 5xx {}, transport errors {}, malformed sent {} (not 4xx: {})",
        f.seconds,
        f.concurrency,
        f.requests,
        f.requests_per_second,
        f.placements_per_second,
        f.rejected_409,
        f.client_errors_4xx,
        f.server_errors_5xx,
        f.transport_errors,
        f.malformed_sent,
        f.malformed_not_4xx
    );
    for k in &f.kinds {
        println!(
            "  {:<7} {:>9} requests  p50 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms  max {:.3} ms",
            k.kind, k.requests, k.p50_ms, k.p99_ms, k.p999_ms, k.max_ms
        );
    }
    if !f.rss_mib.is_empty() {
        let r: Vec<String> = f.rss_mib.iter().map(|m| format!("{m:.1}")).collect();
        println!("  service RSS (MiB, every 10 s): {}", r.join(" "));
    }
}
