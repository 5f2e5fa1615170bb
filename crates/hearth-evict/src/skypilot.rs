//! The real-data check: forecasting spot preemptions on the SkyPilot traces.
//!
//! Each trace (one zone, one instance type) is a count of spot instances
//! available or still running every `gap_seconds`. Per hour we derive: the
//! instances lost (sum of drops between consecutive ticks; the target), the
//! instances regained (sum of rises), and the mean, min and max count. A
//! sample ending at hour `h` has the hours `h-47..=h` as input and the losses
//! in hours `h+1..=h+3` as targets; the split is by time as in [`Cuts`]
//! (~70/10/20), and each zone is fitted and scored on its own. A drop that
//! straddles an hour boundary counts in the hour of the later tick.

use crate::dataset::{Cuts, Split, HORIZONS, WINDOW};
use crate::error::{EvictError, Result};
use crate::eval::{rmse_mae, Score};
use crate::predictor::Learner;
use hearth_trace::formats::skypilot::SpotTrace;
use serde::Serialize;

/// Names of the per-hour inputs.
pub const ZONE_FEATURES: [&str; 5] = ["lost", "regained", "mean_count", "min_count", "max_count"];
const ZF: usize = ZONE_FEATURES.len();

/// A trace as hourly records (full hours only).
#[derive(Clone, Debug)]
pub struct ZoneSeries {
    pub name: String,
    pub hours: Vec<[f32; ZF]>,
}

impl ZoneSeries {
    pub fn from_trace(trace: &SpotTrace) -> ZoneSeries {
        let gap = trace.gap_seconds.max(1) as u64;
        let full_hours = (trace.counts.len() as u64 * gap / 3600) as usize;
        let mut hours = vec![[0.0f32, 0.0, 0.0, f32::INFINITY, 0.0]; full_hours];
        let mut ticks = vec![0u32; full_hours];
        for (i, &c) in trace.counts.iter().enumerate() {
            let h = (i as u64 * gap / 3600) as usize;
            if h >= full_hours {
                break;
            }
            let r = &mut hours[h];
            if i > 0 {
                let before = trace.counts[i - 1];
                r[0] += before.saturating_sub(c) as f32;
                r[1] += c.saturating_sub(before) as f32;
            }
            r[2] += c as f32;
            r[3] = r[3].min(c as f32);
            r[4] = r[4].max(c as f32);
            ticks[h] += 1;
        }
        for (r, n) in hours.iter_mut().zip(ticks) {
            r[2] /= n.max(1) as f32;
            if !r[3].is_finite() {
                r[3] = 0.0;
            }
        }
        ZoneSeries {
            name: trace.name.clone(),
            hours,
        }
    }

    fn lost(&self, h: usize) -> f32 {
        self.hours[h][0]
    }

    /// The last `hours` hours of the window ending at `end`, flattened.
    fn row(&self, end: usize, hours: usize, out: &mut Vec<f64>) {
        out.clear();
        for h in end + 1 - hours..=end {
            out.extend(self.hours[h].iter().map(|&v| v as f64));
        }
    }
}

/// One zone's scores and what they rest on.
#[derive(Clone, Debug, Serialize)]
pub struct ZoneReport {
    pub zone: String,
    pub hours: usize,
    pub lost_total: f64,
    /// Instances lost per hour over the test hours (the scale of the errors).
    pub test_mean_lost: f64,
    pub train_samples: usize,
    pub test_samples: usize,
    pub scores: Vec<Score>,
}

/// Sample end hours per split.
fn split_ends(series: &ZoneSeries) -> Option<(Vec<usize>, Vec<usize>)> {
    let n = series.hours.len();
    let cuts = Cuts::new(n, 0.7, 0.1);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for end in WINDOW - 1..n.saturating_sub(HORIZONS) {
        match cuts.split_of(end) {
            Some(Split::Train) => train.push(end),
            Some(Split::Test) => test.push(end),
            _ => {}
        }
    }
    (train.len() >= 24 && test.len() >= 12).then_some((train, test))
}

/// Forecasts one zone with the naive baselines and every learner; `None`
/// when the trace is too short for a time split (fewer than ~170 hours).
pub fn forecast_zone(trace: &SpotTrace, learners: &[&dyn Learner], seed: u64) -> Result<Option<ZoneReport>> {
    let series = ZoneSeries::from_trace(trace);
    let Some((train, test)) = split_ends(&series) else {
        return Ok(None);
    };
    let truth: Vec<[f32; HORIZONS]> = test
        .iter()
        .map(|&e| std::array::from_fn(|k| series.lost(e + 1 + k)))
        .collect();
    let mut scores = Vec::new();
    let last: Vec<[f32; HORIZONS]> = test.iter().map(|&e| [series.lost(e); HORIZONS]).collect();
    scores.extend(score("last-rate", &truth, &last));
    let mean = |e: usize| (e + 1 - WINDOW..=e).map(|h| series.lost(h)).sum::<f32>() / WINDOW as f32;
    let means: Vec<[f32; HORIZONS]> = test.iter().map(|&e| [mean(e); HORIZONS]).collect();
    scores.extend(score("window-mean", &truth, &means));
    for learner in learners {
        let preds = fit_predict(&series, *learner, &train, &test, seed)?;
        scores.extend(score(&learner.name(), &truth, &preds));
    }
    let test_lost: f64 = test.iter().map(|&e| series.lost(e + 1) as f64).sum();
    Ok(Some(ZoneReport {
        zone: series.name.clone(),
        hours: series.hours.len(),
        lost_total: series.hours.iter().map(|r| r[0] as f64).sum(),
        test_mean_lost: test_lost / test.len() as f64,
        train_samples: train.len(),
        test_samples: test.len(),
        scores,
    }))
}

fn fit_predict(
    series: &ZoneSeries,
    learner: &dyn Learner,
    train: &[usize],
    test: &[usize],
    seed: u64,
) -> Result<Vec<[f32; HORIZONS]>> {
    // Learners that cannot fit more columns than rows (least squares) see
    // fewer of the most recent hours, as in [`crate::Tabular`].
    let limit = learner.max_cols(train.len()).unwrap_or(usize::MAX);
    let hours = (limit / ZF).clamp(1, WINDOW);
    let cols = hours * ZF;
    let mut row = Vec::with_capacity(cols);
    let mut x = Vec::with_capacity(train.len() * cols);
    for &e in train {
        series.row(e, hours, &mut row);
        x.extend_from_slice(&row);
    }
    let models = (0..HORIZONS)
        .map(|k| {
            let y: Vec<f64> = train.iter().map(|&e| series.lost(e + 1 + k) as f64).collect();
            learner.fit(x.clone(), y, cols, seed.wrapping_add(k as u64))
        })
        .collect::<Result<Vec<_>>>()
        .map_err(|e| EvictError::Model {
            model: learner.name(),
            reason: format!("{}: {e}", series.name),
        })?;
    Ok(test
        .iter()
        .map(|&e| {
            series.row(e, hours, &mut row);
            std::array::from_fn(|k| models[k].predict_row(&row) as f32)
        })
        .collect())
}

fn score(model: &str, truth: &[[f32; HORIZONS]], pred: &[[f32; HORIZONS]]) -> Vec<Score> {
    (0..HORIZONS)
        .map(|k| {
            let t: Vec<f32> = truth.iter().map(|r| r[k]).collect();
            let p: Vec<f32> = pred.iter().map(|r| r[k]).collect();
            let (rmse, mae) = rmse_mae(&t, &p);
            Score {
                model: model.to_string(),
                level: "zone".into(),
                horizon_h: k + 1,
                bucket: "all".into(),
                samples: t.len(),
                rmse,
                mae,
                coverage: None,
                coverage_adaptive: None,
                width_adaptive: None,
            }
        })
        .collect()
}
