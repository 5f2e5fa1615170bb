//! Fitted models: owned, `'static`, serialisable, and cheap to query one row at a time.

use serde::{Deserialize, Serialize};

use crate::scaler::StandardScaler;
use crate::trees::TreeEnsemble;
use crate::{MlError, ModelParams, Task};

/// Linear model on standardised features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub scaler: StandardScaler,
    pub coef: Vec<f64>,
    pub intercept: f64,
}

impl LinearModel {
    /// Scales on the fly: no allocation per row.
    fn predict_row(&self, row: &[f64]) -> f64 {
        let dot: f64 = row
            .iter()
            .zip(&self.coef)
            .enumerate()
            .map(|(j, (v, w))| w * self.scaler.scale(j, *v))
            .sum();
        self.intercept + dot
    }
}

/// RBF epsilon-SVR: `bias + Σ weightᵢ · exp(−γ‖x − svᵢ‖²)` on standardised features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SvrModel {
    pub scaler: StandardScaler,
    /// Support vectors, row-major, `cols` values each.
    pub support: Vec<f64>,
    pub weights: Vec<f64>,
    pub bias: f64,
    pub gamma: f64,
    /// Present when fitted with `scale_target`: outputs are in standardised
    /// target units and are mapped back as `mean + sd · output`.
    #[serde(default)]
    pub target: Option<TargetScale>,
}

/// Mean and standard deviation of a training target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetScale {
    pub mean: f64,
    pub sd: f64,
}

impl TargetScale {
    /// The target's mean and standard deviation (1 for a constant target).
    pub fn fit(y: &[f64]) -> TargetScale {
        let n = y.len().max(1) as f64;
        let mean = y.iter().sum::<f64>() / n;
        let sd = (y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
        TargetScale {
            mean,
            sd: if sd > 1e-12 { sd } else { 1.0 },
        }
    }
}

impl SvrModel {
    fn predict_row(&self, row: &[f64]) -> f64 {
        let v = self.kernel_sum(row, self.bias);
        match self.target {
            Some(t) => t.mean + t.sd * v,
            None => v,
        }
    }

    /// `start + Σ weightᵢ · k(x, svᵢ)`, added in smartcore's order: with the
    /// bias as `start` it matches smartcore's own predict bit for bit.
    pub(crate) fn kernel_sum(&self, row: &[f64], start: f64) -> f64 {
        let x: Vec<f64> = row.iter().enumerate().map(|(j, v)| self.scaler.scale(j, *v)).collect();
        let support = self.support.chunks_exact(x.len());
        self.weights.iter().zip(support).fold(start, |f, (w, sv)| {
            let d: f64 = x.iter().zip(sv).map(|(a, b)| (a - b) * (a - b)).sum();
            f + w * (-self.gamma * d).exp()
        })
    }

    /// Number of support vectors: prediction cost grows with it.
    pub fn support_vectors(&self) -> usize {
        self.weights.len()
    }
}

/// What was fitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Fitted {
    Linear(LinearModel),
    Svr(SvrModel),
    /// Decision tree, random forest or GBDT, compiled to flat nodes.
    Trees(TreeEnsemble),
}

/// A fitted model with the hyperparameters, task and feature names it was fitted with.
///
/// For [`Task::Classification`] predictions are probabilities of label 1: tree leaves and
/// forest means are class frequencies, GBDT log-odds go through the sigmoid, and linear/SVR
/// outputs (regressions on the 0/1 label) are clipped to `[0, 1]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub params: ModelParams,
    pub task: Task,
    pub feature_names: Vec<String>,
    pub cols: usize,
    pub fitted: Fitted,
}

/// The file kind of a saved [`Model`].
pub const MODEL_FILE: hearth_file::Kind = hearth_file::Kind {
    format: "hearth-ml-model",
    version: 1,
    made_by: "hearth evict train",
};

impl Model {
    /// Prediction for one row of `cols` features. Allocation-free except for SVR.
    /// Panics if the row has the wrong length (a programming error, not a data error).
    /// Non-finite inputs are not checked: trees send NaN right, linear models propagate it.
    #[inline]
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        assert_eq!(
            row.len(),
            self.cols,
            "predict_row: row has {} values, model expects {}",
            row.len(),
            self.cols
        );
        let raw = match &self.fitted {
            Fitted::Trees(t) => t.predict_row(row),
            Fitted::Linear(m) => m.predict_row(row),
            Fitted::Svr(m) => m.predict_row(row),
        };
        self.output(raw)
    }

    fn output(&self, raw: f64) -> f64 {
        match (self.task, &self.params, &self.fitted) {
            (Task::Regression, ..) => raw,
            (Task::Classification, ModelParams::Gbdt { .. }, _) => 1.0 / (1.0 + (-raw).exp()),
            (Task::Classification, _, Fitted::Trees(_)) => raw,
            (Task::Classification, ..) => raw.clamp(0.0, 1.0),
        }
    }

    /// Predictions for row-major `x` with `cols` columns.
    pub fn predict(&self, x: &[f64], cols: usize) -> Vec<f64> {
        assert_eq!(cols, self.cols, "predict: {cols} columns, model expects {}", self.cols);
        x.chunks_exact(cols).map(|row| self.predict_row(row)).collect()
    }

    /// The compiled trees, for inspection (depth, size); `None` for linear and SVR.
    pub fn trees(&self) -> Option<&TreeEnsemble> {
        match &self.fitted {
            Fitted::Trees(t) => Some(t),
            _ => None,
        }
    }

    /// The model as JSON; floats are written so they read back bit-identical.
    pub fn to_json(&self) -> Result<String, MlError> {
        serde_json::to_string(self).map_err(|source| MlError::Json {
            context: "serialising model".into(),
            source,
        })
    }

    pub fn from_json(json: &str) -> Result<Model, MlError> {
        serde_json::from_str(json).map_err(|source| MlError::Json {
            context: "parsing model".into(),
            source,
        })
    }

    /// Writes the model atomically as a [`MODEL_FILE`] file (format tag,
    /// version, CRC-32 of the payload; see [`hearth_file::json`]).
    pub fn save(&self, path: &std::path::Path) -> Result<(), MlError> {
        Ok(hearth_file::json::write(path, &MODEL_FILE, self)?)
    }

    /// Reads a model file written by [`Model::save`].
    ///
    /// # Errors
    /// [`MlError::File`] for I/O, a foreign, old-version or corrupt file.
    pub fn load(path: &std::path::Path) -> Result<Model, MlError> {
        Ok(hearth_file::json::read(path, &MODEL_FILE)?)
    }
}
