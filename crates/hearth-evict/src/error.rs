//! Errors of the eviction-prediction library.

#[derive(Debug, thiserror::Error)]
pub enum EvictError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Trace(#[from] hearth_trace::TraceError),
    #[error(transparent)]
    Sim(#[from] hearth_sim::SimError),
    #[error("model {model}: {reason}")]
    Model { model: String, reason: String },
}

pub type Result<T> = std::result::Result<T, EvictError>;
