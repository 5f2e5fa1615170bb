//! hearth-evict: spot eviction prediction over simulated clusters.
//!
//! The pipeline: [`scenario`] simulates N clusters fed by the real openb
//! trace; [`snapshot`] records hourly node snapshots; [`dataset`] cuts them
//! into 48-hour windows with targets 1–3 hours ahead, split by time;
//! [`predictor`] and [`baseline`] forecast; [`eval`] scores RMSE and MAE per
//! horizon, overall and by cluster utilisation bucket; [`skypilot`] checks the
//! same forecasting on real spot preemption traces.
//!
//! Snapshots are data: [`snapshot_file`] is the documented hourly
//! node-snapshot schema (Parquet, CSV), with its rule for missing hours and
//! appearing or disappearing nodes; the simulator writes it and a user's
//! telemetry fills it. [`scenario_zone`] builds clusters from a real Azure
//! zone's demand. A trained model is data too: [`saved_model`] (provenance,
//! fitted state, the 80% interval of [`interval`]), and [`forecast`] is the
//! product path, each cluster's rate at +1..+3 h from its last 48 hours.
//!
//! [`region`] runs the clusters in lockstep as one region and routes spot
//! VMs across them ([`router`]: random, least-utilised, eviction-aware from a
//! saved model), placing them inside a cluster by best-fit or
//! [`spot_shield`]'s node-risk rule.
//!
//! Cargo feature `nn` (default on): hearth-nn's LSTM and spatial-temporal
//! transformer on burn ([`nn`]). Without it the crate builds without burn,
//! every other model works, and asking for a neural one is
//! [`EvictError::NeedsNn`]; [`models::NEURAL`] names them.

pub mod baseline;
pub mod dataset;
pub mod error;
pub mod eval;
pub mod forecast;
pub mod interval;
pub mod ml;
pub mod models;
#[cfg(feature = "nn")]
pub mod nn;
pub mod nn_options;
pub mod node_risk;
pub mod predictor;
pub mod region;
pub mod router;
pub mod saved_model;
pub mod scenario;
pub mod scenario_zone;
pub mod skypilot;
pub mod snapshot;
pub mod snapshot_file;

pub use dataset::{Dataset, Level, Sample, Split, HORIZONS, WINDOW};
pub use error::{EvictError, Result};
pub use predictor::{Learner, Predictor, Regressor, Tabular};
