//! Forecasters by name, as the command line and experiment configs name
//! them. Each name is offered at the levels where it applies.
//!
//! Extension point: the tabular families of hearth-ml (linear, SVR, random
//! forest, GBDT) plug in as [`crate::Tabular`] over a [`crate::Learner`]
//! adapter, and the sequence models of hearth-nn (LSTM, spatial-temporal
//! transformer) as [`Predictor`]s of their own; each is added to [`MODELS`]
//! and [`build`].

use crate::baseline::{Baseline, Naive};
use crate::dataset::Level;
use crate::dataset::WINDOW;
use crate::error::{EvictError, Result};
use crate::ml::{self, MlLearner};
use crate::nn::{LstmPredictor, NnOptions, StPredictor};
use crate::predictor::{Predictor, Regressor, Tabular};
use crate::saved_model::Body;
use crate::snapshot::F;

/// Every model name and the levels it runs at, in table order.
/// SVR runs at cluster level only: scoring every node of every test hour
/// against thousands of support vectors costs hours at the study's scale.
/// The transformer is node level by construction (it attends across a
/// cluster's nodes) and is scored on its cluster aggregate.
pub const MODELS: [(&str, &[Level]); 8] = [
    ("last-rate", &[Level::Cluster, Level::Node]),
    ("window-mean", &[Level::Cluster, Level::Node]),
    ("linear", &[Level::Cluster, Level::Node]),
    ("svr", &[Level::Cluster]),
    ("random-forest", &[Level::Cluster, Level::Node]),
    ("gbdt", &[Level::Cluster, Level::Node]),
    ("lstm", &[Level::Cluster, Level::Node]),
    ("st-transformer", &[Level::Node]),
];

/// Knobs that bound the cost of node-level models.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelOptions {
    /// Most (sample, node) rows a node-level tabular model trains on.
    pub max_node_train_rows: usize,
    /// Training budget of the LSTM and the transformer.
    pub nn: NnOptions,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            max_node_train_rows: 5_000,
            nn: NnOptions::default(),
        }
    }
}

/// The (model, level) pairs named by `names`; `all` names every model.
pub fn expand(names: &[String]) -> Result<Vec<(String, Level)>> {
    let mut out = Vec::new();
    for name in names {
        let picked: Vec<_> = MODELS.iter().filter(|(m, _)| name == "all" || m == name).collect();
        if picked.is_empty() {
            let known: Vec<&str> = MODELS.iter().map(|(m, _)| *m).collect();
            return Err(EvictError::Config(format!(
                "unknown model {name:?}; known: all, {}",
                known.join(", ")
            )));
        }
        for (m, levels) in picked {
            for &level in levels.iter() {
                if !out.iter().any(|(n, l)| n == m && *l == level) {
                    out.push((m.to_string(), level));
                }
            }
        }
    }
    Ok(out)
}

/// A fresh, unfitted predictor.
pub fn build(name: &str, level: Level, opts: &ModelOptions) -> Result<Box<dyn Predictor>> {
    let p: Box<dyn Predictor> = match name {
        "last-rate" => Box::new(Baseline::new(Naive::LastRate, level)),
        "window-mean" => Box::new(Baseline::new(Naive::WindowMean, level)),
        "lstm" => Box::new(LstmPredictor::new(level, &opts.nn, opts.max_node_train_rows)),
        "st-transformer" => Box::new(StPredictor::new(&opts.nn)),
        _ => {
            let params =
                ml::params(name, WINDOW * F).ok_or_else(|| EvictError::Config(format!("unknown model {name:?}")))?;
            let rows = match level {
                Level::Cluster => usize::MAX,
                Level::Node => opts.max_node_train_rows,
            };
            Box::new(Tabular::new(Box::new(MlLearner(params)), level, rows))
        }
    };
    Ok(p)
}

/// A fitted predictor from a saved [`Body`]; errors when the body is not
/// the model's family or the model is unknown.
pub fn restore(name: &str, level: Level, opts: &ModelOptions, body: &Body) -> Result<Box<dyn Predictor>> {
    let known = MODELS.iter().any(|(m, levels)| *m == name && levels.contains(&level));
    let mismatch = || EvictError::Model {
        model: name.to_string(),
        reason: format!("the saved state does not fit a {name} model at {} level", level.name()),
    };
    if !known {
        return Err(mismatch());
    }
    Ok(match (name, body) {
        ("last-rate" | "window-mean", Body::Naive) => build(name, level, opts)?,
        ("lstm", Body::Neural { .. }) => Box::new(LstmPredictor::restore(level, body)?),
        ("st-transformer", Body::Neural { .. }) => Box::new(StPredictor::restore(body)?),
        (_, Body::Tabular { hours, models }) if ml::params(name, WINDOW * F).is_some() => {
            let params = ml::params(name, WINDOW * F).ok_or_else(mismatch)?;
            let regressors = models
                .iter()
                .map(|m| Box::new(m.clone()) as Box<dyn Regressor>)
                .collect();
            Box::new(Tabular::restore(
                Box::new(MlLearner(params)),
                level,
                *hours,
                regressors,
            )?)
        }
        _ => return Err(mismatch()),
    })
}
