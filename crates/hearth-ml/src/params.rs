//! Hyperparameters: what to fit, independent of data (linfa's split of params / fit / fitted).

use serde::{Deserialize, Serialize};

use crate::MlError;

/// A model family and its hyperparameters. Serialisable so experiment configs can name them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum ModelParams {
    /// Least squares (`ridge == 0`) or ridge regression, on standardised features.
    /// Prefer a small ridge on wide, collinear data (flattened windows): it uses a
    /// `cols × cols` Cholesky solve instead of an SVD of the whole matrix.
    Linear { ridge: f64 },
    /// Epsilon-SVR, RBF kernel, on standardised features. SMO training grows roughly
    /// quadratically with rows, so at most `max_train_rows` rows (seeded sample, order kept)
    /// are used; `None` uses all. With `scale_target`, the target is standardised too (so
    /// `epsilon` and `c` are in units of its spread, whatever its scale) and the bias is set to
    /// the median training residual; without it the fit is smartcore's, bit for bit.
    Svr {
        c: f64,
        epsilon: f64,
        gamma: f64,
        #[serde(default)]
        max_train_rows: Option<usize>,
        #[serde(default)]
        scale_target: bool,
    },
    /// One CART tree (MSE splits; on 0/1 labels equivalent to Gini, leaves are probabilities).
    DecisionTree { max_depth: u16, min_samples_leaf: usize },
    /// Bootstrap forest of such trees; `max_features` per split defaults to √cols.
    RandomForest {
        trees: usize,
        max_depth: u16,
        min_samples_leaf: usize,
        #[serde(default)]
        max_features: Option<usize>,
    },
    /// Gradient-boosted trees (forust-ml): squared loss or log loss.
    Gbdt {
        iterations: usize,
        learning_rate: f64,
        max_depth: usize,
    },
}

impl ModelParams {
    /// A short name for tables and file names.
    pub fn name(&self) -> &str {
        match self {
            ModelParams::Linear { .. } => "linear",
            ModelParams::Svr { .. } => "svr",
            ModelParams::DecisionTree { .. } => "decision-tree",
            ModelParams::RandomForest { .. } => "random-forest",
            ModelParams::Gbdt { .. } => "gbdt",
        }
    }

    /// Rejects hyperparameters the libraries would panic on or silently misuse.
    pub fn validate(&self) -> Result<(), MlError> {
        match *self {
            ModelParams::Linear { ridge } => check(ridge >= 0.0 && ridge.is_finite(), "ridge", ridge, "must be ≥ 0"),
            ModelParams::Svr {
                c,
                epsilon,
                gamma,
                max_train_rows,
                ..
            } => {
                check(c > 0.0 && c.is_finite(), "c", c, "must be > 0")?;
                check(epsilon >= 0.0 && epsilon.is_finite(), "epsilon", epsilon, "must be ≥ 0")?;
                check(gamma > 0.0 && gamma.is_finite(), "gamma", gamma, "must be > 0")?;
                check(max_train_rows != Some(0), "max_train_rows", 0, "must be ≥ 1")
            }
            ModelParams::DecisionTree {
                max_depth,
                min_samples_leaf,
            } => tree_checks(max_depth, min_samples_leaf),
            ModelParams::RandomForest {
                trees,
                max_depth,
                min_samples_leaf,
                max_features,
            } => {
                check(trees >= 1, "trees", trees, "must be ≥ 1")?;
                check(max_features != Some(0), "max_features", 0, "must be ≥ 1")?;
                tree_checks(max_depth, min_samples_leaf)
            }
            ModelParams::Gbdt {
                iterations,
                learning_rate,
                max_depth,
            } => {
                check(iterations >= 1, "iterations", iterations, "must be ≥ 1")?;
                check(
                    learning_rate > 0.0 && learning_rate.is_finite(),
                    "learning_rate",
                    learning_rate,
                    "must be > 0",
                )?;
                check(max_depth >= 1, "max_depth", max_depth, "must be ≥ 1")
            }
        }
    }
}

fn tree_checks(max_depth: u16, min_samples_leaf: usize) -> Result<(), MlError> {
    check(max_depth >= 1, "max_depth", max_depth, "must be ≥ 1")?;
    check(
        min_samples_leaf >= 1,
        "min_samples_leaf",
        min_samples_leaf,
        "must be ≥ 1",
    )
}

fn check(ok: bool, param: &'static str, value: impl ToString, reason: &'static str) -> Result<(), MlError> {
    if ok {
        Ok(())
    } else {
        Err(MlError::param(param, value, reason))
    }
}
