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
use crate::predictor::Predictor;
use crate::region_outcome::Tally;
use crate::router::{rank, ClusterState, Router};
use crate::scenario::{ClusterPlan, ScenarioConfig};
use crate::snapshot::{band_of, NodeHours};
use hearth_sim::{Decider, Fleet, LiveFleet, Policy};
use hearth_trace::{Priority, Step, Vm, Workload};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use crate::node_risk::NodeRule;
pub use crate::region_outcome::Outcome;

/// The region: every cluster's plan and composed workload.
pub struct Region<'a> {
    pub config: &'a ScenarioConfig,
    pub plans: &'a [ClusterPlan],
    pub workloads: &'a [Workload],
    /// Hours observed after the warm-up.
    pub hours: usize,
}

/// One regional VM: its home cluster and its index in that cluster's workload.
#[derive(Clone, Copy)]
struct Key {
    home: usize,
    index: usize,
}

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
    let keys: Vec<Key> = (0..region.plans.len())
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
    let arm = (router, node_rule, model);
    let mut r = Lockstep::new(region, arm, make_policy, seed, keys.len(), (warmup, end));
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

impl<'m> Lockstep<'m> {
    /// The region at step 0: empty fleets, a decider per cluster, no forecast yet.
    fn new(
        region: &Region,
        (router, node_rule, model): (Router, NodeRule, Option<&'m dyn Predictor>),
        make_policy: &dyn Fn() -> Box<dyn Policy>,
        seed: u64,
        vms: usize,
        (warmup, end): (u32, u32),
    ) -> Lockstep<'m> {
        let n = region.plans.len();
        let (sph, total_hours) = (
            region.config.steps_per_hour(),
            region.config.warmup_hours() + region.hours,
        );
        Lockstep {
            router,
            model,
            fleets: region.plans.iter().map(live_fleet).collect(),
            deciders: (0..n).map(|_| node_rule.decider(make_policy())).collect(),
            recorders: region
                .plans
                .iter()
                .map(|p| NodeHours::new(&p.nodes, vms, sph, total_hours))
                .collect(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0a7e_5107),
            risk: None,
            t: Tally::new(region.plans, vms, warmup, end, Outcome::new(router, node_rule, n)),
        }
    }

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
