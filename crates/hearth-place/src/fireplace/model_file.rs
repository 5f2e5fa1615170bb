//! FirePlace model files: a [`hearth_file::json`] envelope (format tag,
//! version, CRC-32; written atomically) around the feature schema, the
//! fitted models and the training provenance. Loading a corrupt file, a file of another version or one
//! whose feature schema differs from this build's is a clear error.

use super::features::feature_names;
use hearth_file::{FileError, Kind};
use serde::{Deserialize, Serialize};
use std::path::Path;
use thiserror::Error;

/// Version 2 moved to the shared [`hearth_file::json`] envelope, whose
/// checksum covers the payload's bytes as written.
pub const KIND: Kind = Kind {
    format: "hearth-fireplace-model",
    version: 2,
    made_by: "hearth fireplace train",
};

/// A trained FirePlace policy and its learned forecast baseline.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FirePlaceModel {
    /// Candidates sampled per decision.
    pub k: usize,
    pub feature_schema: Vec<String>,
    /// Probability that the teacher would pick a candidate, from its row.
    pub chooser: hearth_ml::Model,
    /// Next-hour CPU peak (fraction of capacity) of a candidate, from its
    /// own features: the learned forecast baseline.
    pub forecast: Option<hearth_ml::Model>,
    /// How it was trained: workloads, seeds, teacher, rounds, accuracies.
    pub provenance: serde_json::Value,
}

#[derive(Debug, Error)]
pub enum ModelFileError {
    /// Unreadable, foreign, of another version, corrupt, or not writable.
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path}: the model was trained on another feature schema ({found} features, this build has {expected}; first difference: {first}): retrain it")]
    Schema {
        path: String,
        expected: usize,
        found: usize,
        first: String,
    },
}

impl FirePlaceModel {
    /// Writes the model atomically as a [`KIND`] file.
    pub fn save(&self, path: &Path) -> Result<(), ModelFileError> {
        Ok(hearth_file::json::write(path, &KIND, self)?)
    }

    /// Reads a [`KIND`] file and checks that its feature schema is this build's.
    ///
    /// # Errors
    /// [`ModelFileError::File`] for I/O, foreign, old or corrupt files;
    /// [`ModelFileError::Schema`] for a model trained on other features.
    pub fn load(path: &Path) -> Result<FirePlaceModel, ModelFileError> {
        let model: FirePlaceModel = hearth_file::json::read(path, &KIND)?;
        check_schema(&path.display().to_string(), &model.feature_schema)?;
        Ok(model)
    }
}

fn check_schema(path: &str, found: &[String]) -> Result<(), ModelFileError> {
    let expected = feature_names();
    if found == expected.as_slice() {
        return Ok(());
    }
    let first = expected
        .iter()
        .zip(found)
        .find(|(a, b)| a != b)
        .map(|(a, b)| format!("expected {a:?}, found {b:?}"))
        .unwrap_or_else(|| "one schema is a prefix of the other".into());
    Err(ModelFileError::Schema {
        path: path.into(),
        expected: expected.len(),
        found: found.len(),
        first,
    })
}
