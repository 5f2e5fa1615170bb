//! Forecast accuracy on held-out windows: MAE and RMSE per resource, in utilisation (fraction of
//! the VM's request), for a learned forecaster beside the naive ones.

use serde::Serialize;

use crate::baselines::Naive;
use crate::error::PolicyError;
use crate::forecaster::UsageForecaster;
use crate::window::{Windows, HISTORY, HORIZON, INPUT_FEATURES, OUTPUTS};

/// Errors of one forecaster over every step of every window's horizon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Accuracy {
    /// The forecaster.
    pub forecaster: String,
    /// Mean absolute error of CPU utilisation.
    pub cpu_mae: f64,
    /// Root mean squared error of CPU utilisation.
    pub cpu_rmse: f64,
    /// Mean absolute error of memory utilisation.
    pub memory_mae: f64,
    /// Root mean squared error of memory utilisation.
    pub memory_rmse: f64,
}

/// Accuracy of `pred` against `truth`, both row-major `[windows, OUTPUTS]`.
pub fn accuracy(forecaster: &str, truth: &[f32], pred: &[f32]) -> Accuracy {
    let mut sums = [[0f64; 2]; 2]; // [resource][abs, sq]
    for (t, p) in truth.chunks(OUTPUTS).zip(pred.chunks(OUTPUTS)) {
        for (j, (a, b)) in t.iter().zip(p).enumerate() {
            let e = f64::from(a - b);
            let r = j / HORIZON;
            sums[r][0] += e.abs();
            sums[r][1] += e * e;
        }
    }
    let n = (truth.len() / 2).max(1) as f64;
    Accuracy {
        forecaster: forecaster.to_string(),
        cpu_mae: sums[0][0] / n,
        cpu_rmse: (sums[0][1] / n).sqrt(),
        memory_mae: sums[1][0] / n,
        memory_rmse: (sums[1][1] / n).sqrt(),
    }
}

/// The learned forecaster (when given) and the naive ones on the same windows.
pub fn evaluate(model: Option<(&str, &UsageForecaster)>, win: &Windows) -> Result<Vec<Accuracy>, PolicyError> {
    let mut out = Vec::new();
    if let Some((name, m)) = model {
        out.push(accuracy(name, &win.y, &m.predict(win.x.clone())?));
    }
    for naive in Naive::ALL {
        let mut pred = Vec::with_capacity(win.y.len());
        for w in win.x.chunks(HISTORY * INPUT_FEATURES) {
            naive.forecast(w, &mut pred);
        }
        out.push(accuracy(&naive.name(), &win.y, &pred));
    }
    Ok(out)
}
