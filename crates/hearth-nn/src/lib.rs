//! Sequence and attention models on burn's pure-Rust CPU backend (`flex`), for forecasting from
//! windows of time series. The crate knows nothing of clouds: inputs are plain `f32` arrays with
//! checked shapes, outputs are `Vec<f32>`.
//!
//! Each model follows a linfa-like split: a serde config of hyperparameters →
//! `fit(&data, seed) -> Result<Fitted, NnError>` → `fitted.predict…(&x)`.
//!
//! - [`LstmRegressor`]: `[samples, steps, features]` → `[samples, horizons]`.
//! - [`TcnRegressor`]: the same shapes with dilated causal convolutions instead of recurrence.
//! - [`StTransformer`]: a cluster's `[nodes, steps, features]` window → per-node
//!   `[nodes, horizons]`, aggregated to the cluster with the caller's weights ([`aggregate`]).
//!
//! Common behaviour:
//! - Samples are in time order. The last `valid_fraction` of them (not shuffled) is the
//!   validation tail for early stopping; the best epoch's weights are kept.
//! - Feature and target standardisation is fitted on the training head only; predictions come
//!   back in the original target units.
//! - The same seed gives bit-identical weights and predictions: weights are drawn from burn's
//!   seeded device RNG and batches are shuffled with a ChaCha RNG from the seed. burn's flex RNG is
//!   process-wide, so fits in one process are serialised by a lock (prediction runs in parallel).
//! - Models save as burnpack weights (f32, exact) plus JSON metadata ([`Saved`]); loading gives
//!   identical predictions. File writes are atomic (temporary file + rename).

mod data;
mod error;
mod lstm;
mod persist;
mod scaler;
mod seq;
mod st;
mod tcn;
mod train;

pub use data::{aggregate, ClusterData, ClusterSample, ClusterSeries, Seq3, SeqData};
pub use error::NnError;
pub use lstm::{FittedLstm, LstmRegressor};
pub use persist::{Saved, NN_FILE};
pub use scaler::Standardizer;
pub use st::{FittedSt, StTransformer};
pub use tcn::{FittedTcn, TcnRegressor};
pub use train::{TrainConfig, TrainReport};
