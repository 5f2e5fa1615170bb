//! A trained eviction forecaster as data: which model, what it was trained
//! on, its calibrated interval and its fitted state, saved as a hearth-file
//! JSON envelope ([`MODEL_FILE`]: format tag `hearth-evict-model`, version,
//! CRC-32 of the payload, atomic write). Loading checks, in order, the
//! envelope (JSON, tag, version, checksum), that the payload parses, and
//! that the model's window, horizons and features are this build's.
//!
//! The fitted state per family is a [`Body`] (see [`crate::body`]).
//!
//! Loading refuses a model whose window, horizons or per-hour features differ
//! from this build's ([`SavedModel::check`]): its rows would mean something else.

use crate::body::Body;
use crate::dataset::{Level, HORIZONS, WINDOW};
use crate::error::{EvictError, Result};
use crate::interval::Conformal;
use crate::models::{self, ModelOptions};
use crate::predictor::Predictor;
use crate::snapshot::FEATURES;
use serde::{Deserialize, Serialize};

/// The eviction model file kind.
pub const MODEL_FILE: hearth_file::Kind = hearth_file::Kind {
    format: "hearth-evict-model",
    version: 1,
    made_by: "hearth evict train --snapshots FILE --model NAME --out FILE",
};

/// What a model was trained on and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainedOn {
    /// The snapshot file as given on the command line.
    pub snapshot_file: String,
    /// SHA-256 of its bytes, hex.
    pub snapshot_sha256: String,
    /// Start of the first hour of the file, seconds since 1970-01-01 UTC.
    pub first_hour_utc_s: i64,
    /// Training targets lie in `[first_hour_utc_s, train_until_utc_s)`.
    pub train_until_utc_s: i64,
    /// Validation targets (interval calibration) in `[train_until_utc_s, validation_until_utc_s)`.
    pub validation_until_utc_s: i64,
    pub clusters: usize,
    pub train_samples: usize,
    pub validation_samples: usize,
    pub seed: u64,
    pub settings: ModelOptions,
    /// hearth's version that trained it.
    pub hearth_version: String,
}

/// A trained forecaster, ready to save or to forecast with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// Model name as `hearth evict train --model` takes it.
    pub model: String,
    pub level: Level,
    /// Hours per input window.
    pub window_h: usize,
    pub horizons: usize,
    /// Per-hour features the model reads, in order.
    pub features: Vec<String>,
    pub trained_on: TrainedOn,
    pub interval: Conformal,
    pub body: Body,
}

impl SavedModel {
    /// Captures a fitted predictor.
    pub fn capture(p: &dyn Predictor, trained_on: TrainedOn, interval: Conformal) -> Result<SavedModel> {
        Ok(SavedModel {
            model: p.name(),
            level: p.level(),
            window_h: WINDOW,
            horizons: HORIZONS,
            features: FEATURES.iter().map(|f| f.to_string()).collect(),
            trained_on,
            interval,
            body: p.to_body()?,
        })
    }

    /// Writes the model file atomically.
    pub fn save(&self, path: &std::path::Path) -> Result<()> {
        Ok(hearth_file::json::write(path, &MODEL_FILE, self)?)
    }

    /// Reads and checks a model file written by [`SavedModel::save`].
    pub fn load(path: &std::path::Path) -> Result<SavedModel> {
        let model: SavedModel = hearth_file::json::read(path, &MODEL_FILE)?;
        model
            .check()
            .map_err(|e| EvictError::Config(format!("{}: {e}", path.display())))?;
        Ok(model)
    }

    /// Errors when the model expects other inputs or outputs than this build makes.
    pub fn check(&self) -> Result<()> {
        let ours: Vec<&str> = FEATURES.to_vec();
        let bad = |reason: String| {
            Err(EvictError::Model {
                model: self.model.clone(),
                reason,
            })
        };
        if self.window_h != WINDOW || self.horizons != HORIZONS {
            return bad(format!(
                "expects {}-hour windows and {} horizons; this build uses {WINDOW} and {HORIZONS}",
                self.window_h, self.horizons
            ));
        }
        if self.features != ours {
            let first = (0..self.features.len().max(ours.len()))
                .find(|&i| self.features.get(i).map(String::as_str) != ours.get(i).copied())
                .unwrap_or(0);
            return bad(format!(
                "expects other features: its feature {first} is {:?}, this build's is {:?} ({} vs {} features)",
                self.features.get(first),
                ours.get(first),
                self.features.len(),
                ours.len()
            ));
        }
        Ok(())
    }

    /// The predictor, fitted state restored.
    pub fn predictor(&self) -> Result<Box<dyn Predictor>> {
        self.check()?;
        models::restore(&self.model, self.level, &self.trained_on.settings, &self.body)
    }
}
