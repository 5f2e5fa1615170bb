//! A fitted model on disk or in memory: burn's burnpack record of the weights (f32, exactly as
//! trained) plus a JSON document with the config, shapes, scalers and training report.
//!
//! Byte layout of [`Saved::to_bytes`]: a [`hearth_file::sealed`] frame (`HEARTHNN2\n`, body
//! length, body, CRC-32) around a body of the JSON length as u64 little-endian, the JSON, then
//! the burnpack bytes to the end of the body. Version 1 files (no checksum) are refused with a
//! message to retrain.

use std::path::Path;

use hearth_file::{sealed, Kind};

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, TensorData};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::NnError;

/// The `.hnn` file kind; the format tag is the file's magic.
pub const NN_FILE: Kind = Kind {
    format: "HEARTHNN",
    version: 2,
    made_by: "hearth evict run",
};

/// Where bytes given to [`Saved::from_bytes`] came from, in errors.
const IN_MEMORY: &str = "<bytes>";

/// A model in saved form: which kind, its metadata as JSON, its weights as burnpack bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    /// JSON with `kind` and the model's metadata (config, shapes, scalers, report).
    pub meta_json: String,
    /// burnpack record of the weights.
    pub weights: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    kind: String,
    meta: T,
}

impl Saved {
    pub(crate) fn new<T: Serialize, M: Module>(kind: &str, meta: &T, net: M) -> Result<Self, NnError> {
        let meta_json = serde_json::to_string_pretty(&Envelope {
            kind: kind.to_string(),
            meta,
        })
        .map_err(|e| NnError::Persist(e.to_string()))?;
        let bytes = net
            .into_record()
            .into_bytes()
            .map_err(|e| NnError::Persist(e.to_string()))?;
        Ok(Self {
            meta_json,
            weights: bytes.to_vec(),
        })
    }

    /// Which kind of model the file holds (`lstm`, `tcn`, `st`, or a caller's own kind).
    pub fn kind(&self) -> Result<String, NnError> {
        let env: Envelope<serde::de::IgnoredAny> =
            serde_json::from_str(&self.meta_json).map_err(|e| NnError::Persist(e.to_string()))?;
        Ok(env.kind)
    }

    /// Wraps a caller's own network (any burn module) and metadata, as the models here are saved.
    pub fn of_module<T: Serialize, M: Module>(kind: &str, meta: &T, net: M) -> Result<Self, NnError> {
        Self::new(kind, meta, net)
    }

    /// The metadata of a file written by [`Saved::of_module`] with this `kind`.
    pub fn module_meta<T: DeserializeOwned>(&self, kind: &str) -> Result<T, NnError> {
        self.meta(kind)
    }

    /// Loads the weights into a freshly built network of the same shape.
    pub fn module_weights<M: Module>(&self, net: M) -> Result<M, NnError> {
        self.load_weights(net)
    }

    /// Parses the metadata, refusing another kind of model.
    pub(crate) fn meta<T: DeserializeOwned>(&self, kind: &str) -> Result<T, NnError> {
        let env: Envelope<T> = serde_json::from_str(&self.meta_json).map_err(|e| NnError::Persist(e.to_string()))?;
        if env.kind != kind {
            return Err(NnError::Persist(format!("expected a {kind} model, found {}", env.kind)));
        }
        Ok(env.meta)
    }

    /// Applies the weights to a freshly built network of the right shape.
    pub(crate) fn load_weights<M: Module>(&self, net: M) -> Result<M, NnError> {
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(self.weights.clone()))
            .map_err(|e| NnError::Persist(e.to_string()))?;
        net.try_load_record(record).map_err(|e| NnError::Persist(e.to_string()))
    }

    /// One self-describing, checksummed byte string (see the module docs for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(8 + self.meta_json.len() + self.weights.len());
        body.extend_from_slice(&(self.meta_json.len() as u64).to_le_bytes());
        body.extend_from_slice(self.meta_json.as_bytes());
        body.extend_from_slice(&self.weights);
        sealed::seal(&NN_FILE, &body)
    }

    /// Parses [`Saved::to_bytes`]'s output.
    ///
    /// # Errors
    /// [`NnError::File`] for a foreign, old, truncated or corrupt frame; [`NnError::Persist`]
    /// for a frame whose body is not a model.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NnError> {
        Self::from_body(sealed::unseal(&NN_FILE, bytes, IN_MEMORY)?)
    }

    fn from_body(body: &[u8]) -> Result<Self, NnError> {
        let bad = |why: &str| NnError::Persist(format!("not a hearth-nn model: {why}"));
        let (len, rest) = body.split_at_checked(8).ok_or_else(|| bad("truncated header"))?;
        let len = u64::from_le_bytes(len.try_into().expect("8 bytes"));
        let len = usize::try_from(len).map_err(|_| bad("metadata length out of range"))?;
        let (json, weights) = rest.split_at_checked(len).ok_or_else(|| bad("truncated metadata"))?;
        let meta_json = String::from_utf8(json.to_vec()).map_err(|_| bad("metadata is not UTF-8"))?;
        Ok(Self {
            meta_json,
            weights: weights.to_vec(),
        })
    }

    /// Writes atomically (temporary file, sync, rename), so readers never see a half-written
    /// model.
    pub fn write(&self, path: &Path) -> Result<(), NnError> {
        hearth_file::atomic::write_atomic(path, &self.to_bytes()).map_err(|cause| NnError::Io {
            path: path.display().to_string(),
            cause,
        })
    }

    /// Reads a file written by [`Saved::write`]; errors name the file.
    pub fn read(path: &Path) -> Result<Self, NnError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|cause| NnError::Io {
            path: shown.clone(),
            cause,
        })?;
        Self::from_body(sealed::unseal(&NN_FILE, &bytes, &shown)?)
    }
}

/// Tensor data as f32, reporting a conversion failure instead of panicking.
pub(crate) fn to_vec(data: TensorData) -> Result<Vec<f32>, NnError> {
    data.try_into_vec::<f32>()
        .map_err(|e| NnError::Persist(format!("tensor readback: {e:?}")))
}
