//! Learned placement policies on burn, the contenders the FirePlace paper compared its tree
//! with:
//!
//! - **Usage forecasters** ([`UsageForecaster`]): hearth-nn's LSTM or TCN predicts each VM's CPU
//!   and memory utilisation over the next [`window::HORIZON`] steps from its last
//!   [`window::HISTORY`] measured steps ([`window`]); [`accuracy`] compares them with the naive
//!   forecasts of [`baselines`].
//! - **Forecast placement** ([`ForecastPlacement`], `forecast-lstm` / `forecast-tcn`): the
//!   candidate with the lowest forecast peak.
//! - **Reinforcement learning** ([`rl`]): PPO over the k sampled candidates from FirePlace's
//!   features, trained in the simulator on FirePlace's objective.
//!
//! Everything a policy reads comes through [`hearth_sim::FleetView`]: measured usage of the past
//! only.

pub mod accuracy;
pub mod baselines;
mod error;
pub mod forecast_policy;
pub mod forecaster;
pub mod rl;
pub mod window;

pub use error::PolicyError;
pub use forecast_policy::ForecastPlacement;
pub use forecaster::{Architecture, ForecastConfig, UsageForecaster};
