//! `hearth serve replay`: drives a running service through a workload as
//! the simulator runs it, step by step — departures, then arrivals, then
//! every running VM's usage at the step — so that with the same fleet,
//! policy and seed the service decides as `hearth simulate` does.

use crate::workload_file::WorkloadFileArgs;
use anyhow::{bail, Context, Result};
use clap::Args;
use hearth::output::write_csv;
use hearth_serve::api::{MeasuredUsage, Placed, UsageRow, VmRequest};
use hearth_trace::{Step, Workload};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Workload file to replay.
    #[arg(long)]
    pub workload: PathBuf,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    /// The service's base URL.
    #[arg(long, default_value = "http://127.0.0.1:7300")]
    pub url: String,
    /// Bearer token file, when the service requires one.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Write each VM's server as CSV (`vm,server`; empty: rejected), as `hearth simulate --placements`.
    #[arg(long)]
    pub placements: Option<PathBuf>,
    /// Most usage reports per request.
    #[arg(long, default_value_t = 10_000)]
    pub batch: usize,
}

/// The service as the replay talks to it.
struct Client {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
    requests: u64,
}

impl Client {
    async fn send(&mut self, method: reqwest::Method, path: &str, body: Option<String>) -> Result<(u16, Value)> {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.url));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("{method} {}{path}", self.url))?;
        self.requests += 1;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .with_context(|| format!("{method} {path}: reading the answer"))?;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, value))
    }
}

pub fn run(args: ReplayArgs) -> Result<()> {
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let workload = args.workload_file.read(&args.workload)?;
    let token = read_token(args.token_file.as_deref())?;
    let client = Client {
        http: reqwest::Client::new(),
        url: args.url.trim_end_matches('/').to_string(),
        token,
        requests: 0,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let clock = Instant::now();
    let (assignment, evictions, requests) = runtime.block_on(replay(&workload, client, args.batch))?;
    let seconds = clock.elapsed().as_secs_f64();
    let placed = assignment.iter().filter(|s| s.is_some()).count();
    println!(
        "replayed {} VMs in {seconds:.1} s ({requests} requests, {:.0} requests/s): {placed} placed, {} rejected, {evictions} evictions",
        workload.vms.len(),
        requests as f64 / seconds.max(1e-9),
        workload.vms.len() - placed,
    );
    if let Some(path) = &args.placements {
        let rows = (assignment.iter().enumerate())
            .map(|(vm, s)| vec![vm.to_string(), s.map_or(String::new(), |s| s.to_string())])
            .collect::<Vec<_>>();
        write_csv(path, &["vm", "server"], &rows)?;
    }
    Ok(())
}

/// The bearer token in a token file, if one is given.
pub fn read_token(path: Option<&std::path::Path>) -> Result<Option<String>> {
    path.map(|p| {
        hearth_serve::auth::read_token(p)
            .map(|t| t.to_string())
            .map_err(anyhow::Error::msg)
    })
    .transpose()
}

/// A workload VM as the service's placement request, under the name `id`.
/// A VM arriving before the workload's `observed_from` was running before
/// observation began: it carries its usage, as the simulator counts it.
pub fn vm_request(vm: &hearth_trace::Vm, id: String, observed_from: Step) -> VmRequest {
    let usage = (vm.arrival < observed_from).then(|| {
        let u = vm.usage_at(vm.arrival);
        MeasuredUsage {
            cpu_cores: u.cpu.0 as f64,
            memory_gib: u.memory.0 as f64,
        }
    });
    VmRequest {
        id,
        cpu_cores: vm.request.cpu.0 as f64,
        memory_gib: vm.request.memory.0 as f64,
        priority: vm.priority,
        tenant: vm.tenant.map(|x| x.0.to_string()),
        vm_type: vm.vm_type.map(|x| x.0.to_string()),
        usage,
    }
}

fn name(vm: u32) -> String {
    format!("vm-{vm}")
}

/// Replays every step; returns each VM's server, the evictions and the requests sent.
async fn replay(w: &Workload, mut c: Client, batch: usize) -> Result<(Vec<Option<u32>>, usize, u64)> {
    let mut assignment: Vec<Option<u32>> = vec![None; w.vms.len()];
    let mut running: BTreeSet<u32> = BTreeSet::new();
    let mut evictions = 0;
    // The step the service's clock is at: one past the last reported step.
    let mut clock = 0u32;
    let mut next = 0;
    for t in 0..w.end().0 {
        let arrivals = w.vms[next..].iter().take_while(|vm| vm.arrival == Step(t)).count();
        if running.is_empty() && arrivals == 0 {
            continue;
        }
        if clock < t {
            // Nothing ran since: a zero report advances the service's clock.
            let zero = [UsageRow {
                vm: None,
                server: Some(0),
                t: t - 1,
                cpu_cores: 0.0,
                memory_gib: 0.0,
            }];
            expect_ok(&mut c, "/v1/usage", &serde_json::to_string(&zero)?).await?;
        }
        let leaving: Vec<u32> = running
            .iter()
            .copied()
            .filter(|&v| w.vms[v as usize].departure == Step(t))
            .collect();
        for v in leaving {
            let (status, body) = c
                .send(reqwest::Method::DELETE, &format!("/v1/vms/{}", name(v)), None)
                .await?;
            if status != 200 {
                bail!("DELETE vm {v} at step {t}: {status} {body}");
            }
            running.remove(&v);
        }
        for vm in &w.vms[next..next + arrivals] {
            let req = vm_request(vm, name(vm.id.0), w.observed_from);
            let (status, body) = c
                .send(reqwest::Method::POST, "/v1/vms", Some(serde_json::to_string(&req)?))
                .await?;
            match status {
                201 => {
                    let placed: Placed = serde_json::from_value(body).context("reading a placement")?;
                    for gone in &placed.evicted {
                        let id: u32 = gone.trim_start_matches("vm-").parse().context("an evicted VM's id")?;
                        running.remove(&id);
                        evictions += 1;
                    }
                    assignment[vm.id.0 as usize] = Some(placed.server);
                    running.insert(vm.id.0);
                }
                409 => {}
                _ => bail!("POST vm {} at step {t}: {status} {body}", vm.id.0),
            }
        }
        next += arrivals;
        // In VM id order: the order the simulator adds usage to a server's load.
        let rows: Vec<UsageRow> = running
            .iter()
            .map(|&v| {
                let u = w.vms[v as usize].usage_at(Step(t));
                UsageRow {
                    vm: Some(name(v)),
                    server: None,
                    t,
                    cpu_cores: u.cpu.0 as f64,
                    memory_gib: u.memory.0 as f64,
                }
            })
            .collect();
        for chunk in rows.chunks(batch) {
            expect_ok(&mut c, "/v1/usage", &serde_json::to_string(chunk)?).await?;
        }
        if !rows.is_empty() {
            clock = t + 1;
        }
    }
    Ok((assignment, evictions, c.requests))
}

async fn expect_ok(c: &mut Client, path: &str, body: &str) -> Result<()> {
    let (status, answer) = c.send(reqwest::Method::POST, path, Some(body.to_string())).await?;
    if status != 200 {
        bail!("POST {path}: {status} {answer}");
    }
    Ok(())
}
