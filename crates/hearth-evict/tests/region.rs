//! The region's routers on a two-cluster hand scenario with known answers,
//! hourly steps, four days, no warm-up:
//! - cluster 0: one 16-core node holding `persistent` on-demand cores all
//!   run long, and an on-demand VM of `churn` cores at every even hour for
//!   one hour (it evicts any spot VM in its way);
//! - cluster 1: one 16-core node holding 8 on-demand cores all run long;
//! - spot: a 1-core VM at every odd hour, for two hours.

mod common;

use common::openb;
use hearth_evict::models;
use hearth_evict::node_risk::{NodeRisk, SpotRule};
use hearth_evict::region::{run, NodeRule, Outcome, Region};
use hearth_evict::router::Router;
use hearth_evict::scenario::{ClusterPlan, ScenarioConfig};
use hearth_evict::Level;
use hearth_sim::{Admission, Arrival, Decider, Fleet, LiveFleet, Policy, ServerId, SimConfig};
use hearth_trace::{Priority, Resources, Step, Vm, Workload};

const HOURS: u32 = 96;

fn vm(arrival: u32, life: u32, cores: f32, priority: Priority) -> Vm {
    let (request, used) = (Resources::new(cores, cores), Resources::new(1.0, 1.0));
    Vm::steady(Step(arrival), life, request, used, priority)
}

fn config() -> ScenarioConfig {
    ScenarioConfig {
        clusters: 2,
        nodes_per_cluster: 1,
        days: HOURS as f64 / 24.0,
        warmup_days: 0.0,
        step_seconds: 3600,
        ..Default::default()
    }
}

fn plans() -> Vec<ClusterPlan> {
    (0..2)
        .map(|index| ClusterPlan {
            index,
            nodes: vec![Resources::new(16.0, 64.0)],
            cores: 16.0,
            demand_ratio: 0.5,
            peak_hour: 0.0,
            seed: index as u64,
        })
        .collect()
}

fn workloads(persistent: f32, churn: f32) -> Vec<Workload> {
    let mut home0 = Vec::new();
    if persistent > 0.0 {
        home0.push(vm(0, HOURS + 10, persistent, Priority::OnDemand));
    }
    let mut home1 = vec![vm(0, HOURS + 10, 8.0, Priority::OnDemand)];
    for h in 0..HOURS {
        if h % 2 == 0 {
            home0.push(vm(h, 1, churn, Priority::OnDemand));
        } else {
            // Spot VMs are submitted to either cluster; routers ignore the home.
            let home = if h % 4 == 1 { &mut home0 } else { &mut home1 };
            home.push(vm(h, 2, 1.0, Priority::Spot));
        }
    }
    [home0, home1]
        .into_iter()
        .map(|vms| Workload::new(3600, vms, Default::default()).unwrap())
        .collect()
}

fn best_fit() -> Box<dyn Policy> {
    hearth_place::heuristic("best-fit").unwrap()
}

fn route(persistent: f32, churn: f32, router: Router, rule: NodeRule, seed: u64) -> Outcome {
    let (config, plans, workloads) = (config(), plans(), workloads(persistent, churn));
    let region = Region {
        config: &config,
        plans: &plans,
        workloads: &workloads,
        hours: HOURS as usize,
    };
    let model = models::build("last-rate", Level::Cluster, &Default::default()).unwrap();
    let model = router.needs_model().then_some(model.as_ref());
    run(&region, router, rule, model, &best_fit, seed, &|| {}).unwrap()
}

#[test]
fn least_utilised_avoids_the_cluster_full_of_churn() {
    // Cluster 0 is at 75% (12 of 16 cores) when spot VMs arrive, cluster 1 at 50%.
    let lu = route(12.0, 4.0, Router::LeastUtilised, NodeRule::BestFit, 0);
    assert_eq!(lu.spot_vms_per_cluster, vec![0, 48]);
    assert_eq!(lu.evictions, 0);
    let random = route(12.0, 4.0, Router::Random, NodeRule::BestFit, 0);
    assert!(random.spot_vms_per_cluster[0] > 0, "{random:?}");
    // Every spot VM sent to cluster 0 is evicted by the next churn VM (the
    // one of hour 95, if sent there, outlives the run).
    let to_0 = random.spot_vms_per_cluster[0];
    assert!(random.evictions == to_0 || random.evictions + 1 == to_0, "{random:?}");
    assert_eq!(random.on_demand_rejected, 0);
    assert!((random.share_spot_evicted - random.evictions as f64 / 48.0).abs() < 1e-12);
}

#[test]
fn eviction_aware_leaves_a_cluster_that_looks_idle_but_evicts() {
    // Cluster 0 is empty when spot VMs arrive (share 0 < 0.5): least-utilised
    // sends every spot VM there, and the 16-core churn VM evicts each one.
    let lu = route(0.0, 16.0, Router::LeastUtilised, NodeRule::BestFit, 0);
    assert_eq!(lu.spot_vms_per_cluster, vec![48, 0]);
    // All but the last, whose churn VM would come after the run.
    assert_eq!(lu.evictions, 47);
    assert_eq!(lu.share_spot_evicted, 47.0 / 48.0);
    // With a last-rate model, from hour 47 on a cluster whose last hour
    // evicted everything is in the top band and the VM goes to cluster 1.
    // Then cluster 0 runs no spot VM for an hour, its rate reads 0, and the
    // next VM goes back: of the 24 spot VMs after hour 47, 12 are spared.
    let ea = route(0.0, 16.0, Router::EvictionAware, NodeRule::BestFit, 0);
    assert_eq!(ea.forecast_hours, HOURS as usize - 47);
    assert_eq!(ea.spot_vms_per_cluster, vec![36, 12]);
    assert_eq!(ea.evictions + 12, lu.evictions);
    // Spread: random within the calm band, so cluster 1 gets the spot VMs
    // of risky hours and about half of the rest.
    let spread = route(0.0, 16.0, Router::EvictionAwareSpread, NodeRule::BestFit, 0);
    assert!(spread.evictions < lu.evictions, "{spread:?}");
    assert!(spread.spot_vms_per_cluster[1] > 12, "{spread:?}");
    assert_eq!(ea.on_demand_rejected, 0);
}

#[test]
fn routers_see_equal_load_and_runs_repeat() {
    let runs: Vec<Outcome> = Router::ALL
        .iter()
        .map(|&r| route(12.0, 4.0, r, NodeRule::SpotShield, 3))
        .collect();
    for o in &runs {
        assert_eq!(o.spot_vms_offered, 48);
        assert_eq!(o.on_demand_vms_offered, runs[0].on_demand_vms_offered);
        assert_eq!(o.spot_vms_placed + o.spot_vms_rejected, 48);
    }
    let again = route(12.0, 4.0, Router::Random, NodeRule::SpotShield, 3);
    let other = route(12.0, 4.0, Router::Random, NodeRule::SpotShield, 4);
    let strip = |o: &Outcome| Outcome {
        seconds: 0.0,
        ..o.clone()
    };
    assert_eq!(strip(&again), strip(&runs[0]));
    assert_ne!(strip(&other).spot_vms_per_cluster, strip(&runs[0]).spot_vms_per_cluster);
}

#[test]
fn eviction_aware_needs_a_model() {
    let (config, plans, workloads) = (config(), plans(), workloads(0.0, 16.0));
    let region = Region {
        config: &config,
        plans: &plans,
        workloads: &workloads,
        hours: HOURS as usize,
    };
    let err = run(
        &region,
        Router::EvictionAware,
        NodeRule::BestFit,
        None,
        &best_fit,
        0,
        &|| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("needs a model"), "{err}");
}

fn arrive(fleet: &mut LiveFleet, d: &mut Decider, cores: f32, priority: Priority) -> Option<ServerId> {
    let a = Arrival {
        request: Resources::new(cores, cores),
        priority,
        tenant: None,
        vm_type: None,
        usage: None,
    };
    fleet.arrive(a, d).unwrap().server
}

/// An empty live fleet of three 16-core servers with `gib` GiB each.
fn three_servers(gib: f32) -> LiveFleet {
    let sim = SimConfig {
        admission: Admission::Requests {
            cpu_oversub: 1.0,
            memory_oversub: 1.0,
        },
        overload_threshold: 1.0,
        seed: 0,
    };
    let fleet = Fleet {
        capacities: vec![Resources::new(16.0, gib); 3],
    };
    LiveFleet::new(&fleet, &sim, false)
}

#[test]
fn spot_shield_stacks_spot_away_from_on_demand() {
    let mut f = three_servers(64.0);
    let mut d = Decider::Online(Box::new(NodeRisk {
        rule: SpotRule::Shield,
        on_demand: best_fit(),
    }));
    let mut bf = Decider::Online(best_fit());
    assert_eq!(arrive(&mut f, &mut d, 8.0, Priority::OnDemand), Some(ServerId(0)));
    // Best-fit would put the spot VM beside the on-demand one, on server 0.
    let mut g = three_servers(64.0);
    arrive(&mut g, &mut bf, 8.0, Priority::OnDemand);
    assert_eq!(arrive(&mut g, &mut bf, 2.0, Priority::Spot), Some(ServerId(0)));
    // The shield: an empty server (the highest id of equals), then the one with spot cores.
    assert_eq!(arrive(&mut f, &mut d, 2.0, Priority::Spot), Some(ServerId(2)));
    assert_eq!(arrive(&mut f, &mut d, 1.0, Priority::Spot), Some(ServerId(2)));
}

#[test]
fn least_reclaimable_hides_spot_in_on_demand_gaps() {
    let mut f = three_servers(16.0);
    let mut d = Decider::Online(Box::new(NodeRisk {
        rule: SpotRule::LeastReclaimable,
        on_demand: best_fit(),
    }));
    // Server 0: 12 on-demand cores; server 1: 8 on-demand and 6 spot cores
    // (best-fit is fuller there: 2 free cores against 4).
    assert_eq!(arrive(&mut f, &mut d, 12.0, Priority::OnDemand), Some(ServerId(0)));
    let mut bf = Decider::Online(best_fit());
    assert_eq!(arrive(&mut f, &mut bf, 8.0, Priority::OnDemand), Some(ServerId(1)));
    assert_eq!(arrive(&mut f, &mut bf, 6.0, Priority::Spot), Some(ServerId(1)));
    // Best-fit would take server 1; the least reclaimable room is on server 0.
    assert_eq!(arrive(&mut f, &mut d, 2.0, Priority::Spot), Some(ServerId(0)));
    assert_eq!(arrive(&mut f, &mut d, 2.0, Priority::Spot), Some(ServerId(0)));
    // Server 0 is full: server 1 (reclaimable 8 - 1) before the empty server 2 (16 - 1).
    assert_eq!(arrive(&mut f, &mut d, 1.0, Priority::Spot), Some(ServerId(1)));
}

#[test]
fn one_cluster_region_replays_the_engine() {
    // With one cluster every router sends spot VMs home: the live fleets
    // driven in lockstep must evict and reject exactly as the engine does.
    let config = ScenarioConfig {
        clusters: 1,
        nodes_per_cluster: 12,
        days: 3.0,
        warmup_days: 0.0,
        demand_range: (1.1, 1.1),
        seed: 2,
        ..Default::default()
    };
    let (arrivals, nodes) = openb();
    let plans = hearth_evict::scenario::plan(&config, &nodes).unwrap();
    let w = hearth_evict::scenario::cluster_workload(&config, &plans[0], &arrivals).unwrap();
    let engine =
        hearth_evict::scenario::simulate(&config, &arrivals, &nodes, &|| Decider::Online(best_fit()), 1, &|_| {})
            .unwrap()
            .remove(0)
            .summary;
    assert!(engine.evictions > 0 && engine.rejections > 0, "{engine:?}");
    let region = Region {
        config: &config,
        plans: &plans,
        workloads: std::slice::from_ref(&w),
        hours: config.hours(),
    };
    let o = run(&region, Router::Random, NodeRule::BestFit, None, &best_fit, 0, &|| {}).unwrap();
    assert_eq!(o.evictions, engine.evictions);
    assert_eq!(o.spot_vms_rejected, engine.rejected_spot);
    assert_eq!(o.on_demand_rejected + o.spot_vms_rejected, engine.rejections);
    assert_eq!(o.spot_vms_offered as usize, engine.spot_vms);
}
