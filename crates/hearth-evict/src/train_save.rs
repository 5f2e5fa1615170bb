//! `hearth evict train --out`: one model fitted on a snapshot file's
//! training hours, its 80% interval calibrated on the validation hours, and
//! captured with its provenance as a [`SavedModel`].

use crate::dataset::{Dataset, Level, Split};
use crate::error::{Context, EvictError, Result};
use crate::eval::{calibrate, fit_and_score, Evaluation};
use crate::models::{self, ModelOptions};
use crate::predictor::Predictor;
use crate::saved_model::{SavedModel, TrainedOn};
use crate::snapshot_file::{file_sha256, HOUR_S};
use std::path::Path;

/// The one (model, level) to fit: `level` picks among the model's levels;
/// without it, cluster where the model has it, else its only level.
pub fn pick_one(names: &[String], level: Option<&str>) -> Result<(String, Level)> {
    let mut wanted = models::expand(names)?;
    match level {
        Some("cluster") => wanted.retain(|(_, l)| *l == Level::Cluster),
        Some("node") => wanted.retain(|(_, l)| *l == Level::Node),
        Some(other) => {
            return Err(EvictError::Options(format!(
                "unknown level {other:?}; known: cluster, node"
            )))
        }
        None => {
            let names: Vec<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
            wanted.retain(|(n, l)| *l == Level::Cluster || names.iter().filter(|m| *m == n).count() == 1);
        }
    }
    match wanted.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(EvictError::Options(format!(
            "no model of {names:?} runs at level {level:?}"
        ))),
        _ => Err(EvictError::Options(
            "--out saves one model: name it with --model (and --level cluster|node)".into(),
        )),
    }
}

/// Fits the model and scores it on the validation hours.
pub fn fit(
    name: &str,
    level: Level,
    opts: &ModelOptions,
    data: &Dataset,
    seed: u64,
) -> Result<(Box<dyn Predictor>, Evaluation)> {
    let mut model = models::build(name, level, opts)?;
    let eval = fit_and_score(model.as_mut(), data, Split::Validation, seed)
        .context_with(|| format!("model {name} at {} level", level.name()))?;
    Ok((model, eval))
}

/// Where a fitted model's data came from: the snapshot file (as named on the
/// command line), its first hour, and the settings and seed it was fitted with.
pub struct Source<'a> {
    pub snapshots: &'a Path,
    pub first_hour_s: i64,
    pub seed: u64,
    pub settings: ModelOptions,
}

/// Calibrates the fitted model's 80% interval on the validation hours and
/// captures it with its provenance, ready to save.
pub fn capture(model: &dyn Predictor, data: &Dataset, source: &Source) -> Result<SavedModel> {
    let interval = calibrate(model, data).context_with(|| "calibrating the 80% interval".into())?;
    let hour = |h: usize| source.first_hour_s + h as i64 * HOUR_S;
    let trained_on = TrainedOn {
        snapshot_file: source.snapshots.display().to_string(),
        snapshot_sha256: file_sha256(source.snapshots)?,
        first_hour_utc_s: source.first_hour_s,
        train_until_utc_s: hour(data.cuts.train),
        validation_until_utc_s: hour(data.cuts.validation),
        clusters: data.clusters.len(),
        train_samples: data.samples(Split::Train).len(),
        validation_samples: data.samples(Split::Validation).len(),
        seed: source.seed,
        settings: source.settings,
        hearth_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    SavedModel::capture(model, trained_on, interval)
}
