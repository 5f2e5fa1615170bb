//! Scoring forecasts: RMSE (as in the Azure study) and MAE of the cluster's
//! eviction rate, per horizon, over all test clusters and per utilisation
//! bucket ([`Bucket`]: low < 50%, medium 50–80%, high > 80% mean allocated
//! cores over the training hours). On the test hours, each model's 80%
//! interval is calibrated on the validation hours ([`Conformal`]) and its
//! coverage of the test truth is reported beside the errors, with that of
//! the same interval adapted online as each cluster's truths arrive
//! ([`AdaptiveConformal`]).

use crate::adaptive_interval::{AdaptiveConformal, Replayed};
use crate::dataset::{Dataset, Sample, Split, HORIZONS};
use crate::error::Result;
use crate::interval::{Conformal, COVERAGE};
use crate::predictor::Predictor;
use crate::snapshot::Bucket;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// One line of the results: a model at a level and horizon, over a group of clusters.
#[derive(Clone, Debug, Serialize)]
pub struct Score {
    pub model: String,
    pub level: String,
    pub horizon_h: usize,
    /// `all`, or a utilisation bucket.
    pub bucket: String,
    pub samples: usize,
    pub rmse: f64,
    pub mae: f64,
    /// Share of samples inside the model's 80% interval (test hours only).
    pub coverage: Option<f64>,
    /// The same for the adaptive interval ([`AdaptiveConformal`]), and its
    /// mean half-width (rate units).
    pub coverage_adaptive: Option<f64>,
    pub width_adaptive: Option<f64>,
}

/// RMSE and MAE of `pred` against `truth`; `(NaN, NaN)` when empty.
pub fn rmse_mae(truth: &[f32], pred: &[f32]) -> (f64, f64) {
    let n = truth.len().min(pred.len());
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let (mut sq, mut abs) = (0.0f64, 0.0f64);
    for (t, p) in truth.iter().zip(pred) {
        let e = (*p as f64) - (*t as f64);
        sq += e * e;
        abs += e.abs();
    }
    ((sq / n as f64).sqrt(), abs / n as f64)
}

/// A fitted model's scores on a split, with its timings.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub model: String,
    pub level: String,
    pub fit_seconds: f64,
    pub predict_seconds: f64,
    /// The 80% interval calibrated on the validation hours (test hours only).
    pub interval: Option<Conformal>,
    /// The same interval adapted online as test truths arrive.
    pub adaptive: Option<AdaptiveConformal>,
    pub scores: Vec<Score>,
    /// The forecasts and truths of the scored samples, in their order (for
    /// [`crate::skill`]); not written out.
    #[serde(skip)]
    pub predictions: Vec<[f32; HORIZONS]>,
    #[serde(skip)]
    pub truth: Vec<[f32; HORIZONS]>,
}

/// Fits the predictor, forecasts the split's samples and scores them.
pub fn fit_and_score(p: &mut dyn Predictor, data: &Dataset, split: Split, seed: u64) -> Result<Evaluation> {
    let clock = Instant::now();
    p.fit(data, seed)?;
    let fit_seconds = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let samples = data.samples(split);
    let preds = p.predict(data, samples)?;
    let predict_seconds = clock.elapsed().as_secs_f64();
    let truth: Vec<[f32; HORIZONS]> = samples.iter().map(|&s| data.targets(s)).collect();
    let (interval, adaptive) = match split {
        Split::Test if !data.samples(Split::Validation).is_empty() => {
            let (c, a) = calibrate_adaptive(p, data)?;
            (Some(c), Some(a))
        }
        _ => (None, None),
    };
    let widths = adaptive.as_ref().map(|a| adaptive_widths(a, samples, &preds, &truth));
    let buckets: Vec<Bucket> = samples.iter().map(|s| data.buckets[s.cluster]).collect();
    let (model, level) = (p.name(), p.level().name().to_string());
    let mut scores = Vec::new();
    let groups: Vec<(String, Option<Bucket>)> = std::iter::once(("all".to_string(), None))
        .chain(Bucket::ALL.iter().map(|b| (b.name().to_string(), Some(*b))))
        .collect();
    for (name, bucket) in groups {
        let keep: Vec<usize> = (0..samples.len())
            .filter(|&i| bucket.is_none_or(|b| buckets[i] == b))
            .collect();
        if keep.is_empty() {
            continue;
        }
        for k in 0..HORIZONS {
            let t: Vec<f32> = keep.iter().map(|&i| truth[i][k]).collect();
            let p: Vec<f32> = keep.iter().map(|&i| preds[i][k]).collect();
            let (rmse, mae) = rmse_mae(&t, &p);
            let coverage = interval.as_ref().map(|c| {
                let pick =
                    |rows: &[[f32; HORIZONS]]| -> Vec<[f32; HORIZONS]> { keep.iter().map(|&i| rows[i]).collect() };
                c.coverage_of(&pick(&preds), &pick(&truth))[k]
            });
            let adapted = widths.as_ref().map(|w| {
                let inside = keep
                    .iter()
                    .filter(|&&i| (preds[i][k] - truth[i][k]).abs() <= w[i][k])
                    .count();
                let mean_width = keep.iter().map(|&i| w[i][k] as f64).sum::<f64>() / keep.len() as f64;
                (inside as f64 / keep.len() as f64, mean_width)
            });
            scores.push(Score {
                model: model.clone(),
                level: level.clone(),
                horizon_h: k + 1,
                bucket: name.clone(),
                samples: keep.len(),
                rmse,
                mae,
                coverage,
                coverage_adaptive: adapted.map(|a| a.0),
                width_adaptive: adapted.map(|a| a.1),
            });
        }
    }
    Ok(Evaluation {
        model,
        level,
        fit_seconds,
        predict_seconds,
        interval,
        adaptive,
        scores,
        predictions: preds,
        truth,
    })
}

/// The fitted predictor's 80% interval, calibrated on the validation hours.
pub fn calibrate(p: &dyn Predictor, data: &Dataset) -> Result<Conformal> {
    Ok(calibrate_adaptive(p, data)?.0)
}

/// The split-conformal interval and its adaptive form, from the validation hours.
pub fn calibrate_adaptive(p: &dyn Predictor, data: &Dataset) -> Result<(Conformal, AdaptiveConformal)> {
    let samples = data.samples(Split::Validation);
    let preds = p.predict(data, samples)?;
    let truth: Vec<[f32; HORIZONS]> = samples.iter().map(|&s| data.targets(s)).collect();
    let split = Conformal::calibrate(&preds, &truth, COVERAGE)?;
    let adaptive = AdaptiveConformal::from_split(&split, &preds, &truth);
    Ok((split, adaptive))
}

/// The adaptive half-width issued with each sample's forecast: each
/// cluster's forecasts replayed in time order, per horizon.
fn adaptive_widths(
    a: &AdaptiveConformal,
    samples: &[Sample],
    preds: &[[f32; HORIZONS]],
    truth: &[[f32; HORIZONS]],
) -> Vec<[f32; HORIZONS]> {
    let mut by_cluster: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, s) in samples.iter().enumerate() {
        by_cluster.entry(s.cluster).or_default().push(i);
    }
    let mut out = vec![[0.0; HORIZONS]; samples.len()];
    for mut rows in by_cluster.into_values() {
        rows.sort_by_key(|&i| samples[i].end);
        for k in 0..HORIZONS {
            let replayed: Vec<Replayed> = rows
                .iter()
                .map(|&i| Replayed {
                    end: samples[i].end,
                    forecast: preds[i][k],
                    truth: truth[i][k],
                })
                .collect();
            for (&i, w) in rows.iter().zip(a.widths(k, &replayed)) {
                out[i][k] = w;
            }
        }
    }
    out
}
