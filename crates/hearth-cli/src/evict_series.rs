//! Forecast against actual eviction rate over the test hours of one cluster,
//! with the model's calibrated 80% interval: the series `hearth report`
//! plots for `hearth evict run|eval --json`.

use anyhow::Result;
use hearth_evict::eval::Evaluation;
use hearth_evict::predictor::Predictor;
use hearth_evict::{Dataset, Split};
pub use hearth_report::inputs::ForecastSeries;

/// The first cluster's test-hour series at +1 h, from the fitted model.
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
