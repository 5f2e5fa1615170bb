//! Errors of fitting and loading models.

use std::error::Error as StdError;

/// Why a model could not be fitted, saved or loaded.
///
/// Data errors name the row and column so a bad feature can be traced back to the
/// code that built it; library errors keep the library's own error as `source`.
#[derive(Debug, thiserror::Error)]
pub enum MlError {
    /// No rows or no columns: nothing to learn from.
    #[error("empty data: {rows} rows × {cols} columns")]
    Empty { rows: usize, cols: usize },
    /// `x` does not hold `rows × cols` values.
    #[error("x has {len} values, expected rows × cols = {rows} × {cols}")]
    ShapeMismatch { len: usize, rows: usize, cols: usize },
    /// `y` does not hold one value per row.
    #[error("y has {len} values for {rows} rows")]
    TargetLength { len: usize, rows: usize },
    /// `feature_names` is neither empty nor one name per column.
    #[error("feature_names has {len} names for {cols} columns")]
    FeatureNames { len: usize, cols: usize },
    /// A NaN or infinite feature value.
    #[error("non-finite value {value} in column {column} ('{name}') at row {row}")]
    NonFinite {
        row: usize,
        column: usize,
        name: String,
        value: f64,
    },
    /// A NaN or infinite target.
    #[error("non-finite target {value} at row {row}")]
    NonFiniteTarget { row: usize, value: f64 },
    /// A classification target other than 0 or 1.
    #[error("classification target {value} at row {row}: expected 0 or 1")]
    BadLabel { row: usize, value: f64 },
    /// A hyperparameter out of its range.
    #[error("invalid parameter {param} = {value}: {reason}")]
    InvalidParam {
        param: &'static str,
        value: String,
        reason: &'static str,
    },
    /// The underlying ML crate failed.
    #[error("{model}: {context}: {source}")]
    Library {
        model: &'static str,
        context: &'static str,
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// A model file could not be written, or is unreadable, foreign, of
    /// another version or corrupt.
    #[error(transparent)]
    File(#[from] hearth_file::FileError),
    /// A model file is not a valid model.
    #[error("{context}: {source}")]
    Json {
        context: String,
        #[source]
        source: serde_json::Error,
    },
}

impl MlError {
    /// Wraps an error of the underlying crate with what we were doing.
    pub(crate) fn library(
        model: &'static str,
        context: &'static str,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        MlError::Library {
            model,
            context,
            source: Box::new(source),
        }
    }

    pub(crate) fn param(param: &'static str, value: impl ToString, reason: &'static str) -> Self {
        MlError::InvalidParam {
            param,
            value: value.to_string(),
            reason,
        }
    }
}
