//! hearth-ml's tabular families as [`Learner`]s on flattened windows.

use crate::error::{EvictError, Result};
use crate::predictor::{Learner, Regressor};
use hearth_ml::{Dataset as MlData, Model, ModelParams, Task};

/// A hearth-ml model family with fixed hyperparameters.
pub struct MlLearner(pub ModelParams);

struct Fitted(Model);

impl Regressor for Fitted {
    fn predict_row(&self, row: &[f64]) -> f64 {
        self.0.predict_row(row)
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
        Ok(Box::new(Fitted(model)))
    }

    fn max_cols(&self, rows: usize) -> Option<usize> {
        matches!(self.0, ModelParams::Linear { .. }).then_some(rows.saturating_sub(1))
    }
}

/// The hyperparameters each family runs with (`cols`: row width, for the
/// RBF kernel's default gamma = 1/cols on standardised features).
pub fn params(name: &str, cols: usize) -> Option<ModelParams> {
    Some(match name {
        "linear" => ModelParams::Linear { ridge: 1.0 },
        "svr" => ModelParams::Svr {
            c: 1.0,
            epsilon: 0.01,
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
