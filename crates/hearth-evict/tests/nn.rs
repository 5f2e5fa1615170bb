//! The neural predictors end to end on a tiny scenario, with a one-epoch
//! budget so the test runs in seconds: they fit, score every horizon, and the
//! transformer's node series give the same windows as the dataset.
#![cfg(feature = "nn")]

mod common;

use common::*;
use hearth_evict::eval::fit_and_score;
use hearth_evict::nn::{node_series, LstmPredictor, NnOptions, StPredictor};
use hearth_evict::snapshot::F;
use hearth_evict::{Dataset, Level, Predictor, Split, WINDOW};

fn tiny() -> NnOptions {
    NnOptions {
        epochs: 1,
        max_st_windows: 24,
        width: 8,
    }
}

#[test]
fn lstm_and_transformer_score_every_horizon() {
    let data = Dataset::new(run_small(5).into_iter().map(|r| r.snapshots).collect()).unwrap();
    let mut models: Vec<Box<dyn Predictor>> = vec![
        Box::new(LstmPredictor::new(Level::Cluster, &tiny(), 200)),
        Box::new(LstmPredictor::new(Level::Node, &tiny(), 200)),
        Box::new(StPredictor::new(&tiny())),
    ];
    for m in models.iter_mut() {
        let e = fit_and_score(m.as_mut(), &data, Split::Test, 1).unwrap();
        let overall: Vec<_> = e.scores.iter().filter(|s| s.bucket == "all").collect();
        assert_eq!(overall.len(), 3, "{}", e.model);
        assert!(overall.iter().all(|s| s.rmse.is_finite()), "{:?}", overall);
    }
}

#[test]
fn node_series_windows_match_the_dataset() {
    let data = Dataset::new(run_small(6).into_iter().map(|r| r.snapshots).collect()).unwrap();
    let series = node_series(&data).unwrap();
    let s = data.samples(Split::Test)[3];
    let mut buf = vec![0.0f32; data.row_width()];
    data.node_window(s, 2, &mut buf);
    let c = &series[s.cluster];
    let start = (2 * c.time() + s.end + 1 - WINDOW) * F;
    assert_eq!(&c.values()[start..start + WINDOW * F], &buf[..]);
}
