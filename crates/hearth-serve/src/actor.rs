//! The fleet thread: one thread owns the fleet and applies commands in the
//! order they come, so decisions are as deterministic as the simulator's.
//! Changes go to the journal, and their replies leave after its commit;
//! reads are answered at once.

use crate::api::{Departed, FleetState, Placed, ServerState, UsageAccepted, UsageRow, VmRequest};
use crate::error::ApiError;
use crate::event::Event;
use crate::journal::JournalWriter;
use crate::metrics::Metrics;
use crate::service::{FleetService, LoadedPolicy};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use tokio::sync::oneshot;

pub type Reply<T> = oneshot::Sender<Result<T, ApiError>>;

/// Loads the configured policy (and its model files) again: a reload.
pub type Reloader = Box<dyn FnMut() -> Result<LoadedPolicy, String> + Send>;

pub enum Command {
    Place(VmRequest, Reply<Placed>),
    Depart(String, Reply<Departed>),
    Usage(Vec<UsageRow>, Reply<UsageAccepted>),
    Server(u32, Reply<ServerState>),
    Fleet(Reply<FleetState>),
    /// Answers the new model version.
    Reload(Reply<String>),
}

/// A cheap, cloneable handle to the fleet thread.
#[derive(Clone)]
pub struct FleetHandle {
    tx: SyncSender<Command>,
    /// False once a journal commit failed (the state may be ahead of the
    /// journal) or the fleet thread stopped: restart to rebuild.
    healthy: Arc<AtomicBool>,
}

impl FleetHandle {
    /// Sends a command and waits for its answer; 503 when the queue is full.
    pub async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, ApiError> {
        let (tx, rx) = oneshot::channel();
        match self.tx.try_send(make(tx)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(ApiError::unavailable("the fleet's queue is full; retry")),
            Err(TrySendError::Disconnected(_)) => return Err(ApiError::unavailable("the fleet thread has stopped")),
        }
        rx.await
            .unwrap_or_else(|_| Err(ApiError::unavailable("the fleet thread dropped the request")))
    }

    pub fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }
}

/// Starts the fleet thread: `build` runs on it (policies need not be
/// `Send`) and makes the fleet, rebuilt from the journal, and the reloader.
/// Returns once `build` has succeeded, or with its error.
pub fn spawn<E: Send + From<std::io::Error> + 'static>(
    build: impl FnOnce() -> Result<(FleetService, Reloader), E> + Send + 'static,
    journal: Option<JournalWriter>,
    metrics: Arc<Metrics>,
    queue: usize,
) -> Result<FleetHandle, E> {
    let (tx, rx) = sync_channel(queue.max(1));
    let healthy = Arc::new(AtomicBool::new(true));
    let (built_tx, built_rx) = std::sync::mpsc::channel();
    let flag = healthy.clone();
    std::thread::Builder::new().name("fleet".into()).spawn(move || {
        let (service, reload) = match build() {
            Ok(b) => b,
            Err(e) => {
                let _ = built_tx.send(Err(e));
                return;
            }
        };
        let _ = built_tx.send(Ok(()));
        let stopped = flag.clone();
        let mut actor = Actor {
            service,
            journal,
            reload,
            metrics,
            healthy: flag,
        };
        // A panic may leave the fleet half-updated: serve nothing more from
        // it, and fail /healthz so that a supervisor restarts the process,
        // which rebuilds the state from the journal.
        // `rx` outlives the unwinding, so no request meets a closed queue
        // while /healthz still says ok.
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| actor.run(&rx)));
        if let Err(panic) = run {
            stopped.store(false, Ordering::Relaxed);
            let what = (panic.downcast_ref::<&str>().copied())
                .or(panic.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("unknown panic");
            tracing::error!(
                panic = what,
                "the fleet thread stopped; restart the service to rebuild from the journal"
            );
        }
    })?;
    match built_rx.recv() {
        Ok(Ok(())) => Ok(FleetHandle { tx, healthy }),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(std::io::Error::other("the fleet thread stopped while starting").into()),
    }
}

struct Actor {
    service: FleetService,
    journal: Option<JournalWriter>,
    reload: Reloader,
    metrics: Arc<Metrics>,
    healthy: Arc<AtomicBool>,
}

impl Actor {
    fn run(&mut self, rx: &Receiver<Command>) {
        while let Ok(cmd) = rx.recv() {
            match cmd {
                Command::Place(req, reply) => self.place(req, reply),
                Command::Depart(id, reply) => match self.service.depart(&id) {
                    Ok((answer, event)) => {
                        self.metrics.departures.inc();
                        self.commit(event, Ok(answer), reply)
                    }
                    Err(e) => drop(reply.send(Err(e))),
                },
                Command::Usage(rows, reply) => match self.service.usage(rows) {
                    Ok((answer, event)) => {
                        self.metrics.usage_reports.inc_by(answer.reports as u64);
                        self.commit(event, Ok(answer), reply)
                    }
                    Err(e) => drop(reply.send(Err(e))),
                },
                Command::Server(id, reply) => drop(reply.send(self.service.server(id))),
                Command::Fleet(reply) => drop(reply.send(Ok(self.service.fleet()))),
                Command::Reload(reply) => drop(reply.send(self.reload())),
            }
        }
    }

    fn place(&mut self, req: VmRequest, reply: Reply<Placed>) {
        match self.service.place(&req) {
            Ok(d) => {
                let outcome = match &d.answer {
                    Ok(p) if p.evicted.is_empty() => "placed",
                    Ok(_) => "evicting",
                    Err(_) => "rejected",
                };
                self.metrics.decision(outcome, d.seconds);
                self.commit(d.event, d.answer, reply)
            }
            Err(e) => drop(reply.send(Err(e))),
        }
    }

    /// Journals the event, then replies; without a journal, replies now.
    fn commit<T: Send + 'static>(&self, event: Event, answer: Result<T, ApiError>, reply: Reply<T>) {
        let Some(journal) = &self.journal else {
            let _ = reply.send(answer);
            return;
        };
        self.metrics.journal_lag.inc();
        let healthy = self.healthy.clone();
        journal.append(
            &event,
            Box::new(move |committed| {
                let answer = match committed {
                    Ok(()) => answer,
                    Err(e) => {
                        healthy.store(false, Ordering::Relaxed);
                        Err(ApiError::new(
                            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                            format!("journal commit failed: {e}"),
                        ))
                    }
                };
                let _ = reply.send(answer);
            }),
        );
    }

    /// Loads the policy again; on failure the old one keeps serving.
    fn reload(&mut self) -> Result<String, ApiError> {
        let policy = (self.reload)().map_err(|e| ApiError::invalid("model", format!("reload refused: {e}")))?;
        let version = policy.version.clone();
        self.metrics.set_model(&policy.name, &version);
        self.service.set_policy(policy);
        tracing::info!(version = %version, "model reloaded");
        Ok(version)
    }
}
