//! The scenario is deterministic and its snapshots account for the simulation.

mod common;

use common::*;
use hearth_evict::scenario::{cluster_workload, plan};
use hearth_evict::snapshot::{rate_distribution, raw};
use hearth_sim::{Admission, Fleet, SimConfig};
use hearth_trace::Priority;

#[test]
fn same_seed_same_snapshots_other_seed_differs() {
    let a = run_small(7);
    let b = run_small(7);
    let c = run_small(8);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.snapshots.node_raw, y.snapshots.node_raw);
        assert_eq!(x.summary.evictions, y.summary.evictions);
    }
    assert_ne!(a[0].snapshots.node_raw, c[0].snapshots.node_raw);
}

#[test]
fn snapshots_count_what_the_simulation_did() {
    let config = small_config(3);
    let (arrivals, nodes) = openb();
    let plans = plan(&config, &nodes).unwrap();
    let runs = run_small(3);
    let mut any_eviction = false;
    for (p, run) in plans.iter().zip(&runs) {
        let s = &run.snapshots;
        assert_eq!(s.hours, 144);
        // Every eviction after the warm-up is in the snapshots, on its node.
        let w = cluster_workload(&config, p, &arrivals).unwrap();
        let sim = SimConfig {
            admission: Admission::Requests {
                cpu_oversub: 1.0,
                memory_oversub: 1.0,
            },
            overload_threshold: 1.0,
            seed: p.seed,
        };
        let fleet = Fleet {
            capacities: p.nodes.clone(),
        };
        let mut final_residents = Vec::new();
        let m = hearth_sim::run_observed(&w, &fleet, &sim, &mut best_fit(), &mut |v| {
            if v.now().0 == (12 + 144) * 6 - 1 {
                final_residents = v.ids().map(|id| v.residents(id).to_vec()).collect();
            }
        })
        .unwrap();
        let warm = 12 * 6;
        let counted: f32 = (0..s.hours).map(|h| s.cluster(h)[raw::EVICTIONS]).sum();
        let logged = m
            .eviction_log
            .iter()
            .filter(|e| e.step.0 >= warm && e.step.0 < warm + 144 * 6)
            .count();
        assert_eq!(counted as usize, logged);
        assert_eq!(m.evictions, run.summary.evictions);
        any_eviction |= logged > 0;
        // The last hour's state matches the residents at its last step.
        assert_eq!(final_residents.len(), p.nodes.len(), "the run reaches the last hour");
        {
            for (n, res) in final_residents.iter().enumerate() {
                let r = s.node(n, s.hours - 1);
                let spot = res
                    .iter()
                    .filter(|id| w.vms[id.0 as usize].priority == Priority::Spot)
                    .count();
                assert_eq!(r[raw::SPOT_VM_COUNT] as usize, spot);
                assert_eq!(r[raw::ON_DEMAND_VM_COUNT] as usize, res.len() - spot);
                let cores: f32 = res.iter().map(|id| w.vms[id.0 as usize].request.cpu.0).sum();
                assert!((r[raw::SPOT_VM_CORES] + r[raw::ON_DEMAND_VM_CORES] - cores).abs() < 1e-3);
            }
        }
        // Rates are well formed: evicted ≤ ran.
        for h in 0..s.hours {
            for n in 0..s.nodes {
                let r = s.node(n, h);
                assert!(r[raw::EVICTIONS] <= r[raw::SPOT_RAN], "node {n} hour {h}: {r:?}");
            }
        }
    }
    assert!(any_eviction, "the high-demand cluster must evict");
    let snaps: Vec<_> = runs.iter().map(|r| &r.snapshots).collect();
    let d = rate_distribution(&snaps);
    assert!((d[0].shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
}
