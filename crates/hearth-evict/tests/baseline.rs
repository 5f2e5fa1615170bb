//! Naive baselines and metrics on a hand-made series with known answers.

use hearth_evict::baseline::{Baseline, Naive};
use hearth_evict::eval::{fit_and_score, rmse_mae};
use hearth_evict::snapshot::{raw, ClusterSnapshots};
use hearth_evict::{Dataset, Level, Split};

/// Two nodes over 110 hours: node 0 runs 10 spot VMs an hour and evicts
/// `t mod 4` of them (rate 0, .1, .2, .3 repeating); node 1 holds no spot VM.
fn handmade() -> Dataset {
    let hours = 110;
    let mut node_raw = vec![0.0; 2 * hours * raw::WIDTH];
    for t in 0..hours {
        let k = t * raw::WIDTH;
        node_raw[k + raw::NODE_CORES] = 64.0;
        node_raw[k + raw::SPOT_VM_COUNT] = 10.0;
        node_raw[k + raw::SPOT_RAN] = 10.0;
        node_raw[k + raw::EVICTIONS] = (t % 4) as f32;
        let k1 = (hours + t) * raw::WIDTH;
        node_raw[k1 + raw::NODE_CORES] = 64.0;
        node_raw[k1 + raw::ON_DEMAND_VM_COUNT] = 3.0;
    }
    let mut c = ClusterSnapshots {
        cluster: 0,
        nodes: 2,
        hours,
        node_raw,
        cluster_raw: vec![0.0; hours * raw::WIDTH],
    };
    c.resum();
    Dataset::new(vec![c]).unwrap()
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-5, "{a} vs {b}");
}

#[test]
fn metrics_by_hand() {
    let (rmse, mae) = rmse_mae(&[0.0, 1.0, 2.0], &[1.0, 1.0, 0.0]);
    close(rmse, (5.0f64 / 3.0).sqrt());
    close(mae, 1.0);
}

#[test]
fn last_rate_and_window_mean_on_a_cycle() {
    let data = handmade();
    assert_eq!(data.samples(Split::Test).len() % 4, 0, "whole cycles");
    for level in [Level::Cluster, Level::Node] {
        let last = fit_and_score(&mut Baseline::new(Naive::LastRate, level), &data, Split::Test, 0).unwrap();
        let all: Vec<_> = last.scores.iter().filter(|s| s.bucket == "all").collect();
        // +1: errors .1, .1, .1, -.3 ; +2: ±.2 ; +3: like +1 mirrored.
        close(all[0].rmse, 0.03f64.sqrt());
        close(all[0].mae, 0.15);
        close(all[1].rmse, 0.2);
        close(all[1].mae, 0.2);
        close(all[2].mae, 0.15);
        let mean = fit_and_score(&mut Baseline::new(Naive::WindowMean, level), &data, Split::Test, 0).unwrap();
        let all: Vec<_> = mean.scores.iter().filter(|s| s.bucket == "all").collect();
        // The window mean is .15; targets 0, .1, .2, .3 once per cycle.
        for s in all {
            close(s.rmse, 0.0125f64.sqrt());
            close(s.mae, 0.1);
        }
    }
}
