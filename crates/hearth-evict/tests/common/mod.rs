#![allow(dead_code, clippy::needless_range_loop)]
//! Shared fixtures: the shipped openb samples and a small scenario.

use hearth_evict::predictor::{Learner, Regressor};
use hearth_evict::scenario::{simulate, ClusterRun, ScenarioConfig};
use hearth_evict::Result;
use hearth_sim::Decider;
use hearth_trace::{import_paths, Format, ImportOptions, Resources, Source, Workload};
use std::path::PathBuf;

fn sample(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/samples")
        .join(p)
}

pub fn openb() -> (Workload, Vec<Resources>) {
    let opts = ImportOptions::default();
    let pods = sample("alibaba-openb-2023/openb_pod_list_default.csv");
    let arrivals = import_paths(Format::AlibabaOpenb, &[pods], &opts).unwrap().workload;
    let source = Source::open(&sample("alibaba-openb-2023/openb_node_list_all_node.csv")).unwrap();
    let nodes = hearth_trace::formats::alibaba_openb::read_nodes(source, &opts).unwrap();
    (arrivals, nodes)
}

pub fn skypilot(p: &str) -> PathBuf {
    sample(&format!("skypilot-spot/{p}"))
}

pub fn small_config(seed: u64) -> ScenarioConfig {
    ScenarioConfig {
        clusters: 3,
        nodes_per_cluster: 12,
        days: 6.0,
        warmup_days: 0.5,
        demand_range: (0.5, 1.2),
        seed,
        ..Default::default()
    }
}

pub fn best_fit() -> Decider {
    Decider::Online(hearth_place::heuristic("best-fit").unwrap())
}

pub fn run_small(seed: u64) -> Vec<ClusterRun> {
    let (arrivals, nodes) = openb();
    simulate(&small_config(seed), &arrivals, &nodes, &best_fit, 1, &|_| {}).unwrap()
}

/// Ridge regression on standardised columns (normal equations, Cholesky):
/// a stand-in learner that exercises the tabular seam without hearth-ml.
pub struct Ridge(pub f64);

struct Fitted {
    mean: Vec<f64>,
    scale: Vec<f64>,
    w: Vec<f64>,
    b: f64,
}

impl Regressor for Fitted {
    fn predict_row(&self, row: &[f64]) -> f64 {
        self.b
            + row
                .iter()
                .enumerate()
                .map(|(j, v)| (v - self.mean[j]) / self.scale[j] * self.w[j])
                .sum::<f64>()
    }
}

impl Learner for Ridge {
    fn name(&self) -> String {
        "ridge".into()
    }

    fn fit(&self, x: Vec<f64>, y: Vec<f64>, cols: usize, _seed: u64) -> Result<Box<dyn Regressor>> {
        let n = y.len();
        let mean: Vec<f64> = (0..cols)
            .map(|j| (0..n).map(|i| x[i * cols + j]).sum::<f64>() / n as f64)
            .collect();
        let scale: Vec<f64> = (0..cols)
            .map(|j| {
                let v = (0..n).map(|i| (x[i * cols + j] - mean[j]).powi(2)).sum::<f64>() / n as f64;
                if v > 1e-12 {
                    v.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        let z = |i: usize, j: usize| (x[i * cols + j] - mean[j]) / scale[j];
        let b = y.iter().sum::<f64>() / n as f64;
        let mut a = vec![0.0; cols * cols];
        let mut r = vec![0.0; cols];
        for i in 0..n {
            let zi: Vec<f64> = (0..cols).map(|j| z(i, j)).collect();
            for j in 0..cols {
                r[j] += zi[j] * (y[i] - b);
                for k in 0..=j {
                    a[j * cols + k] += zi[j] * zi[k];
                }
            }
        }
        for j in 0..cols {
            a[j * cols + j] += self.0 * n as f64;
            for k in 0..j {
                a[k * cols + j] = a[j * cols + k];
            }
        }
        let w = solve_spd(a, r, cols);
        Ok(Box::new(Fitted { mean, scale, w, b }))
    }
}

fn solve_spd(mut a: Vec<f64>, mut r: Vec<f64>, n: usize) -> Vec<f64> {
    for j in 0..n {
        let d = (a[j * n + j] - (0..j).map(|k| a[j * n + k].powi(2)).sum::<f64>()).sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            a[i * n + j] = (a[i * n + j] - (0..j).map(|k| a[i * n + k] * a[j * n + k]).sum::<f64>()) / d;
        }
    }
    for i in 0..n {
        r[i] = (r[i] - (0..i).map(|k| a[i * n + k] * r[k]).sum::<f64>()) / a[i * n + i];
    }
    for i in (0..n).rev() {
        r[i] = (r[i] - (i + 1..n).map(|k| a[k * n + i] * r[k]).sum::<f64>()) / a[i * n + i];
    }
    r
}
