//! hearth-ml's tabular families as [`Learner`]s on flattened windows.

use crate::error::{EvictError, Result};
use crate::predictor::{Learner, Regressor};
use crate::snapshot::F;
use hearth_ml::{Dataset as MlData, Model, ModelParams, Task};

/// Hours of the window linear regression sees. Its fit builds and solves
/// the `cols × cols` normal equations: on all 48 hours (864 columns) a
/// node-level fit on 5,000 rows took 64 s per horizon in release, most of
/// the pipeline's time, for a heavily collinear design whose older lags add
/// nothing a linear model can use; 12 hours (216 columns) is ~16× cheaper.
pub const LINEAR_HOURS: usize = 12;

/// A hearth-ml model family with fixed hyperparameters.
pub struct MlLearner(pub ModelParams);

impl Regressor for Model {
    fn predict_row(&self, row: &[f64]) -> f64 {
        Model::predict_row(self, row)
    }

    fn ml_model(&self) -> Option<&Model> {
        Some(self)
    }
}

impl Learner for MlLearner {
    fn name(&self) -> String {
        self.0.name().to_string()
    }

    fn fit(&self, x: Vec<f64>, y: Vec<f64>, cols: usize, seed: u64) -> Result<Box<dyn Regressor>> {
        let data = MlData::new(x, y, cols, Vec::new());
        let model = self
            .0
            .fit(Task::Regression, &data, seed)
            .map_err(|e| EvictError::Model {
                model: self.name(),
                reason: e.to_string(),
            })?;
        Ok(Box::new(model))
    }

    /// Linear regression flattens at most the last [`LINEAR_HOURS`] hours,
    /// and fewer when there are fewer rows than columns.
    fn max_cols(&self, rows: usize) -> Option<usize> {
        matches!(self.0, ModelParams::Linear { .. }).then_some(rows.saturating_sub(1).min(LINEAR_HOURS * F))
    }
}

/// The hyperparameters each family runs with (`cols`: row width, for the
/// RBF kernel's default gamma = 1/cols on standardised features). SVR
/// standardises the target (`scale_target`): on raw eviction rates (mean
/// ~0.05, mostly 0) a fixed epsilon and C are mis-scaled and the fit was far
/// worse than a constant; in units of the target's spread, libsvm's
/// defaults 0.1 and 1 apply, and the bias is the median training residual.
pub fn params(name: &str, cols: usize) -> Option<ModelParams> {
    Some(match name {
        "linear" => ModelParams::Linear { ridge: 1.0 },
        "svr" => ModelParams::Svr {
            c: 1.0,
            epsilon: 0.1,
            gamma: 1.0 / cols.max(1) as f64,
            max_train_rows: Some(3000),
            scale_target: true,
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
