//! `hearth bench`: benchmarks that print their figures (BENCHMARKS.md
//! records them with the commands that produced them).

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use hearth::policies::{decider, PolicyContext};
use hearth::samples::{DefaultWorkload, SampleUsage};
use hearth_place::fireplace::{FirePlace, FirePlaceModel};
use hearth_place::{FleetView, Policy, ServerId, SimRng, VmView};
use hearth_sim::{servers_needed, Admission, Decider, FleetSpec, SimConfig, SizingOptions};
use hearth_trace::{Priority, Resources, Step, Usage, Vm, VmId, Workload};
use rand::{Rng, SeedableRng};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// dslab's iaas-benchmark workload: VMs of {1,2,4,8} cores and {512,1024,2048} MiB, all at time 0,
    /// constant full load, placed first-fit on hosts of 144 cores and 204,800 MiB.
    DslabIaas(IaasArgs),
    /// Simulator throughput and peak memory on a workload composed from the shipped samples.
    Sim(SimArgs),
    /// Latency of FirePlace's in-process decision (sampling and feature extraction included),
    /// timed at every decision of a simulation of the default workload.
    Decision(DecisionArgs),
    /// Every trace reader over generated inputs (mutated fixtures and samples, random bytes):
    /// reports the panics found, accepted inputs that break the workload's invariants, and the time.
    Fuzz(crate::bench_fuzz::FuzzArgs),
    /// Servers needed by every heuristic on the fleet-sizing study of issue 13 (2.7 million VMs over
    /// 30 days) or a given workload: wall time, peak memory, simulations per policy, time per simulation.
    Sizing(crate::bench_sizing::SizingArgs),
    /// Load on a running `hearth serve`: the default workload's arrivals, departures and usage
    /// reports as fast as it answers; p50/p99/p99.9 latency, throughput, errors, resident memory.
    Serve(crate::bench_serve::BenchServeArgs),
}

#[derive(Args, Debug)]
pub struct DecisionArgs {
    #[arg(long)]
    pub model: PathBuf,
    /// Candidates sampled per decision (the features do not depend on k, so one model serves all).
    #[arg(long, value_delimiter = ',', default_value = "2,4,8")]
    pub k: Vec<usize>,
    #[arg(long, default_value_t = 20_000)]
    pub vms: usize,
    #[arg(long, value_enum, default_value_t = SampleUsage::Bitbrains)]
    pub sample_usage: SampleUsage,
    /// Fleet size (default: what power-of-two needs at a 1% overload limit).
    #[arg(long)]
    pub servers: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct IaasArgs {
    #[arg(long, default_value_t = 100_000)]
    pub vms: usize,
    #[arg(long, default_value_t = 10_000)]
    pub hosts: usize,
    #[arg(long, default_value = "first-fit")]
    pub policy: String,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct SimArgs {
    #[arg(long, default_value_t = 100_000)]
    pub vms: usize,
    #[arg(long, default_value_t = 1.0)]
    pub days: f64,
    #[arg(long, default_value = "power-of-two")]
    pub policy: String,
    /// Fleet size (default: half the peak number of VMs alive).
    #[arg(long)]
    pub servers: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Instead of openb arrivals, stagger the Bitbrains sample with Poisson
    /// arrivals and exponential lifetimes of this mean (hours): long lives
    /// make the workload's usage series, and so its memory, large.
    #[arg(long)]
    pub mean_lifetime_hours: Option<f64>,
}

pub fn run(cmd: BenchCmd) -> Result<()> {
    match cmd {
        BenchCmd::DslabIaas(a) => iaas(a),
        BenchCmd::Sim(a) => sim(a),
        BenchCmd::Decision(a) => decision(a),
        BenchCmd::Fuzz(a) => crate::bench_fuzz::run(a),
        BenchCmd::Sizing(a) => crate::bench_sizing::run(a),
        BenchCmd::Serve(a) => crate::bench_serve::run(a),
    }
}

fn iaas_workload(vms: usize, seed: u64) -> Result<Workload> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let vms = (0..vms)
        .map(|i| {
            let cores = [1.0f32, 2.0, 4.0, 8.0][rng.random_range(0..4)];
            let gib = [512.0f32, 1024.0, 2048.0][rng.random_range(0..3)] / 1024.0;
            Vm {
                tenant: None,
                vm_type: None,
                id: VmId(i as u32),
                arrival: Step(0),
                departure: Step(1),
                request: Resources::new(cores, gib),
                priority: Priority::OnDemand,
                usage: Usage {
                    cpu: vec![cores],
                    memory: vec![gib],
                },
            }
        })
        .collect();
    Ok(Workload::new(300, vms, Default::default())?)
}

fn iaas(a: IaasArgs) -> Result<()> {
    let t0 = Instant::now();
    let w = iaas_workload(a.vms, a.seed)?;
    let built = t0.elapsed().as_secs_f64();
    let fleet = FleetSpec::Homogeneous {
        capacity: Resources::new(144.0, 200.0),
    }
    .build(a.hosts);
    let config = SimConfig {
        admission: Admission::Requests {
            cpu_oversub: 1.0,
            memory_oversub: 1.0,
        },
        seed: a.seed,
        ..Default::default()
    };
    let t1 = Instant::now();
    let m = hearth_sim::run(&w, &fleet, &config, &mut decider(&a.policy, &PolicyContext::default())?)?;
    let simulated = t1.elapsed().as_secs_f64();
    println!(
        "dslab iaas-benchmark workload: {} VMs, {} hosts of 144 cores / 204800 MiB, {}",
        a.vms, a.hosts, a.policy
    );
    println!("  workload generation   {built:.3} s");
    println!(
        "  simulation            {simulated:.3} s (placement {:.3} s)",
        m.placement_seconds
    );
    println!(
        "  placed {} / rejected {} / hosts used {}",
        m.placed, m.rejections, m.servers_used
    );
    println!("  placements per second {:.0}", m.placed as f64 / simulated);
    Ok(())
}

fn sim(a: SimArgs) -> Result<()> {
    if a.vms == 0 {
        bail!("--vms must be at least 1");
    }
    let t0 = Instant::now();
    let mut d = DefaultWorkload::openb(SampleUsage::Bitbrains, a.seed);
    d.vms = a.vms;
    d.days = a.days;
    let w = match a.mean_lifetime_hours {
        None => d.build()?,
        Some(hours) => staggered(&a, hours)?,
    };
    let composed = t0.elapsed().as_secs_f64();
    let servers = a.servers.unwrap_or_else(|| (w.peak_alive().0 / 2).max(1));
    let fleet = FleetSpec::Homogeneous {
        capacity: Resources::new(16.0, 64.0),
    }
    .build(servers);
    let config = SimConfig {
        seed: a.seed,
        ..Default::default()
    };
    let t1 = Instant::now();
    let m = hearth_sim::run(&w, &fleet, &config, &mut decider(&a.policy, &PolicyContext::default())?)?;
    let simulated = t1.elapsed().as_secs_f64();
    match a.mean_lifetime_hours {
        None => println!("{}", d.describe()),
        Some(h) => println!(
            "Bitbrains sample (VMs ≤ 8 cores, ≤ 32 GiB) staggered: Poisson arrivals, exponential lifetimes of mean {h} h, seed {}",
            a.seed
        ),
    }
    println!(
        "  VMs {}  VM-steps {}  steps {}  servers {servers}  policy {}",
        w.vms.len(),
        w.vm_steps(),
        w.end().0,
        a.policy
    );
    println!("  compose               {composed:.3} s");
    println!("  simulate              {simulated:.3} s");
    println!("  VM-steps per second   {:.3e}", w.vm_steps() as f64 / simulated);
    println!(
        "  placements per second {:.3e} (whole run); {:.3e} (placement decisions alone)",
        m.placed as f64 / simulated,
        m.decisions_per_second
    );
    println!(
        "  overload rate {:.2}%  rejections {}",
        m.overload_rate * 100.0,
        m.rejections
    );
    println!("  peak resident memory  {}", crate::memory::peak_rss());
    Ok(())
}

fn staggered(a: &SimArgs, hours: f64) -> Result<Workload> {
    let usage = hearth::samples::usage_trace(SampleUsage::Bitbrains, &Default::default())?;
    let opts = hearth_trace::StaggerOptions {
        vms: a.vms,
        days: a.days,
        mean_lifetime_hours: hours,
        spot_fraction: 0.0,
        max_vm_cores: Some(8.0),
        max_vm_memory_gib: Some(32.0),
        seed: a.seed,
    };
    Ok(hearth_trace::stagger(&usage, &opts)?)
}

/// Times every decision of the policy it wraps, in nanoseconds.
struct Timed {
    inner: FirePlace,
    nanos: Rc<RefCell<Vec<u64>>>,
}

impl Policy for Timed {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        let t = Instant::now();
        let chosen = self.inner.place(vm, fleet, rng);
        self.nanos.borrow_mut().push(t.elapsed().as_nanos() as u64);
        chosen
    }
}

fn decision(a: DecisionArgs) -> Result<()> {
    let model = FirePlaceModel::load(&a.model)?;
    let mut d = DefaultWorkload::openb(a.sample_usage, a.seed);
    d.vms = a.vms;
    let w = d.build()?;
    let spec = FleetSpec::Homogeneous {
        capacity: Resources::new(16.0, 64.0),
    };
    let config = SimConfig {
        seed: a.seed,
        ..Default::default()
    };
    let servers = match a.servers {
        Some(n) => n,
        None => {
            let mut p2c = || decider("power-of-two", &PolicyContext::default()).expect("a heuristic");
            let s = servers_needed(&w, &spec, &config, &SizingOptions::default(), &mut p2c)?;
            s.servers_needed.unwrap_or_else(|| w.peak_alive().0.div_ceil(2))
        }
    };
    println!("{}; {servers} servers of 16 cores, 64 GiB", d.describe());
    println!("model {} ({})", a.model.display(), model.chooser.params.name());
    for &k in &a.k {
        let mut m = model.clone();
        m.k = k;
        let nanos = Rc::new(RefCell::new(Vec::with_capacity(w.vms.len())));
        let timed = Timed {
            inner: FirePlace::new(Arc::new(m)),
            nanos: nanos.clone(),
        };
        hearth_sim::run(&w, &spec.build(servers), &config, &mut Decider::Online(Box::new(timed)))?;
        let mut ns = nanos.take();
        print_latency(k, &mut ns);
    }
    Ok(())
}

fn print_latency(k: usize, ns: &mut [u64]) {
    if ns.is_empty() {
        println!("  k = {k}: no decisions");
        return;
    }
    ns.sort_unstable();
    let q = |p: f64| ns[((ns.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0;
    let mean = ns.iter().sum::<u64>() as f64 / ns.len() as f64 / 1000.0;
    println!(
        "  k = {k}: {} decisions; µs: p50 {:.2}  p99 {:.2}  p99.9 {:.2}  mean {:.2}",
        ns.len(),
        q(0.5),
        q(0.99),
        q(0.999),
        mean
    );
}
