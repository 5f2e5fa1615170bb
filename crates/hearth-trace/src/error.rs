//! Errors of reading, writing and composing traces. Every message names the
//! file, and where there is one, the line and the field.

use std::io;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TraceError {
    /// A value in one field of one row could not be used.
    #[error("{file}:{line}: field `{field}`: {reason}")]
    Field {
        file: String,
        line: u64,
        field: String,
        reason: String,
    },
    /// A row as a whole is malformed (wrong number of columns, bad quoting).
    #[error("{file}:{line}: {reason}")]
    Row { file: String, line: u64, reason: String },
    /// The file as a whole is unusable (missing header, no rows, wrong format).
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    /// The I/O error is part of the message, not a chained source, so
    /// `anyhow`'s `{:#}` does not print it twice.
    #[error("{file}: {cause}")]
    Io { file: String, cause: io::Error },
    /// A request that cannot be carried out (bad option values, empty inputs).
    #[error("{0}")]
    Invalid(String),
}

impl TraceError {
    pub fn field(file: &str, line: u64, field: &str, reason: impl Into<String>) -> Self {
        TraceError::Field {
            file: file.to_string(),
            line,
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    pub fn row(file: &str, line: u64, reason: impl Into<String>) -> Self {
        TraceError::Row {
            file: file.to_string(),
            line,
            reason: reason.into(),
        }
    }

    pub fn file(file: &str, reason: impl Into<String>) -> Self {
        TraceError::File {
            file: file.to_string(),
            reason: reason.into(),
        }
    }

    pub fn io(file: &str, cause: io::Error) -> Self {
        TraceError::Io {
            file: file.to_string(),
            cause,
        }
    }
}

pub type Result<T, E = TraceError> = std::result::Result<T, E>;
