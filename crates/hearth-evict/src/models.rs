//! Forecasters by name, as the command line and experiment configs name
//! them. Each name is offered at the levels where it applies.
//!
//! Extension point: the tabular families of hearth-ml (linear, SVR, random
//! forest, GBDT) plug in as [`crate::Tabular`] over a [`crate::Learner`]
//! adapter, and the sequence models of hearth-nn (LSTM, spatial-temporal
//! transformer) as [`Predictor`]s of their own; each is added to [`MODELS`]
//! and [`build`].

use crate::baseline::{Baseline, Naive};
use crate::body::Body;
use crate::dataset::Level;
use crate::dataset::WINDOW;
use crate::error::{EvictError, Result};
use crate::ml::{self, MlLearner};
#[cfg(feature = "nn")]
use crate::nn::{LstmPredictor, StPredictor};
use crate::nn_options::NnOptions;
use crate::predictor::{Predictor, Regressor, Tabular};
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

/// The neural models, which need the `nn` feature.
pub const NEURAL: [&str; 2] = ["lstm", "st-transformer"];

/// Whether this build has the neural models (the `nn` feature).
pub const HAS_NN: bool = cfg!(feature = "nn");

/// The models `all` leaves out in this build: [`NEURAL`] without the `nn`
/// feature, else none. Callers say so to the user rather than drop them silently.
pub fn left_out_of_all() -> &'static [&'static str] {
    if HAS_NN {
        &[]
    } else {
        &NEURAL
    }
}

/// The models of `offered` that `all` leaves out in this build, when
/// `names` says `all`: what the caller should tell the user is missing.
pub fn left_out_of(names: &[String], offered: &[&str]) -> Vec<&'static str> {
    if !names.iter().any(|n| n == "all") {
        return Vec::new();
    }
    left_out_of_all()
        .iter()
        .copied()
        .filter(|m| offered.contains(m))
        .collect()
}

fn needs_nn(name: &str) -> EvictError {
    EvictError::NeedsNn {
        model: name.to_string(),
    }
}

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

/// The (model, level) pairs named by `names`; `all` names every model this
/// build has (see [`left_out_of_all`]). Naming a neural model in a build
/// without `nn` is [`EvictError::NeedsNn`].
pub fn expand(names: &[String]) -> Result<Vec<(String, Level)>> {
    let mut out = Vec::new();
    for name in names {
        if !HAS_NN && NEURAL.contains(&name.as_str()) {
            return Err(needs_nn(name));
        }
        let picked: Vec<_> = MODELS
            .iter()
            .filter(|(m, _)| m == name || (name == "all" && !left_out_of_all().contains(m)))
            .collect();
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
        #[cfg(feature = "nn")]
        "lstm" => Box::new(LstmPredictor::new(level, &opts.nn, opts.max_node_train_rows)),
        #[cfg(feature = "nn")]
        "st-transformer" => Box::new(StPredictor::new(&opts.nn)),
        #[cfg(not(feature = "nn"))]
        "lstm" | "st-transformer" => return Err(needs_nn(name)),
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

/// A fresh learner of `name` over flat rows of `cols` values (`WINDOW` ×
/// features, read as windows by the LSTM), for data outside the snapshot
/// pipeline such as the SkyPilot traces.
#[cfg_attr(not(feature = "nn"), allow(unused_variables))]
pub fn learner(name: &str, cols: usize, nn: &NnOptions) -> Result<Box<dyn crate::Learner>> {
    Ok(match name {
        #[cfg(feature = "nn")]
        "lstm" => Box::new(crate::nn::LstmLearner(*nn)),
        #[cfg(not(feature = "nn"))]
        "lstm" => return Err(needs_nn(name)),
        _ => Box::new(MlLearner(
            ml::params(name, cols).ok_or_else(|| EvictError::Config(format!("unknown model {name:?}")))?,
        )),
    })
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
        #[cfg(feature = "nn")]
        ("lstm", Body::Neural { .. }) => Box::new(LstmPredictor::restore(level, body)?),
        #[cfg(feature = "nn")]
        ("st-transformer", Body::Neural { .. }) => Box::new(StPredictor::restore(body)?),
        #[cfg(not(feature = "nn"))]
        ("lstm" | "st-transformer", Body::Neural { .. }) => return Err(needs_nn(name)),
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
