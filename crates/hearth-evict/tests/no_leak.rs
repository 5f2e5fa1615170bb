//! No input depends on anything at or after the prediction time: perturbing
//! every snapshot after hour `h` leaves sample `h`'s inputs (and every
//! forecast made from them) unchanged, while its targets change.

mod common;

use common::*;
use hearth_evict::baseline::{Baseline, Naive};
use hearth_evict::models::{build, expand, ModelOptions};
use hearth_evict::nn_options::NnOptions;
use hearth_evict::snapshot::raw;
use hearth_evict::{Dataset, Level, Predictor, Sample, Split, Tabular, WINDOW};

fn inputs(d: &Dataset, s: Sample) -> Vec<f32> {
    let mut out = vec![0.0; d.row_width()];
    d.cluster_window(s, &mut out);
    let mut all = out.clone();
    for n in 0..d.nodes(s.cluster) {
        d.node_window(s, n, &mut out);
        all.extend_from_slice(&out);
        all.push(d.node_weight(s, n));
    }
    all
}

#[test]
fn perturbing_the_future_changes_targets_not_inputs() {
    let runs = run_small(11);
    let snaps: Vec<_> = runs.into_iter().map(|r| r.snapshots).collect();
    let data = Dataset::new(snaps.clone()).unwrap();
    let mut ridge = Tabular::new(Box::new(Ridge(1.0)), Level::Cluster, 10_000);
    ridge.fit(&data, 1).unwrap();
    let mut node_ridge = Tabular::new(Box::new(Ridge(1.0)), Level::Node, 2_000);
    node_ridge.fit(&data, 1).unwrap();
    let models: Vec<Box<dyn Predictor>> = vec![
        Box::new(Baseline::new(Naive::LastRate, Level::Cluster)),
        Box::new(Baseline::new(Naive::WindowMean, Level::Node)),
        Box::new(ridge),
        Box::new(node_ridge),
    ];
    let test = data.samples(Split::Test);
    for &s in [test[0], test[test.len() / 2], *test.last().unwrap()].iter() {
        let mut future = snaps.clone();
        let c = &mut future[s.cluster];
        for n in 0..c.nodes {
            for h in s.end + 1..c.hours {
                let k = (n * c.hours + h) * raw::WIDTH;
                for col in 0..raw::WIDTH {
                    c.node_raw[k + col] = c.node_raw[k + col] * 1.7 + 3.0 + (n + h + col) as f32;
                }
                c.node_raw[k + raw::EVICTIONS] = (h % 5) as f32;
                c.node_raw[k + raw::SPOT_RAN] = 9.0;
            }
        }
        c.resum();
        let perturbed = Dataset::new(future).unwrap();
        assert_eq!(
            inputs(&data, s),
            inputs(&perturbed, s),
            "inputs of sample ending at {}",
            s.end
        );
        assert_ne!(data.targets(s), perturbed.targets(s), "targets must see the future");
        for m in &models {
            assert_eq!(
                m.predict(&data, &[s]).unwrap(),
                m.predict(&perturbed, &[s]).unwrap(),
                "{} at {} level",
                m.name(),
                m.level().name()
            );
        }
        // And the window does reach the prediction hour itself.
        let mut now = snaps.clone();
        now[s.cluster].node_raw[s.end * raw::WIDTH + raw::SPOT_VM_COUNT] += 1.0;
        now[s.cluster].resum();
        assert_ne!(inputs(&data, s), inputs(&Dataset::new(now).unwrap(), s));
    }
    assert!(test.iter().all(|s| s.end + 1 >= WINDOW));
}

#[test]
fn no_training_target_lies_in_a_later_split() {
    let runs = run_small(2);
    let data = Dataset::new(runs.into_iter().map(|r| r.snapshots).collect()).unwrap();
    let cuts = data.cuts;
    assert!(data.samples(Split::Train).iter().all(|s| s.end + 3 < cuts.train));
    assert!(data
        .samples(Split::Validation)
        .iter()
        .all(|s| s.end + 1 >= cuts.train && s.end + 3 < cuts.validation));
    assert!(data.samples(Split::Test).iter().all(|s| s.end + 1 >= cuts.validation));
}

/// Every node of every cluster, from hour `from` on, multiplied, shifted and
/// given other eviction counts: a different future.
fn perturb_from(snaps: &[hearth_evict::snapshot::ClusterSnapshots], from: usize) -> Dataset {
    let mut future = snaps.to_vec();
    for c in future.iter_mut() {
        for n in 0..c.nodes {
            for h in from..c.hours {
                let k = (n * c.hours + h) * raw::WIDTH;
                for col in 0..raw::WIDTH {
                    c.node_raw[k + col] = c.node_raw[k + col] * 1.3 + 2.0 + ((n * 7 + h + col) % 11) as f32;
                }
                c.node_raw[k + raw::EVICTIONS] = ((h + n) % 4) as f32;
                c.node_raw[k + raw::SPOT_RAN] = 7.0;
            }
        }
        c.resum();
    }
    Dataset::new(future).unwrap()
}

/// The shipped learners (SVR, random forest, GBDT, linear, LSTM and the
/// spatial-temporal transformer, at every level they run at), each fitted
/// once on the true snapshots and once, afresh, on snapshots whose second
/// half of the test hours is perturbed in every cluster. Every test sample
/// whose window ends before the perturbation must get bit-identical
/// forecasts: a model that read the future at fit time (a scaler over all
/// hours, a target of a later split) or at prediction time would differ.
#[test]
fn shipped_learners_refitted_on_a_perturbed_future_forecast_the_same() {
    let snaps: Vec<_> = [21, 22].into_iter().flat_map(run_small).map(|r| r.snapshots).collect();
    let data = Dataset::new(snaps.clone()).unwrap();
    let from = (data.cuts.validation + data.cuts.hours) / 2;
    let perturbed = perturb_from(&snaps, from);
    let before: Vec<Sample> = data
        .samples(Split::Test)
        .iter()
        .copied()
        .filter(|s| s.end < from)
        .collect();
    let after: Vec<Sample> = data
        .samples(Split::Test)
        .iter()
        .copied()
        .filter(|s| s.end + 1 >= from)
        .collect();
    let clusters: std::collections::BTreeSet<usize> = before.iter().map(|s| s.cluster).collect();
    assert!(
        before.len() >= 60 && clusters.len() == snaps.len(),
        "{} samples",
        before.len()
    );
    assert!(after.iter().any(|&s| data.targets(s) != perturbed.targets(s)));
    let opts = ModelOptions {
        max_node_train_rows: 1_500,
        nn: NnOptions {
            epochs: 2,
            max_st_windows: 48,
            width: 8,
        },
    };
    for (name, level) in expand(&["all".to_string()]).unwrap() {
        let [truth, future] = [&data, &perturbed].map(|d| {
            let mut m = build(&name, level, &opts).unwrap();
            m.fit(d, 4).unwrap();
            m
        });
        assert_eq!(
            truth.predict(&data, &before).unwrap(),
            future.predict(&perturbed, &before).unwrap(),
            "{name} at {} level saw the future",
            level.name()
        );
    }
}
