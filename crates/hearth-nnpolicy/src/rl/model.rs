//! A trained PPO policy: its network plus what it needs to read a decision (k, the feature
//! scaler, FirePlace's feature schema), in hearth-nn's checksummed, versioned model file.

use std::path::Path;

use burn::module::Module;
use burn::tensor::Device;
use hearth_nn::{Saved, Standardizer};
use hearth_place::fireplace::features::feature_names;
use serde::{Deserialize, Serialize};

use super::net::ActorCritic;
use crate::error::PolicyError;

/// The model file's kind tag.
pub const KIND: &str = "ppo-placement";

/// Everything but the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PpoMeta {
    /// Candidates per decision.
    pub k: usize,
    /// Hidden width of actor and critic.
    pub hidden: usize,
    /// FirePlace's feature names, then `admits`: a model trained on another schema is refused.
    pub feature_schema: Vec<String>,
    /// Standardisation of the rows (the admits flag passes through).
    pub scaler: Standardizer,
    /// Training settings and outcome, for provenance.
    pub provenance: serde_json::Value,
}

/// The schema of a row: FirePlace's features, then whether the candidate admits the VM.
pub fn row_schema() -> Vec<String> {
    let mut names = feature_names();
    names.push("admits".into());
    names
}

/// A PPO policy's network and metadata.
#[derive(Debug)]
pub struct PpoModel {
    /// The network (inference copy).
    pub net: ActorCritic,
    /// k, scaler, schema, provenance.
    pub meta: PpoMeta,
}

impl PpoModel {
    /// Writes the model atomically.
    pub fn save(&self, path: &Path) -> Result<(), PolicyError> {
        Ok(Saved::of_module(KIND, &self.meta, self.net.clone())?.write(path)?)
    }

    /// Reads a file written by [`PpoModel::save`], refusing other kinds and other schemas.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        Self::from_saved(&Saved::read(path)?, &path.display().to_string())
    }

    /// As [`PpoModel::load`], from a file already read; `path` names it in errors.
    pub fn from_saved(saved: &Saved, path: &str) -> Result<Self, PolicyError> {
        let kind = saved.kind()?;
        if kind != KIND {
            return Err(PolicyError::WrongKind {
                path: path.into(),
                found: kind,
                expected: format!("{KIND} (`hearth rl train`)"),
            });
        }
        let meta: PpoMeta = saved.module_meta(KIND)?;
        if meta.feature_schema != row_schema() {
            return Err(PolicyError::WrongKind {
                path: path.into(),
                found: format!("PPO policy over {} other features", meta.feature_schema.len()),
                expected: format!(
                    "PPO policy over this build's {} features: retrain it",
                    row_schema().len()
                ),
            });
        }
        let net = ActorCritic::new(meta.feature_schema.len(), meta.hidden, &Device::flex()).valid();
        Ok(Self {
            net: saved.module_weights(net)?,
            meta,
        })
    }
}
