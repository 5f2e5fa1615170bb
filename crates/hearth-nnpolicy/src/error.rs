//! One error type for the crate: what can go wrong building windows, training, forecasting or
//! reading a model file.

use thiserror::Error;

/// Errors of forecasting and learned placement.
#[derive(Debug, Error)]
pub enum PolicyError {
    /// The workload holds no VM that lives long enough to give a training or test window.
    #[error("no usable windows: {0}")]
    NoWindows(String),
    /// The network failed to fit, predict, save or load.
    #[error(transparent)]
    Nn(#[from] hearth_nn::NnError),
    /// A model file holds another kind of model than the one asked for.
    #[error("{path}: holds a {found} model, expected {expected}")]
    WrongKind {
        /// The file.
        path: String,
        /// What it holds.
        found: String,
        /// What the caller needs.
        expected: String,
    },
    /// A setting outside its valid range.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// Which setting.
        what: &'static str,
        /// Why it is rejected.
        reason: String,
    },
    /// The simulator refused a run (a policy chose a server that does not admit the VM).
    #[error(transparent)]
    Sim(#[from] hearth_sim::SimError),
}
