//! Synthetic patterns the models must learn better than the training mean.

#![allow(dead_code)]

use hearth_nn::{ClusterData, ClusterSample, ClusterSeries, Seq3, SeqData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const HORIZONS: usize = 3;

/// `[n, steps, features]` uniform noise; target h = (1 + h/2) × mean of feature 0 over the last
/// 3 steps.
pub fn seq_data(n: usize, steps: usize, features: usize, seed: u64) -> SeqData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f32> = (0..n * steps * features).map(|_| rng.random_range(-1.0..1.0)).collect();
    let mut y = Vec::with_capacity(n * HORIZONS);
    for i in 0..n {
        let f0 = |t: usize| x[(i * steps + t) * features];
        let m = (f0(steps - 1) + f0(steps - 2) + f0(steps - 3)) / 3.0;
        y.extend((0..HORIZONS).map(|h| m * (1.0 + h as f32 / 2.0)));
    }
    SeqData::new(Seq3::new(x, [n, steps, features]).unwrap(), y, HORIZONS).unwrap()
}

/// Training-mean baseline and model MSE on rows `from..` of `y` vs `pred` (both `[n, horizons]`).
pub fn mse_vs_mean(y: &[f32], pred: &[f32], train_rows: usize, horizons: usize) -> (f64, f64) {
    let mean: Vec<f64> = (0..horizons)
        .map(|h| (0..train_rows).map(|i| f64::from(y[i * horizons + h])).sum::<f64>() / train_rows as f64)
        .collect();
    let (mut base, mut model, mut k) = (0.0, 0.0, 0);
    for i in train_rows * horizons..y.len() {
        base += (f64::from(y[i]) - mean[i % horizons]).powi(2);
        model += (f64::from(y[i]) - f64::from(pred[i])).powi(2);
        k += 1;
    }
    (base / k as f64, model / k as f64)
}

/// Clusters of the given sizes over `time` points with `features` uniform features; weights are
/// random per sample; cluster target h = (1 + h/2) × weighted mean over nodes of feature 0 at the
/// last step of the window. Samples interleave clusters in time order.
pub fn cluster_data(sizes: &[usize], time: usize, steps: usize, features: usize, seed: u64) -> ClusterData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let series: Vec<ClusterSeries> = sizes
        .iter()
        .map(|n| {
            let v = (0..n * time * features).map(|_| rng.random_range(-1.0..1.0)).collect();
            ClusterSeries::new(v, [*n, time, features]).unwrap()
        })
        .collect();
    let mut samples = Vec::new();
    for end in steps..=time {
        for (c, se) in series.iter().enumerate() {
            let weights: Vec<f32> = (0..se.nodes()).map(|_| rng.random_range(0.0..5.0)).collect();
            let target = cluster_target(se, end, &weights, features);
            samples.push(ClusterSample {
                series: c,
                end,
                weights,
                target,
            });
        }
    }
    ClusterData::new(series, samples, steps).unwrap()
}

pub fn cluster_target(se: &ClusterSeries, end: usize, weights: &[f32], features: usize) -> Vec<f32> {
    let time = se.time();
    let total: f32 = weights.iter().sum();
    let m: f32 = (0..se.nodes())
        .map(|n| weights[n] * se.values()[(n * time + end - 1) * features])
        .sum::<f32>()
        / total;
    (0..HORIZONS).map(|h| m * (1.0 + h as f32 / 2.0)).collect()
}
