//! Starting the service: journal, fleet thread (rebuilt from the journal),
//! router; then serving until Ctrl-C or SIGTERM, reloading on SIGHUP.

use crate::actor::{self, Command, FleetHandle, Reloader};
use crate::auth::Token;
use crate::config::Limits;
use crate::journal::{self, JournalError, SyncMode};
use crate::metrics::Metrics;
use crate::routes::{self, AppState};
use crate::service::FleetService;
use crate::Forecaster;
use axum::Router;
use hearth_sim::{Fleet, SimConfig};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the service needs, resolved from its config.
pub struct Setup {
    pub fleet: Fleet,
    pub sim: SimConfig,
    pub state: Option<PathBuf>,
    pub journal_sync: SyncMode,
    pub token: Option<Arc<str>>,
    pub limits: Limits,
    /// Loads the policy and its model: at start and at every reload. Runs
    /// on the fleet thread (policies need not be `Send`).
    pub load_policy: Reloader,
    pub forecast: Option<Arc<dyn Forecaster>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("loading the policy: {0}")]
    Policy(String),
    #[error("rebuilding the fleet from the journal: event {index}: {reason}")]
    Replay { index: usize, reason: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A started service: its router and the handle to its fleet thread.
pub struct Service {
    pub router: Router,
    pub fleet: FleetHandle,
    pub metrics: Arc<Metrics>,
    /// Events replayed from the journal at start.
    pub replayed: usize,
}

/// Opens the journal, rebuilds the fleet from it and starts the fleet thread.
pub fn start(setup: Setup) -> Result<Service, StartError> {
    let metrics = Arc::new(Metrics::new());
    let (events, writer) = match &setup.state {
        Some(dir) => {
            let (events, writer) = journal::open(dir, setup.journal_sync, metrics.clone())?;
            (events, Some(writer))
        }
        None => (Vec::new(), None),
    };
    let replayed = events.len();
    let (fleet, sim) = (setup.fleet, setup.sim);
    let mut load = setup.load_policy;
    let build_metrics = metrics.clone();
    let build = move || -> Result<(FleetService, Reloader), StartError> {
        let policy = load().map_err(StartError::Policy)?;
        build_metrics.set_model(&policy.name, &policy.version);
        let mut service = FleetService::new(&fleet, &sim, policy);
        for (index, e) in events.iter().enumerate() {
            service
                .apply(e)
                .map_err(|reason| StartError::Replay { index, reason })?;
        }
        // A fresh random stream after a restart (the old one's position is not journalled).
        if !events.is_empty() {
            service.reseed(sim.seed ^ (events.len() as u64).rotate_left(32));
        }
        Ok((service, load))
    };
    let handle = actor::spawn(build, writer, metrics.clone(), setup.limits.queue)?;
    let state = AppState {
        fleet: handle.clone(),
        metrics: metrics.clone(),
        forecast: setup.forecast,
    };
    let router = routes::router(state, Token(setup.token), &setup.limits);
    Ok(Service {
        router,
        fleet: handle,
        metrics,
        replayed,
    })
}

/// Serves on `listener` until Ctrl-C or SIGTERM; SIGHUP reloads the model.
pub async fn serve(service: Service, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let fleet = service.fleet.clone();
    tokio::spawn(reload_on_hangup(fleet));
    axum::serve(listener, service.router)
        .with_graceful_shutdown(shutdown())
        .await
}

#[cfg(unix)]
async fn reload_on_hangup(fleet: FleetHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP; reload with POST /v1/admin/reload");
        return;
    };
    while hup.recv().await.is_some() {
        match fleet.call(Command::Reload).await {
            Ok(v) => tracing::info!(version = %v, "SIGHUP: model reloaded"),
            Err(e) => tracing::error!(error = %e.message, "SIGHUP: reload refused; the old model keeps serving"),
        }
    }
}

#[cfg(not(unix))]
async fn reload_on_hangup(_fleet: FleetHandle) {}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
