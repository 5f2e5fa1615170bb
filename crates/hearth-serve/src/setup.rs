//! A config file and the command line's overrides resolved into what the
//! service runs on ([`Setup`]): the fleet as `hearth compare` builds it, the
//! policy by the name the commands use (its model loaded and checked, at
//! start and at every reload), the token, the eviction forecaster.

use crate::config::{PolicyConfig, ServeConfig};
use crate::{LoadedPolicy, Setup};
use anyhow::{bail, Context, Result};
use hearth::fleet::{AdmissionChoice, FleetOptions};
use hearth::policies::{decider, PolicyContext};
use hearth_place::fireplace::FirePlaceModel;
use hearth_sim::{Decider, Fleet, SimConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the command line overrides in the config.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// The config file, to name it in errors.
    pub config_path: Option<PathBuf>,
    /// Journal directory instead of the config's `state`.
    pub state: Option<PathBuf>,
    /// No journal, whatever the config says.
    pub no_journal: bool,
    /// Bearer token file instead of the config's.
    pub token_file: Option<PathBuf>,
}

/// The config and its overrides resolved into what the service runs on.
///
/// Errors: a bad `[fleet]`, token file, policy name or model file, naming which.
pub fn resolve(config: &ServeConfig, args: &Overrides) -> Result<Setup> {
    let (fleet, sim) = fleet(config).with_context(|| format!("[fleet] of {}", describe(&args.config_path)))?;
    let token_file = args.token_file.clone().or_else(|| config.token_file.clone());
    let token = match &token_file {
        Some(p) => Some(crate::auth::read_token(p).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let policy = config.policy.clone();
    load_policy(&policy)?; // fail before binding on a bad name or model file
    let forecast = match &config.evict {
        Some(e) => Some(crate::evict_forecast::forecaster(&e.model)?),
        None => None,
    };
    Ok(Setup {
        fleet,
        sim,
        state: if args.no_journal {
            None
        } else {
            args.state.clone().or_else(|| config.state.clone())
        },
        journal_sync: config.journal_sync,
        token,
        limits: config.limits.clone(),
        load_policy: Box::new(move || load_policy(&policy).map_err(|e| format!("{e:#}"))),
        forecast,
    })
}

fn describe(p: &Option<PathBuf>) -> String {
    p.as_deref().map_or("the config".into(), |p| p.display().to_string())
}

/// The fleet and run settings of a config, built as `hearth compare` builds them.
pub fn fleet(config: &ServeConfig) -> Result<(Fleet, SimConfig)> {
    let f = &config.fleet;
    let admission = f
        .admission
        .parse::<AdmissionChoice>()
        .map_err(|_| anyhow::anyhow!("admission {:?}: use usage, usage-lagged or requests", f.admission))?;
    if admission == AdmissionChoice::Both {
        bail!("admission \"both\": a service runs one admission mode");
    }
    let args = FleetOptions {
        server_cores: f.server_cores,
        server_memory_gib: f.server_memory_gib,
        nodes: f.nodes.clone(),
        admission,
        cpu_oversub: f.cpu_oversub,
        memory_oversub: f.memory_oversub,
        overload_threshold: 1.0,
    };
    let fleet = args.spec()?.build(f.servers);
    let sim = args.config(args.admissions()?[0], config.policy.seed)?;
    Ok((fleet, sim))
}

/// The configured policy, its model loaded and checked (checksum, version,
/// feature schema): at start and at every reload.
pub fn load_policy(p: &PolicyConfig) -> Result<LoadedPolicy> {
    let (model, version) = match &p.model {
        Some(path) => {
            let mut m = FirePlaceModel::load(path)?;
            if let Some(k) = p.k {
                m.k = k;
            }
            (Some(Arc::new(m)), model_version(path)?)
        }
        None => (None, "none".to_string()),
    };
    let ctx = PolicyContext {
        model,
        overload_threshold: 1.0,
        ..PolicyContext::default()
    };
    let decider = decider(&p.name, &ctx)?;
    if let Decider::Hindsight(_) = decider {
        bail!(
            "policy {}: the hindsight teachers see the future and cannot serve",
            p.name
        );
    }
    Ok(LoadedPolicy {
        name: decider.name(),
        decider,
        version,
    })
}

/// A model file's version: its format version and payload checksum.
fn model_version(path: &Path) -> Result<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        version: u32,
        checksum: String,
    }
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let head: Head = serde_json::from_slice(&text).with_context(|| format!("{}: no model envelope", path.display()))?;
    Ok(format!("v{}-{}", head.version, head.checksum))
}
