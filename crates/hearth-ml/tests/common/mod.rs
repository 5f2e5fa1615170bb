//! Synthetic data for the tests: small, seeded, split by index.
#![allow(dead_code)]

use hearth_ml::{Dataset, ModelParams};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `rows` rows of `cols` uniform features in [0, 1) and a target computed from them.
pub fn synthetic(rows: usize, cols: usize, seed: u64, target: impl Fn(&[f64], f64) -> f64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f64> = (0..rows * cols).map(|_| rng.random::<f64>()).collect();
    let y = x
        .chunks_exact(cols)
        .map(|r| target(r, rng.random::<f64>() - 0.5))
        .collect();
    Dataset::new(x, y, cols, (0..cols).map(|j| format!("f{j}")).collect())
}

/// y = 1 if x0 > 0.5.
pub fn step(rows: usize, seed: u64) -> Dataset {
    synthetic(rows, 3, seed, |r, _| f64::from(r[0] > 0.5))
}

/// y = 2 x0 − x1 + uniform noise of width 0.2.
pub fn plane(rows: usize, seed: u64) -> Dataset {
    synthetic(rows, 4, seed, |r, e| 2.0 * r[0] - r[1] + 0.2 * e)
}

/// One of each family, small enough for dev-profile tests.
pub fn families() -> Vec<ModelParams> {
    vec![
        ModelParams::Linear { ridge: 0.0 },
        ModelParams::Linear { ridge: 1.0 },
        ModelParams::Svr {
            c: 10.0,
            epsilon: 0.05,
            gamma: 0.2,
            max_train_rows: Some(200),
            scale_target: false,
        },
        ModelParams::DecisionTree {
            max_depth: 8,
            min_samples_leaf: 3,
        },
        ModelParams::RandomForest {
            trees: 30,
            max_depth: 10,
            min_samples_leaf: 2,
            max_features: None,
        },
        ModelParams::Gbdt {
            iterations: 60,
            learning_rate: 0.2,
            max_depth: 3,
        },
    ]
}

pub fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}
