//! Fit and single-row predict times of each family, for the numbers in the design notes.
//! `cargo run --release -p hearth-ml --example ml_timing`

use std::hint::black_box;
use std::time::Instant;

use hearth_ml::{Dataset, ModelParams, Task};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn data(rows: usize, cols: usize, classify: bool) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x: Vec<f64> = (0..rows * cols).map(|_| rng.random::<f64>()).collect();
    let y = x
        .chunks_exact(cols)
        .map(|r| {
            let v = r
                .iter()
                .enumerate()
                .map(|(j, v)| v * (j % 5) as f64 - 1.0)
                .sum::<f64>()
                .sin()
                + r[0] * r[1];
            if classify {
                f64::from(v > 0.0)
            } else {
                v + 0.1 * rng.random::<f64>()
            }
        })
        .collect();
    Dataset::new(x, y, cols, vec![])
}

fn time(name: &str, params: &ModelParams, task: Task, data: &Dataset) {
    let start = Instant::now();
    let model = params.fit(task, data, 7).unwrap();
    let fit = start.elapsed();
    let n = 200_000.min(20_000_000 / model_cost(&model).max(1));
    let start = Instant::now();
    let mut acc = 0.0;
    for i in 0..n {
        acc += model.predict_row(black_box(data.row(i % data.rows)));
    }
    black_box(acc);
    let per_row = start.elapsed().as_secs_f64() / n as f64;
    let depth = model.trees().map(|t| t.max_depth()).unwrap_or(0);
    println!(
        "{name:<44} {:>6} rows × {:>3} cols  fit {:>9.3} s  predict_row {:>10.3} µs  depth {depth}",
        data.rows,
        data.cols,
        fit.as_secs_f64(),
        per_row * 1e6
    );
}

/// Rough operations per row, to keep the SVR loop short.
fn model_cost(model: &hearth_ml::Model) -> usize {
    match &model.fitted {
        hearth_ml::Fitted::Svr(s) => s.support.len(),
        _ => 1,
    }
}

fn main() {
    let place = data(20_000, 40, true);
    let c = Task::Classification;
    time(
        "tree depth 12 (placement)",
        &ModelParams::DecisionTree {
            max_depth: 12,
            min_samples_leaf: 5,
        },
        c,
        &place,
    );
    let rf = ModelParams::RandomForest {
        trees: 50,
        max_depth: 12,
        min_samples_leaf: 5,
        max_features: None,
    };
    time("forest 50 × depth 12 (placement)", &rf, c, &place);
    let gb = ModelParams::Gbdt {
        iterations: 100,
        learning_rate: 0.1,
        max_depth: 6,
    };
    time("gbdt 100 × depth 6 (placement)", &gb, c, &place);

    let evict = data(20_000, 200, false);
    let r = Task::Regression;
    time("ridge 1.0 (eviction)", &ModelParams::Linear { ridge: 1.0 }, r, &evict);
    time(
        "least squares (eviction)",
        &ModelParams::Linear { ridge: 0.0 },
        r,
        &evict,
    );
    let svr = ModelParams::Svr {
        c: 1.0,
        epsilon: 0.1,
        gamma: 0.005,
        max_train_rows: Some(2_000),
        scale_target: false,
    };
    time("svr max_train_rows 2000 (eviction)", &svr, r, &evict);
    let rf = ModelParams::RandomForest {
        trees: 50,
        max_depth: 12,
        min_samples_leaf: 5,
        max_features: None,
    };
    time("forest 50 × depth 12 (eviction)", &rf, r, &evict);
    time("gbdt 100 × depth 6 (eviction)", &gb, r, &evict);
}
