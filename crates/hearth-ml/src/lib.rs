//! Adapters over maintained tabular ML crates (smartcore, forust-ml) behind one small API:
//! hyperparameters ([`ModelParams`]) fit a [`Dataset`] into an owned, serialisable [`Model`].
//!
//! The crate knows nothing of clouds. Two users drive it: FirePlace placement scores a few
//! candidate rows per decision (trees, forests, GBDT; so fitted trees are compiled into flat
//! arrays and one row is predicted in well under a microsecond), and spot-eviction prediction
//! regresses on flattened windows (linear, SVR, forests, GBDT).
//!
//! Guarantees: input is validated before any library sees it ([`MlError`] names row and
//! column); fitting is seeded and deterministic; a model round-trips through JSON with
//! bit-identical predictions.

mod data;
mod error;
mod fit;
mod gbdt;
pub mod metrics;
mod model;
mod params;
mod scaler;
mod smart;
pub mod trees;

use serde::{Deserialize, Serialize};

pub use data::Dataset;
pub use error::MlError;
pub use model::{Fitted, LinearModel, Model, SvrModel, TargetScale, MODEL_FILE};
pub use params::ModelParams;
pub use scaler::StandardScaler;
pub use trees::TreeEnsemble;

/// What the target means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    /// Real-valued target; predictions are values.
    Regression,
    /// Target in {0, 1}; predictions are probabilities of 1.
    Classification,
}
