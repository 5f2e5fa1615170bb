//! `hearth serve`: the placement and eviction-forecast service
//! (hearth-serve) on a config file's fleet and policy; `hearth serve
//! replay` drives a running service through a workload.

use crate::fleet_args::{AdmissionArg, FleetArgs};
use crate::policies::{decider, PolicyContext};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use hearth_place::fireplace::FirePlaceModel;
use hearth_serve::config::{PolicyConfig, ServeConfig};
use hearth_serve::{LoadedPolicy, Setup};
use hearth_sim::{Decider, Fleet, SimConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: Option<ServeCmd>,
    /// The service's TOML config (fleet, admission, policy, model files, state, token);
    /// see examples/serve.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on (overrides the config; default 127.0.0.1:7300).
    #[arg(long)]
    pub listen: Option<String>,
    /// Journal directory (overrides the config's `state`).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Run without a journal, whatever the config says (state is lost on exit).
    #[arg(long, conflicts_with = "state")]
    pub no_journal: bool,
    /// File with the bearer token for mutating and admin endpoints (overrides the config).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Subcommand, Debug)]
pub enum ServeCmd {
    /// Drive a running service through a workload, step by step (arrivals, departures, usage).
    Replay(crate::serve_replay::ReplayArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn run(args: ServeArgs) -> Result<()> {
    if let Some(ServeCmd::Replay(r)) = args.command {
        return crate::serve_replay::run(r);
    }
    let Some(path) = &args.config else {
        bail!("hearth serve needs --config FILE (see examples/serve.toml)");
    };
    init_logs(args.log_format);
    let config = ServeConfig::load(path)?;
    let listen = args.listen.clone().unwrap_or_else(|| config.listen.clone());
    let setup = setup(&args, &config)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let service = hearth_serve::start(setup)?;
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        tracing::info!(
            listen = %listener.local_addr()?,
            replayed_events = service.replayed,
            "hearth serve ready"
        );
        hearth_serve::serve(service, listener).await?;
        Ok::<(), anyhow::Error>(())
    })
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The config and flags resolved into what the service runs on.
fn setup(args: &ServeArgs, config: &ServeConfig) -> Result<Setup> {
    let (fleet, sim) = fleet(config).with_context(|| format!("[fleet] of {}", describe(&args.config)))?;
    let token_file = args.token_file.clone().or_else(|| config.token_file.clone());
    let token = match &token_file {
        Some(p) => Some(hearth_serve::auth::read_token(p).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let policy = config.policy.clone();
    load_policy(&policy)?; // fail before binding on a bad name or model file
    let forecast = match &config.evict {
        Some(e) => Some(crate::serve_forecast::forecaster(&e.model)?),
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
    let admission = AdmissionArg::from_str(&f.admission, false)
        .map_err(|_| anyhow::anyhow!("admission {:?}: use usage, usage-lagged or requests", f.admission))?;
    if admission == AdmissionArg::Both {
        bail!("admission \"both\": a service runs one admission mode");
    }
    let args = FleetArgs {
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
