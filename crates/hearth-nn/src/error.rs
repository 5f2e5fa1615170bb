//! One error type for the crate, so callers can match on what went wrong instead of parsing
//! panics from deep inside burn.

use thiserror::Error;

/// What can go wrong when fitting, predicting or persisting a model.
#[derive(Debug, Error)]
pub enum NnError {
    /// An array does not have the shape the model or the other arrays require.
    #[error("shape mismatch in {what}: expected {expected}, found {found}")]
    Shape {
        /// Which argument is wrong.
        what: &'static str,
        /// The shape that was required, written like `[samples, 48, 16]`.
        expected: String,
        /// The shape (or length) that was passed.
        found: String,
    },
    /// There is nothing to learn from or predict on.
    #[error("empty data: {0}")]
    Empty(&'static str),
    /// A NaN or infinity in the input; `index` is the flat row-major index into that array.
    #[error("non-finite value {value} in {what} at flat index {index}")]
    NonFinite {
        /// Which argument holds it.
        what: &'static str,
        /// Flat row-major index.
        index: usize,
        /// The offending value.
        value: f32,
    },
    /// A hyperparameter or argument outside its valid range.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// Which setting.
        what: &'static str,
        /// Why it is rejected.
        reason: String,
    },
    /// Training diverged (the loss became NaN or infinite).
    #[error("training diverged at epoch {epoch}: loss {loss}")]
    Diverged {
        /// Epoch (0-based) where it happened.
        epoch: usize,
        /// The loss value.
        loss: f32,
    },
    /// The saved model could not be read or written.
    #[error("model persistence: {0}")]
    Persist(String),
    /// A saved model is foreign, of another version, truncated or corrupt.
    #[error(transparent)]
    File(#[from] hearth_file::FileError),
    /// File I/O failed.
    #[error("I/O on {path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error, shown in the message (not chained, so it is not printed twice).
        cause: std::io::Error,
    },
}

/// Fails with [`NnError::NonFinite`] at the first NaN or infinity.
pub(crate) fn check_finite(what: &'static str, values: &[f32]) -> Result<(), NnError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(NnError::NonFinite {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Fails with [`NnError::Shape`] unless `found == expected` (lengths of flat arrays).
pub(crate) fn check_len(what: &'static str, found: usize, expected: usize, shape: &str) -> Result<(), NnError> {
    if found == expected {
        return Ok(());
    }
    Err(NnError::Shape {
        what,
        expected: format!("{shape} = {expected} values"),
        found: format!("{found} values"),
    })
}
