//! The scenario's offered demand is stationary: every day after the warm-up
//! offers the same on-demand core demand, within ±5%, in every cluster.
//! (Issue 22: shifted copies of openb clipped lifetimes at the run's end, and
//! the daily thinning treated VMs already running at step 0 as arrivals at
//! hour 0, so demand rose or fell 1.3–3× over the run.) Clusters of 300
//! nodes, so that a few large long-lived pods do not swing a day's demand:
//! at 50 nodes single days still vary by ±15% around a flat mean.

mod common;

use common::*;
use hearth_evict::scenario::{cluster_workload, plan, ScenarioConfig};
use hearth_trace::{Priority, Workload};

/// Mean on-demand core demand of each whole day of the workload, counting
/// every VM as admitted (cores).
fn daily_on_demand_cores(w: &Workload, days: usize) -> Vec<f64> {
    let steps_per_day = (86_400 / w.step_seconds) as usize;
    let mut per_day = vec![0.0; days];
    for vm in w.vms.iter().filter(|vm| vm.priority == Priority::OnDemand) {
        for step in vm.arrival.0 as usize..vm.departure.0 as usize {
            if let Some(d) = per_day.get_mut(step / steps_per_day) {
                *d += vm.request.cpu.0 as f64;
            }
        }
    }
    per_day.iter().map(|c| c / steps_per_day as f64).collect()
}

#[test]
fn daily_offered_on_demand_demand_is_flat_after_warm_up() {
    let config = ScenarioConfig {
        clusters: 4,
        nodes_per_cluster: 300,
        days: 13.0,
        warmup_days: 1.0,
        seed: 7,
        ..Default::default()
    };
    let (arrivals, nodes) = openb();
    for p in plan(&config, &nodes).unwrap() {
        let w = cluster_workload(&config, &p, &arrivals).unwrap();
        let daily = daily_on_demand_cores(&w, 14);
        let observed = &daily[1..];
        let mean = observed.iter().sum::<f64>() / observed.len() as f64;
        for (day, d) in observed.iter().enumerate() {
            assert!(
                (d / mean - 1.0).abs() <= 0.05,
                "cluster {}: day {} offers {d:.1} on-demand cores against a mean of {mean:.1} after warm-up",
                p.index,
                day + 1
            );
        }
    }
}
