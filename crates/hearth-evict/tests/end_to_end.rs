//! A small run end to end: scenario, dataset, baselines and a tabular model
//! at both levels, scored per horizon and bucket; and the SkyPilot check.

mod common;

use common::*;
use hearth_evict::baseline::{Baseline, Naive};
use hearth_evict::eval::fit_and_score;
use hearth_evict::skypilot::{forecast_zone, ZoneSeries};
use hearth_evict::{Dataset, Level, Predictor, Split, Tabular};
use hearth_trace::formats::skypilot::{self, SpotTrace};
use hearth_trace::Source;

#[test]
fn small_pipeline_scores_every_model_and_horizon() {
    let runs = run_small(5);
    let data = Dataset::new(runs.into_iter().map(|r| r.snapshots).collect()).unwrap();
    let mut models: Vec<Box<dyn Predictor>> = vec![
        Box::new(Baseline::new(Naive::LastRate, Level::Cluster)),
        Box::new(Baseline::new(Naive::WindowMean, Level::Cluster)),
        Box::new(Baseline::new(Naive::LastRate, Level::Node)),
        Box::new(Tabular::new(Box::new(Ridge(1.0)), Level::Cluster, 10_000)),
        Box::new(Tabular::new(Box::new(Ridge(1.0)), Level::Node, 3_000)),
    ];
    for m in models.iter_mut() {
        let e = fit_and_score(m.as_mut(), &data, Split::Test, 1).unwrap();
        let overall: Vec<_> = e.scores.iter().filter(|s| s.bucket == "all").collect();
        assert_eq!(overall.len(), 3, "{}", e.model);
        for (k, s) in overall.iter().enumerate() {
            assert_eq!(s.horizon_h, k + 1);
            assert_eq!(s.samples, data.samples(Split::Test).len());
            assert!(
                s.rmse.is_finite() && s.mae.is_finite() && s.mae <= s.rmse + 1e-12,
                "{s:?}"
            );
        }
    }
}

#[test]
fn skypilot_hours_and_forecasts() {
    let trace = SpotTrace {
        name: "t".into(),
        gap_seconds: 1800,
        counts: vec![4, 4, 3, 1, 2, 2],
    };
    let s = ZoneSeries::from_trace(&trace);
    assert_eq!(s.hours.len(), 3);
    assert_eq!(s.hours[0], [0.0, 0.0, 4.0, 4.0, 4.0]);
    assert_eq!(s.hours[1], [3.0, 0.0, 2.0, 1.0, 3.0]);
    assert_eq!(s.hours[2], [0.0, 1.0, 2.0, 2.0, 2.0]);

    let path = skypilot("preemption/4-node/aws-08-03-2023/us-east-2a_v100_1.json");
    let trace = skypilot::read(Source::open(&path).unwrap()).unwrap();
    let report = forecast_zone(&trace, &[&Ridge(10.0)], 0).unwrap().expect("long enough");
    assert_eq!(report.scores.len(), 9);
    assert!(report.scores.iter().all(|s| s.rmse.is_finite()));
    let short = SpotTrace {
        counts: vec![1; 100],
        ..trace
    };
    assert!(forecast_zone(&short, &[], 0).unwrap().is_none());
}
