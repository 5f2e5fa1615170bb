//! hearth-ml's tabular families as [`Learner`]s on flattened windows.

use crate::error::{EvictError, Result};
use crate::predictor::{Learner, Regressor};
use crate::snapshot::F;
use hearth_ml::{Dataset as MlData, Fitted as HmFitted, Model, ModelParams, SvrModel, Task};

/// Hours of the window linear regression sees. Its fit builds and solves
/// the `cols × cols` normal equations: on all 48 hours (864 columns) a
/// node-level fit on 5,000 rows took 64 s per horizon in release, most of
/// the pipeline's time, for a heavily collinear design whose older lags add
/// nothing a linear model can use; 12 hours (216 columns) is ~16× cheaper.
pub const LINEAR_HOURS: usize = 12;

/// A hearth-ml model family with fixed hyperparameters.
pub struct MlLearner(pub ModelParams);

/// A fitted model and the affine map from its output back to target units.
struct Fitted {
    model: Model,
    target: Scale,
}

impl Regressor for Fitted {
    fn predict_row(&self, row: &[f64]) -> f64 {
        self.target.invert(self.model.predict_row(row))
    }
}

/// Target standardisation for SVR. Its epsilon-insensitive loss ignores
/// errors below epsilon and its C bounds each sample's dual weight, both in
/// target units; on raw eviction rates (mean ~0.05, mostly 0) a fixed epsilon
/// and C are mis-scaled and the fit was far worse than a constant. On the
/// standardised target, epsilon is a fraction of the target's spread and the
/// bias is estimated on the scale the solver expects, whatever the data.
#[derive(Clone, Copy)]
struct Scale {
    mean: f64,
    sd: f64,
}

impl Scale {
    const IDENTITY: Scale = Scale { mean: 0.0, sd: 1.0 };

    fn fit(y: &[f64]) -> Scale {
        let n = y.len().max(1) as f64;
        let mean = y.iter().sum::<f64>() / n;
        let var = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        let sd = var.sqrt();
        Scale {
            mean,
            sd: if sd > 1e-12 { sd } else { 1.0 },
        }
    }

    fn invert(&self, v: f64) -> f64 {
        self.mean + self.sd * v
    }
}

impl Learner for MlLearner {
    fn name(&self) -> String {
        self.0.name().to_string()
    }

    fn fit(&self, x: Vec<f64>, y: Vec<f64>, cols: usize, seed: u64) -> Result<Box<dyn Regressor>> {
        let target = match self.0 {
            ModelParams::Svr { .. } => Scale::fit(&y),
            _ => Scale::IDENTITY,
        };
        let y = y.into_iter().map(|v| (v - target.mean) / target.sd).collect();
        let data = MlData::new(x, y, cols, Vec::new());
        let mut model = self
            .0
            .fit(Task::Regression, &data, seed)
            .map_err(|e| EvictError::Model {
                model: self.name(),
                reason: e.to_string(),
            })?;
        if let HmFitted::Svr(svr) = &mut model.fitted {
            refit_bias(svr, &data);
        }
        Ok(Box::new(Fitted { model, target }))
    }

    /// Linear regression flattens at most the last [`LINEAR_HOURS`] hours,
    /// and fewer when there are fewer rows than columns.
    fn max_cols(&self, rows: usize) -> Option<usize> {
        matches!(self.0, ModelParams::Linear { .. }).then_some(rows.saturating_sub(1).min(LINEAR_HOURS * F))
    }
}

/// Replaces smartcore's SVR intercept by the median training residual of
/// the kernel part. smartcore's intercept came out far from the data here:
/// on the eviction windows most test points lie far (in 864 standardised
/// dimensions, with heavy-tailed eviction counts) from every support vector,
/// so the kernel part is ~0 and the forecast is the intercept alone, a
/// constant 0.12-0.33 for a cluster whose rate is always 0. The median is
/// the intercept that minimises the absolute training error given the
/// kernel weights, close to what the epsilon-insensitive loss asks for.
fn refit_bias(svr: &mut SvrModel, data: &MlData) {
    svr.bias = 0.0;
    let mut residuals: Vec<f64> = (0..data.rows)
        .map(|i| data.y[i] - svr_value(svr, data.row(i)))
        .collect();
    residuals.sort_by(f64::total_cmp);
    svr.bias = residuals.get(residuals.len() / 2).copied().unwrap_or(0.0);
}

/// The SVR's output on a raw row (hearth-ml's `Model::predict_row` without the model wrapper).
fn svr_value(svr: &SvrModel, row: &[f64]) -> f64 {
    let x: Vec<f64> = row.iter().enumerate().map(|(j, v)| svr.scaler.scale(j, *v)).collect();
    let support = svr.support.chunks_exact(x.len());
    svr.weights.iter().zip(support).fold(svr.bias, |f, (w, sv)| {
        let d: f64 = x.iter().zip(sv).map(|(a, b)| (a - b) * (a - b)).sum();
        f + w * (-svr.gamma * d).exp()
    })
}

/// The hyperparameters each family runs with (`cols`: row width, for the
/// RBF kernel's default gamma = 1/cols on standardised features). SVR's
/// epsilon and C are in units of the target's standard deviation (the
/// adapter standardises the target): libsvm's defaults 0.1 and 1.
pub fn params(name: &str, cols: usize) -> Option<ModelParams> {
    Some(match name {
        "linear" => ModelParams::Linear { ridge: 1.0 },
        "svr" => ModelParams::Svr {
            c: 1.0,
            epsilon: 0.1,
            gamma: 1.0 / cols.max(1) as f64,
            max_train_rows: Some(3000),
        },
        "random-forest" => ModelParams::RandomForest {
            trees: 100,
            max_depth: 12,
            min_samples_leaf: 5,
            max_features: None,
        },
        "gbdt" => ModelParams::Gbdt {
            iterations: 200,
            learning_rate: 0.05,
            max_depth: 5,
        },
        _ => return None,
    })
}
