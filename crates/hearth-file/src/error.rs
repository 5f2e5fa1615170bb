use thiserror::Error;

/// Why a file could not be written or trusted. `path` is the file as the
/// user named it (or `<bytes>` for bytes that never touched disk). Underlying
/// errors are part of the message, not chained sources, so `anyhow`'s `{:#}`
/// does not print them twice.
#[derive(Debug, Error)]
pub enum FileError {
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path}: not a readable {expected} file ({reason}); make one with `{made_by}`")]
    Unreadable {
        path: String,
        expected: &'static str,
        reason: String,
        made_by: &'static str,
    },
    #[error("{path}: this is a {found:?} file, not a {expected:?} file")]
    Format {
        path: String,
        expected: &'static str,
        found: String,
    },
    #[error("{path}: {format} version {found}; this build reads version {expected}: retrain it with `{made_by}`")]
    Version {
        path: String,
        format: &'static str,
        found: u32,
        expected: u32,
        made_by: &'static str,
    },
    #[error("{path}: checksum mismatch (file says {stored}, content gives {actual}): the file is corrupt")]
    Checksum {
        path: String,
        stored: String,
        actual: String,
    },
    #[error("{path}: truncated: {reason}; the file is incomplete or corrupt")]
    Truncated { path: String, reason: String },
    #[error("{path}: the {format} payload does not match this build ({cause}): retrain it with `{made_by}`")]
    Payload {
        path: String,
        format: &'static str,
        made_by: &'static str,
        cause: serde_json::Error,
    },
}

impl FileError {
    pub(crate) fn io(path: &str, cause: std::io::Error) -> Self {
        FileError::Io {
            path: path.into(),
            cause,
        }
    }
}
