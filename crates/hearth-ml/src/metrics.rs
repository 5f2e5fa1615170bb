//! Error and accuracy measures shared by the placement and eviction evaluations.

/// Root mean squared error; the Azure spot-eviction study reports this. `NaN` for empty input.
pub fn rmse(truth: &[f64], pred: &[f64]) -> f64 {
    assert_eq!(truth.len(), pred.len(), "rmse: length mismatch");
    let sse: f64 = truth.iter().zip(pred).map(|(t, p)| (t - p) * (t - p)).sum();
    (sse / truth.len() as f64).sqrt()
}

/// Mean absolute error. `NaN` for empty input.
pub fn mae(truth: &[f64], pred: &[f64]) -> f64 {
    assert_eq!(truth.len(), pred.len(), "mae: length mismatch");
    let sae: f64 = truth.iter().zip(pred).map(|(t, p)| (t - p).abs()).sum();
    sae / truth.len() as f64
}

/// Share of rows where the predicted probability, thresholded at 0.5, matches the 0/1 label.
pub fn accuracy(truth: &[f64], prob: &[f64]) -> f64 {
    assert_eq!(truth.len(), prob.len(), "accuracy: length mismatch");
    let hits = truth
        .iter()
        .zip(prob)
        .filter(|(t, p)| (**p >= 0.5) == (**t >= 0.5))
        .count();
    hits as f64 / truth.len() as f64
}

/// Coefficient of determination: 1 − SSE / SST. `NaN` when the truth is constant.
pub fn r2(truth: &[f64], pred: &[f64]) -> f64 {
    assert_eq!(truth.len(), pred.len(), "r2: length mismatch");
    let mean = truth.iter().sum::<f64>() / truth.len() as f64;
    let sst: f64 = truth.iter().map(|t| (t - mean) * (t - mean)).sum();
    let sse: f64 = truth.iter().zip(pred).map(|(t, p)| (t - p) * (t - p)).sum();
    1.0 - sse / sst
}
