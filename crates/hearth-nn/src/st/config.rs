//! The transformer's hyperparameters, and the checks they must pass.

use crate::error::NnError;
use crate::train::TrainConfig;
use serde::{Deserialize, Serialize};

/// Hyperparameters of the spatial-temporal transformer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StTransformer {
    /// Embedding width (even, divisible by `n_heads`).
    pub d_model: usize,
    /// Attention heads in each encoder.
    pub n_heads: usize,
    /// Feed-forward width inside each encoder layer.
    pub d_ff: usize,
    /// Dropout in both encoders (burn's default 0.1; 0 suits small data).
    pub dropout: f64,
    /// Most nodes attended together (see the module docs of `st`).
    pub max_nodes: usize,
    /// Optimisation settings (default batch of 8 windows).
    pub train: TrainConfig,
}

impl Default for StTransformer {
    fn default() -> Self {
        let train = TrainConfig {
            batch_size: 8,
            ..TrainConfig::default()
        };
        Self {
            d_model: 16,
            n_heads: 2,
            d_ff: 32,
            dropout: 0.1,
            max_nodes: 32,
            train,
        }
    }
}

impl StTransformer {
    pub(super) fn validate(&self) -> Result<(), NnError> {
        let bad = |what, reason: &str| {
            Err(NnError::Invalid {
                what,
                reason: reason.into(),
            })
        };
        if self.n_heads == 0 || self.d_model == 0 || !self.d_model.is_multiple_of(2 * self.n_heads) {
            return bad("d_model", "must be a positive multiple of 2 × n_heads");
        }
        if self.d_ff == 0 || self.max_nodes == 0 {
            return bad("d_ff/max_nodes", "must be positive");
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad("dropout", "must be in [0, 1)");
        }
        self.train.validate()
    }
}
