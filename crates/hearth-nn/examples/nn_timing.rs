//! Measures training-step and inference cost on random data.
//!
//! `cargo run --release -p hearth-nn --example nn_timing -- st <nodes> <max_nodes> <batch> [steps] [features]`
//! `cargo run --release -p hearth-nn --example nn_timing -- lstm <batch> [steps] [features]`

use std::time::Instant;

use hearth_nn::{ClusterData, ClusterSample, ClusterSeries, LstmRegressor, Seq3, SeqData, StTransformer, TrainConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn arg(args: &[String], i: usize, default: usize) -> usize {
    args.get(i).map_or(default, |a| a.parse().expect("a number"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("lstm") => lstm(arg(&args, 2, 32), arg(&args, 3, 48), arg(&args, 4, 16)),
        _ => st(
            arg(&args, 2, 50),
            arg(&args, 3, 64),
            arg(&args, 4, 8),
            arg(&args, 5, 48),
            arg(&args, 6, 16),
        ),
    }
}

fn train(batch: usize) -> TrainConfig {
    TrainConfig {
        epochs: 1,
        batch_size: batch,
        learning_rate: 1e-3,
        valid_fraction: 0.0,
        patience: 1,
    }
}

fn st(nodes: usize, max_nodes: usize, batch: usize, steps: usize, features: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let time = steps + 12 * batch;
    let v = (0..nodes * time * features)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let series = ClusterSeries::new(v, [nodes, time, features]).unwrap();
    let samples = (steps..steps + 12 * batch)
        .map(|end| ClusterSample {
            series: 0,
            end,
            weights: vec![1.0; nodes],
            target: vec![0.1, 0.2, 0.3],
        })
        .collect();
    let data = ClusterData::new(vec![series], samples, steps).unwrap();
    let cfg = StTransformer {
        max_nodes,
        train: train(batch),
        ..StTransformer::default()
    };
    let fitted = cfg.fit(&data, 0).unwrap();
    let r = fitted.report();
    println!(
        "st nodes {nodes} max_nodes {max_nodes} steps {steps} features {features} batch {batch}: {:.1} ms per training step ({} steps)",
        1e3 * r.seconds / r.steps as f64,
        r.steps
    );
    let se = &data.series()[0];
    let p = fitted.predict_nodes(se, time).unwrap();
    println!("  prediction fingerprint {:016x}", fingerprint(&p));
    let t = Instant::now();
    let reps = 5;
    for _ in 0..reps {
        fitted.predict_nodes(se, time).unwrap();
    }
    println!(
        "  inference, one window of {nodes} nodes: {:.1} ms",
        1e3 * t.elapsed().as_secs_f64() / reps as f64
    );
}

fn lstm(batch: usize, steps: usize, features: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let n = 8 * batch;
    let x = (0..n * steps * features).map(|_| rng.random_range(-1.0..1.0)).collect();
    let data = SeqData::new(Seq3::new(x, [n, steps, features]).unwrap(), vec![0.0; n * 3], 3).unwrap();
    let fitted = LstmRegressor {
        hidden: 32,
        train: train(batch),
    }
    .fit(&data, 0)
    .unwrap();
    let r = fitted.report();
    println!(
        "lstm batch {batch} steps {steps} features {features} hidden 32: {:.1} ms per training step",
        1e3 * r.seconds / r.steps as f64
    );
    let one = Seq3::new(data.x().values()[..steps * features].to_vec(), [1, steps, features]).unwrap();
    let t = Instant::now();
    (0..20).for_each(|_| drop(fitted.predict(&one).unwrap()));
    println!(
        "  inference, one sample: {:.2} ms",
        1e3 * t.elapsed().as_secs_f64() / 20.0
    );
}

/// Order-sensitive hash of the exact bits, to compare runs across processes.
fn fingerprint(values: &[f32]) -> u64 {
    values.iter().fold(0xcbf2_9ce4_8422_2325, |h, v| {
        (h ^ u64::from(v.to_bits())).wrapping_mul(0x100_0000_01b3)
    })
}
