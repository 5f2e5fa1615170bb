//! The multi-cluster spot scenario as one region: the same clusters as
//! [`crate::scenario`] / [`crate::scenario_zone`] (same nodes, same composed
//! workloads), simulated in lockstep, with spot VMs routed across clusters.
//!
//! Design (why):
//! - **One [`LiveFleet`] per cluster, driven step by step** by this module:
//!   the live fleet runs the engine's admission, placement and spot eviction
//!   code, so a cluster behaves as in the per-cluster scenario, and no engine
//!   change is needed to let a router see every cluster before each spot VM.
//!   Memory is that of all clusters at once (the per-cluster scenario holds one).
//! - **On-demand VMs stay home**: each cluster's on-demand VMs arrive there
//!   and are placed by the cluster's policy (best-fit), as today.
//! - **Spot VMs are one regional stream**: the union of the clusters' spot
//!   VMs, the same VMs at the same steps for every router, so offered load is
//!   equal. A [`Router`] ranks the clusters; the VM goes to the first ranked
//!   cluster with a server that admits it, and is rejected only if none has.
//! - **Order within a step**: departures, then arrivals ordered by (home
//!   cluster, index in its workload), whatever their priority: the same for
//!   every router. Time moves on with [`LiveFleet::step_to`].
//! - **Snapshots** ([`NodeHours`], the schema of [`crate::snapshot`]) are
//!   recorded from every cluster as it runs; at the end of each hour `h` with
//!   48 hours of history (warm-up hours included: they are this run's past)
//!   the saved model forecasts each cluster's rate at `h+1..h+3` from hours
//!   `h-47..=h` only. No data after `h` is read.
//! - **Expected life** of an arriving spot VM: the mean lifetime of the spot
//!   VMs that left on their own so far in the region (known at arrival;
//!   biased short, since long-lived ones have not left yet), rounded up to
//!   whole hours and kept within 1..3 (the model's horizons); 3 before any
//!   has left. A cluster's risk is the mean forecast over horizons `1..=life`.
//! - **Measures** count the observed hours only (after the warm-up): spot
//!   evictions per 1,000 spot VM-hours run; the share of spot VMs arriving
//!   then and placed that were evicted (an evicted VM is not restarted, so
//!   "evicted at least once" is "evicted"); on-demand VMs rejected.

use crate::dataset::{Dataset, Sample, HORIZONS, WINDOW};
use crate::error::{EvictError, Result};
use crate::node_risk::{NodeRisk, SpotRule};
use crate::predictor::Predictor;
use crate::router::{rank, ClusterState, Router};
use crate::scenario::{ClusterPlan, ScenarioConfig};
use crate::snapshot::{band_of, NodeHours};
use hearth_sim::{Arrival, Decider, Fleet, LiveFleet, Policy};
use hearth_trace::{Priority, Step, Vm, VmId, Workload};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// How spot VMs are placed inside a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRule {
    /// The cluster's policy, as for on-demand VMs (best-fit in the scenario).
    BestFit,
    /// [`SpotRule::LeastReclaimable`].
    LeastReclaimable,
    /// [`SpotRule::Shield`].
    SpotShield,
}

impl NodeRule {
    pub const ALL: [NodeRule; 3] = [NodeRule::BestFit, NodeRule::LeastReclaimable, NodeRule::SpotShield];

    pub fn name(self) -> &'static str {
        match self {
            NodeRule::BestFit => "best-fit",
            NodeRule::LeastReclaimable => "least-reclaimable",
            NodeRule::SpotShield => "spot-shield",
        }
    }

    pub fn parse(name: &str) -> Result<NodeRule> {
        NodeRule::ALL.into_iter().find(|r| r.name() == name).ok_or_else(|| {
            EvictError::Config(format!(
                "unknown node rule {name:?}; known: best-fit, least-reclaimable, spot-shield"
            ))
        })
    }

    /// The cluster's decider: `policy` for on-demand VMs, and for spot VMs too under best-fit.
    fn decider(self, policy: Box<dyn Policy>) -> Decider {
        let rule = match self {
            NodeRule::BestFit => return Decider::Online(policy),
            NodeRule::LeastReclaimable => SpotRule::LeastReclaimable,
            NodeRule::SpotShield => SpotRule::Shield,
        };
        Decider::Online(Box::new(NodeRisk {
            rule,
            on_demand: policy,
        }))
    }
}

/// The region: every cluster's plan and composed workload.
pub struct Region<'a> {
    pub config: &'a ScenarioConfig,
    pub plans: &'a [ClusterPlan],
    pub workloads: &'a [Workload],
    /// Hours observed after the warm-up.
    pub hours: usize,
}

/// What one (router, node rule) run measured over the observed hours.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub router: Router,
    pub node_rule: NodeRule,
    /// Offered in the observed hours (the same for every router).
    pub spot_vms_offered: u64,
    pub on_demand_vms_offered: u64,
    pub spot_vms_placed: u64,
    pub spot_vms_rejected: u64,
    /// Spot VMs arriving in the observed hours, placed, then evicted.
    pub spot_vms_evicted: u64,
    /// Evictions in the observed hours (of any spot VM).
    pub evictions: u64,
    /// Hours spot VMs ran within the observed hours.
    pub spot_vm_hours: f64,
    pub evictions_per_1000_spot_vm_hours: f64,
    /// spot_vms_evicted / spot_vms_placed.
    pub share_spot_evicted: f64,
    pub on_demand_rejected: u64,
    /// On-demand arrivals that evicted spot VMs (observed hours).
    pub eviction_events: u64,
    /// Spot VMs placed in each cluster (observed hours).
    pub spot_vms_per_cluster: Vec<u64>,
    pub on_demand_rejected_per_cluster: Vec<u64>,
    /// Hours at whose end the model forecast (eviction-aware only).
    pub forecast_hours: usize,
    /// Cluster-hours (observed) whose forecast risk lay above the lowest 5% band.
    pub risky_cluster_hours: usize,
    /// Spot VMs (observed) whose first-ranked cluster differs from least-utilised's.
    pub first_choice_not_least_utilised: u64,
    pub seconds: f64,
}

/// One regional VM: its home cluster and its index in that cluster's workload.
#[derive(Clone, Copy)]
struct Key {
    home: usize,
    index: usize,
}

/// The run's state besides the fleets.
struct Tally {
    /// Where each regional VM runs now: (cluster, live id).
    running: Vec<Option<(usize, VmId)>>,
    /// Per cluster, the regional VM under each live id.
    owner: Vec<Vec<usize>>,
    allocated: Vec<f64>,
    cores: Vec<f64>,
    /// Sum and count of lifetimes (steps) of spot VMs that left on their own.
    life_sum: f64,
    life_count: u64,
    /// Observed steps: `[warmup, end)`.
    warmup: u32,
    end: u32,
    /// Steps spot VMs ran within the observed steps.
    spot_steps: f64,
    out: Outcome,
}

const NONE: usize = usize::MAX;

/// Runs the region with one router and node rule. `make_policy` builds a
/// cluster's placement policy (on-demand, and spot under [`NodeRule::BestFit`]);
/// `model` forecasts for the eviction-aware routers (required by them);
/// `seed` seeds the random router. `on_hour` is called after each hour.
pub fn run(
    region: &Region,
    router: Router,
    node_rule: NodeRule,
    model: Option<&dyn Predictor>,
    make_policy: &dyn Fn() -> Box<dyn Policy>,
    seed: u64,
    on_hour: &dyn Fn(),
) -> Result<Outcome> {
    let started = std::time::Instant::now();
    check(region)?;
    if router.needs_model() && model.is_none() {
        return Err(EvictError::Config(format!("the {router} router needs a model")));
    }
    let n = region.plans.len();
    let keys: Vec<Key> = (0..n)
        .flat_map(|home| (0..region.workloads[home].vms.len()).map(move |index| Key { home, index }))
        .collect();
    let vm = |g: usize| &region.workloads[keys[g].home].vms[keys[g].index];
    let sph = region.config.steps_per_hour();
    let total_hours = region.config.warmup_hours() + region.hours;
    let (warmup, end) = ((region.config.warmup_hours() as u32) * sph, total_hours as u32 * sph);
    let mut arrivals: Vec<usize> = (0..keys.len()).filter(|&g| vm(g).arrival.0 < end).collect();
    arrivals.sort_by_key(|&g| (vm(g).arrival, keys[g].home, keys[g].index));
    let mut departures = arrivals.clone();
    departures.sort_by_key(|&g| (vm(g).departure, g));
    let mut r = Lockstep {
        router,
        model,
        fleets: region.plans.iter().map(live_fleet).collect(),
        deciders: (0..n).map(|_| node_rule.decider(make_policy())).collect(),
        recorders: region
            .plans
            .iter()
            .map(|p| NodeHours::new(&p.nodes, keys.len(), sph, total_hours))
            .collect(),
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0a7e_5107),
        risk: None,
        t: Tally::new(region, keys.len(), warmup, end, Outcome::new(router, node_rule, n)),
    };
    let (mut next_arrival, mut next_departure) = (0, 0);
    for step in 0..end {
        for f in &mut r.fleets {
            f.step_to(Step(step));
        }
        while let Some(&g) = departures.get(next_departure).filter(|&&g| vm(g).departure.0 <= step) {
            next_departure += 1;
            r.t.depart(&mut r.fleets, g, vm(g))?;
        }
        while let Some(&g) = arrivals.get(next_arrival).filter(|&&g| vm(g).arrival.0 == step) {
            next_arrival += 1;
            r.arrive(g, keys[g].home, &vm)?;
        }
        r.observe(&vm);
        if step % sph == sph - 1 {
            r.end_hour((step / sph) as usize, step >= warmup, sph)?;
            on_hour();
        }
    }
    r.t.finish(&vm, sph);
    r.t.out.seconds = started.elapsed().as_secs_f64();
    Ok(r.t.out)
}

/// The region between steps: its fleets, deciders, recorders and forecasts.
struct Lockstep<'m> {
    router: Router,
    model: Option<&'m dyn Predictor>,
    fleets: Vec<LiveFleet>,
    deciders: Vec<Decider>,
    recorders: Vec<NodeHours>,
    rng: ChaCha8Rng,
    /// The latest forecast risk per cluster (eviction-aware routers).
    risk: Option<Vec<f32>>,
    t: Tally,
}

impl Lockstep<'_> {
    /// VM `g` (home cluster `home`) arrives: on-demand at home, spot by the router.
    fn arrive<'w>(&mut self, g: usize, home: usize, vm: &dyn Fn(usize) -> &'w Vm) -> Result<()> {
        let v = vm(g);
        let order = match v.priority {
            Priority::OnDemand => vec![home],
            Priority::Spot => {
                let shares = self.t.shares();
                let state = ClusterState {
                    allocated_share: &shares,
                    risk: self.risk.as_deref(),
                };
                let order = rank(self.router, &state, &mut self.rng);
                if v.arrival.0 >= self.t.warmup && self.router != Router::LeastUtilised {
                    let lu = rank(Router::LeastUtilised, &state, &mut self.rng);
                    self.t.out.first_choice_not_least_utilised += u64::from(lu[0] != order[0]);
                }
                order
            }
        };
        let (fleets, deciders, recorders) = (&mut self.fleets, &mut self.deciders, &mut self.recorders);
        self.t.arrive(fleets, deciders, recorders, &order, g, v, vm)
    }

    /// Records every cluster's state at the end of the step.
    fn observe<'w>(&mut self, vm: &dyn Fn(usize) -> &'w Vm) {
        for (c, f) in self.fleets.iter().enumerate() {
            let owner = &self.t.owner[c];
            self.recorders[c].observe(&f.view(), |id| {
                let g = owner[id.0 as usize];
                (g, vm(g).priority, vm(g).request)
            });
        }
    }

    /// At the end of `hour`: a new forecast, once 48 hours are recorded.
    fn end_hour(&mut self, hour: usize, observed: bool, steps_per_hour: u32) -> Result<()> {
        let Some(m) = self.model.filter(|_| self.router.needs_model() && hour + 1 >= WINDOW) else {
            return Ok(());
        };
        let r = forecast(m, &self.recorders, hour, self.t.expected_life_h(steps_per_hour))?;
        if observed {
            self.t.out.forecast_hours += 1;
            self.t.out.risky_cluster_hours += r.iter().filter(|&&x| band_of(x) > 0).count();
        }
        self.risk = Some(r);
        Ok(())
    }
}

fn check(region: &Region) -> Result<()> {
    region.config.validate()?;
    if region.plans.len() != region.workloads.len() || region.plans.is_empty() {
        return Err(EvictError::Config(
            "the region needs one workload per cluster plan, and at least one cluster".into(),
        ));
    }
    if let Some(w) = region
        .workloads
        .iter()
        .find(|w| w.step_seconds != region.config.step_seconds)
    {
        return Err(EvictError::Config(format!(
            "a cluster workload has {} s steps, the scenario {} s",
            w.step_seconds, region.config.step_seconds
        )));
    }
    Ok(())
}

/// A cluster's live fleet under the scenario's settings.
fn live_fleet(plan: &ClusterPlan) -> LiveFleet {
    let fleet = Fleet {
        capacities: plan.nodes.clone(),
    };
    LiveFleet::new(&fleet, &crate::scenario::sim_config(plan), false)
}

/// Each cluster's mean forecast rate over horizons `1..=life_h`, from the
/// 48 hours ending with `hour` (clipped to 0..1).
fn forecast(model: &dyn Predictor, recorders: &[NodeHours], hour: usize, life_h: usize) -> Result<Vec<f32>> {
    let start = hour + 1 - WINDOW;
    let windows = recorders
        .iter()
        .enumerate()
        .map(|(c, r)| r.snapshots(c, start..hour + 1))
        .collect();
    let data = Dataset::for_forecast(windows)?;
    let samples: Vec<Sample> = (0..recorders.len())
        .map(|cluster| Sample {
            cluster,
            end: WINDOW - 1,
        })
        .collect();
    let preds = model.predict(&data, &samples)?;
    let k = life_h.clamp(1, HORIZONS);
    Ok(preds
        .iter()
        .map(|p| (p[..k].iter().sum::<f32>() / k as f32).clamp(0.0, 1.0))
        .collect())
}

impl Outcome {
    fn new(router: Router, node_rule: NodeRule, clusters: usize) -> Outcome {
        Outcome {
            router,
            node_rule,
            spot_vms_offered: 0,
            on_demand_vms_offered: 0,
            spot_vms_placed: 0,
            spot_vms_rejected: 0,
            spot_vms_evicted: 0,
            evictions: 0,
            spot_vm_hours: 0.0,
            evictions_per_1000_spot_vm_hours: 0.0,
            share_spot_evicted: 0.0,
            on_demand_rejected: 0,
            eviction_events: 0,
            spot_vms_per_cluster: vec![0; clusters],
            on_demand_rejected_per_cluster: vec![0; clusters],
            forecast_hours: 0,
            risky_cluster_hours: 0,
            first_choice_not_least_utilised: 0,
            seconds: 0.0,
        }
    }
}

/// Steps of `[from, to)` within `[warmup, end)`.
fn observed_steps(from: u32, to: u32, warmup: u32, end: u32) -> u32 {
    to.min(end).saturating_sub(from.max(warmup))
}

impl Tally {
    fn new(region: &Region, vms: usize, warmup: u32, end: u32, out: Outcome) -> Tally {
        let n = region.plans.len();
        Tally {
            running: vec![None; vms],
            owner: vec![Vec::new(); n],
            allocated: vec![0.0; n],
            cores: region.plans.iter().map(|p| p.cores.max(f64::MIN_POSITIVE)).collect(),
            life_sum: 0.0,
            life_count: 0,
            warmup,
            end,
            spot_steps: 0.0,
            out,
        }
    }

    fn shares(&self) -> Vec<f64> {
        self.allocated.iter().zip(&self.cores).map(|(a, c)| a / c).collect()
    }

    /// Expected life of an arriving spot VM, whole hours (see the module docs).
    fn expected_life_h(&self, steps_per_hour: u32) -> usize {
        if self.life_count == 0 {
            return HORIZONS;
        }
        let hours = self.life_sum / self.life_count as f64 / steps_per_hour as f64;
        (hours.ceil() as usize).clamp(1, HORIZONS)
    }

    /// VM `g` leaves on its own, if it still runs.
    fn depart(&mut self, fleets: &mut [LiveFleet], g: usize, v: &Vm) -> Result<()> {
        let Some((c, id)) = self.running[g].take() else {
            return Ok(());
        };
        fleets[c]
            .depart(id)
            .map_err(|e| EvictError::Config(format!("cluster {c}: {e}")))?;
        self.owner[c][id.0 as usize] = NONE;
        self.allocated[c] -= v.request.cpu.0 as f64;
        if v.priority == Priority::Spot {
            self.life_sum += v.lifetime() as f64;
            self.life_count += 1;
            self.spot_steps += observed_steps(v.arrival.0, v.departure.0, self.warmup, self.end) as f64;
        }
        Ok(())
    }

    /// Places VM `g` in the first cluster of `order` that admits it.
    #[allow(clippy::too_many_arguments)]
    fn arrive<'w>(
        &mut self,
        fleets: &mut [LiveFleet],
        deciders: &mut [Decider],
        recorders: &mut [NodeHours],
        order: &[usize],
        g: usize,
        v: &Vm,
        vm: &dyn Fn(usize) -> &'w Vm,
    ) -> Result<()> {
        let spot = v.priority == Priority::Spot;
        let arrival = Arrival {
            request: v.request,
            priority: v.priority,
            tenant: v.tenant,
            vm_type: v.vm_type,
            usage: None,
        };
        let mut placed = None;
        for &c in order {
            if spot && fleets[c].admitting(v.request) == 0 {
                continue;
            }
            let p = fleets[c]
                .arrive(arrival, &mut deciders[c])
                .map_err(|e| EvictError::Config(format!("cluster {c}: {e}")))?;
            self.out.eviction_events += u64::from(!p.evicted.is_empty() && v.arrival.0 >= self.warmup);
            for e in &p.evicted {
                let victim = std::mem::replace(&mut self.owner[c][e.vm.0 as usize], NONE);
                self.evicted(c, victim, vm(victim), e.step);
                recorders[c].evicted(e.step, e.server, victim, e.cores);
            }
            if p.server.is_some() {
                let owner = &mut self.owner[c];
                if owner.len() <= p.vm.0 as usize {
                    owner.resize(p.vm.0 as usize + 1, NONE);
                }
                owner[p.vm.0 as usize] = g;
                self.running[g] = Some((c, p.vm));
                self.allocated[c] += v.request.cpu.0 as f64;
                placed = Some(c);
                break;
            }
        }
        if v.arrival.0 >= self.warmup {
            // An on-demand VM's order is its home alone.
            self.count_arrival(v, order[0], placed);
        }
        Ok(())
    }

    fn count_arrival(&mut self, v: &Vm, home: usize, placed: Option<usize>) {
        let o = &mut self.out;
        match (v.priority, placed) {
            (Priority::OnDemand, p) => {
                o.on_demand_vms_offered += 1;
                o.on_demand_rejected += u64::from(p.is_none());
                o.on_demand_rejected_per_cluster[home] += u64::from(p.is_none());
            }
            (Priority::Spot, Some(c)) => {
                o.spot_vms_offered += 1;
                o.spot_vms_placed += 1;
                o.spot_vms_per_cluster[c] += 1;
            }
            (Priority::Spot, None) => {
                o.spot_vms_offered += 1;
                o.spot_vms_rejected += 1;
            }
        }
    }

    /// Spot VM `g` (`v`) was evicted from cluster `c` at `step`.
    fn evicted(&mut self, c: usize, g: usize, v: &Vm, step: Step) {
        self.running[g] = None;
        self.allocated[c] -= v.request.cpu.0 as f64;
        self.out.evictions += u64::from(step.0 >= self.warmup);
        self.out.spot_vms_evicted += u64::from(v.arrival.0 >= self.warmup);
        self.spot_steps += observed_steps(v.arrival.0, step.0, self.warmup, self.end) as f64;
    }

    /// Counts the spot VMs still running at the end and derives the rates.
    fn finish<'w>(&mut self, vm: &dyn Fn(usize) -> &'w Vm, steps_per_hour: u32) {
        for (g, r) in self.running.iter().enumerate() {
            let v = vm(g);
            if r.is_some() && v.priority == Priority::Spot {
                self.spot_steps += observed_steps(v.arrival.0, self.end, self.warmup, self.end) as f64;
            }
        }
        let o = &mut self.out;
        o.spot_vm_hours = self.spot_steps / steps_per_hour as f64;
        o.evictions_per_1000_spot_vm_hours = if o.spot_vm_hours > 0.0 {
            1000.0 * o.evictions as f64 / o.spot_vm_hours
        } else {
            0.0
        };
        o.share_spot_evicted = if o.spot_vms_placed > 0 {
            o.spot_vms_evicted as f64 / o.spot_vms_placed as f64
        } else {
            0.0
        };
    }
}
