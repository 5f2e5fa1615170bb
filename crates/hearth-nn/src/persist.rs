//! A fitted model on disk or in memory: burn's burnpack record of the weights (f32, exactly as
//! trained) plus a JSON document with the config, shapes, scalers and training report.
//!
//! Byte layout of [`Saved::to_bytes`]: the magic `HEARTHNN1\n`, the JSON length as u64
//! little-endian, the JSON, then the burnpack bytes to the end.

use std::io::Write;
use std::path::Path;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, TensorData};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::NnError;

const MAGIC: &[u8] = b"HEARTHNN1\n";

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

    /// One self-describing byte string (see the module docs for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAGIC.len() + 8 + self.meta_json.len() + self.weights.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.meta_json.len() as u64).to_le_bytes());
        out.extend_from_slice(self.meta_json.as_bytes());
        out.extend_from_slice(&self.weights);
        out
    }

    /// Parses [`Saved::to_bytes`]'s output.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, NnError> {
        let bad = |why: &str| NnError::Persist(format!("not a hearth-nn model: {why}"));
        let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| bad("bad magic"))?;
        let (len, rest) = rest.split_at_checked(8).ok_or_else(|| bad("truncated header"))?;
        let len = u64::from_le_bytes(len.try_into().expect("8 bytes")) as usize;
        let (json, weights) = rest.split_at_checked(len).ok_or_else(|| bad("truncated metadata"))?;
        let meta_json = String::from_utf8(json.to_vec()).map_err(|_| bad("metadata is not UTF-8"))?;
        Ok(Self {
            meta_json,
            weights: weights.to_vec(),
        })
    }

    /// Writes to a temporary file beside `path`, syncs, then renames, so readers never see a
    /// half-written model.
    pub fn write(&self, path: &Path) -> Result<(), NnError> {
        let io = |source| NnError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(format!(".tmp{}", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        let written = file.write_all(&self.to_bytes()).and_then(|_| file.sync_all());
        if let Err(e) = written.and_then(|_| std::fs::rename(&tmp, path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(e));
        }
        Ok(())
    }

    /// Reads a file written by [`Saved::write`].
    pub fn read(path: &Path) -> Result<Self, NnError> {
        let bytes = std::fs::read(path).map_err(|source| NnError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }
}

/// Tensor data as f32, reporting a conversion failure instead of panicking.
pub(crate) fn to_vec(data: TensorData) -> Result<Vec<f32>, NnError> {
    data.try_into_vec::<f32>()
        .map_err(|e| NnError::Persist(format!("tensor readback: {e:?}")))
}
