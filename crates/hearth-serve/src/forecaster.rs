//! What the service asks of an eviction model: a [`Forecaster`] that reads
//! a body of snapshots in one of the [`SnapshotFormat`]s.

use crate::error::ApiError;

/// Body formats of a forecast request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotFormat {
    /// `application/json`: an array of snapshot rows.
    Json,
    /// `application/vnd.apache.parquet` (or `application/octet-stream`).
    Parquet,
}

pub trait Forecaster: Send + Sync {
    /// Forecasts from a body of snapshots; errors are 4xx naming the field
    /// or row at fault.
    fn forecast(&self, body: &[u8], format: SnapshotFormat) -> Result<serde_json::Value, ApiError>;
}
