//! hearth-evict: spot eviction prediction over simulated clusters and real
//! snapshots, and everything the `hearth evict` commands compute (the
//! command line only parses, shows progress and prints).
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
//! The commands' computations, each typed in and out (results serialize
//! to the JSON the commands write): [`scenario_run`] (simulate the scenario
//! into snapshots and a summary), [`snapshot_input`] (simulated or file
//! snapshots, split), [`model_study`] (fit and score models), [`train_save`]
//! (fit, calibrate and capture one model), [`prediction`] (forecast with a
//! saved one), [`place_study`] (the region's spot placement), [`skypilot_study`]
//! (the real-data check) and [`export`] (CSV tables). Long ones report to a
//! [`hearth_sim::Progress`].
//!
//! Cargo feature `nn` (default on): hearth-nn's LSTM and spatial-temporal
//! transformer on burn ([`nn`]). Without it the crate builds without burn,
//! every other model works, and asking for a neural one is
//! [`EvictError::NeedsNn`]; [`models::NEURAL`] names them.

pub mod adaptive_interval;
pub mod baseline;
pub mod body;
pub mod dataset;
pub mod error;
pub mod eval;
pub mod export;
pub mod forecast;
pub mod forecast_series;
pub mod interval;
pub mod ml;
pub mod model_study;
pub mod models;
#[cfg(feature = "nn")]
pub mod nn;
pub mod nn_options;
pub mod node_risk;
pub mod place_study;
pub mod prediction;
pub mod predictor;
pub mod region;
mod region_outcome;
pub mod router;
pub mod saved_model;
pub mod scenario;
pub mod scenario_config;
pub mod scenario_run;
pub mod scenario_zone;
pub mod skill;
pub mod skypilot;
pub mod skypilot_study;
pub mod snapshot;
mod snapshot_csv;
pub mod snapshot_file;
pub mod snapshot_input;
mod snapshot_parquet;
mod snapshot_rows;
mod snapshot_set;
pub mod train_save;

pub use dataset::{Dataset, Level, Sample, Split, HORIZONS, WINDOW};
pub use error::{EvictError, Result};
pub use predictor::{Learner, Predictor, Regressor, Tabular};
