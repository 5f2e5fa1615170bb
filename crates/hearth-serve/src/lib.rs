//! hearth-serve: placement decisions and spot eviction forecasts as a
//! service (HTTP/JSON on axum).
//!
//! The fleet's state lives in the service and is the simulator's own
//! ([`hearth_sim::LiveFleet`]): the same admission, policies, candidate
//! sampling and spot eviction as `hearth simulate`, so a workload replayed
//! through the service gets the simulator's decisions. One thread owns the
//! fleet ([`actor`]); every change is journalled in SQLite with group
//! commit before its reply ([`journal`]); a restart replays the journal.
//! Requests are bounded (body size, timeout, queue) and checked field by
//! field ([`api`]); errors are 4xx naming the field ([`error`]). A config
//! file resolves into what the service runs on in [`setup`], with policies
//! by the names the commands use (the `hearth` crate) and hearth-evict's
//! saved models behind the forecast endpoint ([`evict_forecast`]).

pub mod actor;
pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod event;
pub mod evict_forecast;
pub mod forecast;
mod forecaster;
pub mod journal;
pub mod metrics;
pub mod routes;
pub mod service;
pub mod setup;
mod start;
mod state;

pub use config::ServeConfig;
pub use error::ApiError;
pub use forecast::{Forecaster, SnapshotFormat};
pub use service::{FleetService, LoadedPolicy};
pub use start::{serve, start, Service, Setup, StartError};
