//! Forecast against actual eviction rate over the test hours of one cluster,
//! with the model's calibrated 80% interval: the series `hearth report`
//! plots for `hearth evict run|eval --json` (hearth-report reads it with a
//! type of its own, field for field).

use crate::dataset::{Dataset, Split};
use crate::error::Result;
use crate::eval::Evaluation;
use crate::predictor::Predictor;
use serde::Serialize;

/// One model's forecasts at +1 h against the actual rate of one cluster.
#[derive(Debug, Serialize)]
pub struct ForecastSeries {
    pub model: String,
    pub level: String,
    pub cluster: usize,
    pub horizon_h: usize,
    /// Hour index (from the first snapshot hour) each forecast was made at.
    pub as_of_hour: Vec<usize>,
    /// Evicted / spot VMs that ran, in the hour forecast.
    pub actual: Vec<f32>,
    pub forecast: Vec<f32>,
    /// Bounds of the 80% interval (empty when the model has none).
    pub lower: Vec<f32>,
    pub upper: Vec<f32>,
}

/// The first cluster's series over the split's hours at +1 h, from the
/// fitted model; `None` when the split has no sample.
pub fn forecast_series(
    p: &dyn Predictor,
    data: &Dataset,
    split: Split,
    eval: &Evaluation,
) -> Result<Option<ForecastSeries>> {
    let samples = data.samples(split);
    let Some(first) = samples.first() else { return Ok(None) };
    let mine: Vec<_> = samples.iter().copied().filter(|s| s.cluster == first.cluster).collect();
    let preds = p.predict(data, &mine)?;
    let forecast: Vec<f32> = preds.iter().map(|r| r[0]).collect();
    let bounds: Vec<(f32, f32)> = match &eval.interval {
        Some(c) => forecast.iter().map(|&r| c.bounds(0, r)).collect(),
        None => Vec::new(),
    };
    Ok(Some(ForecastSeries {
        model: eval.model.clone(),
        level: eval.level.clone(),
        cluster: first.cluster,
        horizon_h: 1,
        as_of_hour: mine.iter().map(|s| s.end).collect(),
        actual: mine.iter().map(|&s| data.targets(s)[0]).collect(),
        forecast,
        lower: bounds.iter().map(|b| b.0).collect(),
        upper: bounds.iter().map(|b| b.1).collect(),
    }))
}
