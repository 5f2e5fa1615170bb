use thiserror::Error;

#[derive(Debug, Error)]
pub enum ReportError {
    /// The input is JSON, but not an output `hearth report` knows, or a field is missing or mistyped.
    #[error("{source_name}: {reason}")]
    Input { source_name: String, reason: String },
    /// plotters failed to draw (a bug, or a value it cannot place).
    #[error("drawing {plot}: {reason}")]
    Plot { plot: String, reason: String },
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;
