//! FirePlace model files: versioned JSON holding the feature schema, the
//! fitted models, the training provenance and a checksum; written
//! atomically. Loading a corrupt file, a file of another version or one
//! whose feature schema differs from this build's is a clear error.

use super::features::feature_names;
use serde::{Deserialize, Serialize};
use std::path::Path;
use thiserror::Error;

pub const FORMAT: &str = "hearth-fireplace-model";
pub const VERSION: u32 = 1;

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

#[derive(Serialize, Deserialize)]
struct ModelFile {
    format: String,
    version: u32,
    /// CRC-32 of the model's canonical JSON.
    checksum: String,
    model: FirePlaceModel,
}

#[derive(Debug, Error)]
pub enum ModelFileError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(
        "{path}: not a readable FirePlace model file ({source}); train one with `hearth fireplace train --out {path}`"
    )]
    Json { path: String, source: serde_json::Error },
    #[error("{path}: this is a {found:?} file, not a FirePlace model ({FORMAT:?})")]
    Format { path: String, found: String },
    #[error(
        "{path}: model file version {found}; this build reads version {VERSION}: retrain with `hearth fireplace train`"
    )]
    Version { path: String, found: u32 },
    #[error("{path}: checksum mismatch (file says {stored}, content gives {actual}): the file is corrupt")]
    Checksum {
        path: String,
        stored: String,
        actual: String,
    },
    #[error("{path}: the model was trained on another feature schema ({found} features, this build has {expected}; first difference: {first}): retrain it")]
    Schema {
        path: String,
        expected: usize,
        found: usize,
        first: String,
    },
}

fn checksum(model: &FirePlaceModel) -> String {
    let json = serde_json::to_string(model).expect("a model serialises");
    format!("crc32:{:08x}", crc32fast::hash(json.as_bytes()))
}

impl FirePlaceModel {
    pub fn save(&self, path: &Path) -> Result<(), ModelFileError> {
        let file = ModelFile {
            format: FORMAT.into(),
            version: VERSION,
            checksum: checksum(self),
            model: self.clone(),
        };
        let mut bytes = serde_json::to_vec(&file).expect("a model serialises");
        bytes.push(b'\n');
        hearth_trace::atomic::write_atomic(path, &bytes).map_err(|source| ModelFileError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    pub fn load(path: &Path) -> Result<FirePlaceModel, ModelFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ModelFileError::Io {
            path: shown.clone(),
            source,
        })?;
        let head: serde_json::Value = serde_json::from_str(&text).map_err(|source| ModelFileError::Json {
            path: shown.clone(),
            source,
        })?;
        let found = head.get("format").and_then(|f| f.as_str()).unwrap_or("unknown");
        if found != FORMAT {
            return Err(ModelFileError::Format {
                path: shown,
                found: found.into(),
            });
        }
        let version = head.get("version").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        if version != VERSION {
            return Err(ModelFileError::Version {
                path: shown,
                found: version,
            });
        }
        let file: ModelFile = serde_json::from_value(head).map_err(|source| ModelFileError::Json {
            path: shown.clone(),
            source,
        })?;
        let actual = checksum(&file.model);
        if actual != file.checksum {
            return Err(ModelFileError::Checksum {
                path: shown,
                stored: file.checksum,
                actual,
            });
        }
        check_schema(&shown, &file.model.feature_schema)?;
        Ok(file.model)
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
