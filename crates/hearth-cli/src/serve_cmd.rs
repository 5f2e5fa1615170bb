//! `hearth serve`: the placement and eviction-forecast service
//! (hearth-serve) on a config file's fleet and policy; `hearth serve
//! replay` drives a running service through a workload.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use hearth_serve::config::ServeConfig;
use hearth_serve::setup::Overrides;
use hearth_serve::Setup;
use std::path::PathBuf;

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
    let overrides = Overrides {
        config_path: args.config.clone(),
        state: args.state.clone(),
        no_journal: args.no_journal,
        token_file: args.token_file.clone(),
    };
    hearth_serve::setup::resolve(config, &overrides)
}
