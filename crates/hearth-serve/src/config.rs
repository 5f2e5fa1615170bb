//! The service's TOML configuration (`hearth serve --config FILE`).
//! Unknown keys are errors; relative paths are relative to the file.

use crate::journal::SyncMode;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Address to bind (default 127.0.0.1:7300); `--listen` overrides.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Directory of the journal; none: no journal (state lost on exit).
    #[serde(default)]
    pub state: Option<PathBuf>,
    /// File holding the bearer token mutating and admin endpoints require.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    pub fleet: FleetConfig,
    pub policy: PolicyConfig,
    #[serde(default)]
    pub evict: Option<EvictConfig>,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub journal_sync: SyncMode,
}

pub fn default_listen() -> String {
    "127.0.0.1:7300".into()
}

/// The fleet: `servers` servers of `server_cores` × `server_memory_gib`, or
/// taken from `nodes` (any value `hearth compare --nodes` takes).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    pub servers: usize,
    #[serde(default = "default_cores")]
    pub server_cores: f32,
    #[serde(default = "default_memory")]
    pub server_memory_gib: f32,
    #[serde(default)]
    pub nodes: Option<String>,
    /// `usage` (default), `usage-lagged` or `requests`.
    #[serde(default = "default_admission")]
    pub admission: String,
    #[serde(default = "one")]
    pub cpu_oversub: f32,
    #[serde(default = "one")]
    pub memory_oversub: f32,
}

fn default_cores() -> f32 {
    24.0
}
fn default_memory() -> f32 {
    192.0
}
fn default_admission() -> String {
    "usage".into()
}
fn one() -> f32 {
    1.0
}

/// The placement policy: any name `hearth compare --policies` takes but
/// the hindsight teachers; `fireplace` needs `model`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    pub name: String,
    #[serde(default)]
    pub model: Option<PathBuf>,
    /// Candidates FirePlace samples (default: the model's own k).
    #[serde(default)]
    pub k: Option<usize>,
    /// Seed of the policy's random choices.
    #[serde(default)]
    pub seed: u64,
}

/// The eviction-forecast model (`hearth evict train --out m.json`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EvictConfig {
    pub model: PathBuf,
}

/// Bounds on every request.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request body, bytes (413 beyond).
    pub body_bytes: usize,
    /// Largest forecast body (Parquet or JSON snapshots), bytes.
    pub forecast_body_bytes: usize,
    /// Time a request may take before a 408, milliseconds.
    pub timeout_ms: u64,
    /// Commands waiting for the fleet thread before a 503.
    pub queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 1 << 20,
            forecast_body_bytes: 16 << 20,
            timeout_ms: 10_000,
            queue: 65_536,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("{path}: {field}: {reason}")]
    Invalid {
        path: PathBuf,
        field: &'static str,
        reason: String,
    },
}

impl ServeConfig {
    /// Reads and checks a config file; relative paths become relative to it.
    pub fn load(path: &Path) -> Result<ServeConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config: ServeConfig = toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
        let invalid = |field, reason: &str| ConfigError::Invalid {
            path: path.to_path_buf(),
            field,
            reason: reason.to_string(),
        };
        if config.fleet.servers == 0 {
            return Err(invalid("fleet.servers", "must be at least 1"));
        }
        if config.limits.body_bytes == 0 || config.limits.timeout_ms == 0 || config.limits.queue == 0 {
            return Err(invalid("limits", "body_bytes, timeout_ms and queue must be positive"));
        }
        if config.policy.k == Some(0) {
            return Err(invalid("policy.k", "must be at least 1"));
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let rebase = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        for p in [&mut config.state, &mut config.token_file, &mut config.policy.model] {
            if let Some(p) = p.as_mut() {
                rebase(p);
            }
        }
        if let Some(e) = config.evict.as_mut() {
            rebase(&mut e.model);
        }
        if let Some(n) = config.fleet.nodes.as_mut() {
            let p = base.join(&*n);
            if !Path::new(n).is_absolute() && p.exists() {
                *n = p.display().to_string();
            }
        }
        Ok(config)
    }
}
