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
    /// Bad input in a snapshot file: `place` is `line N` (CSV) or
    /// `row group G, row R` (Parquet), with the field where there is one.
    #[error("{file}: {place}: {reason}")]
    SnapshotFile {
        file: String,
        place: String,
        reason: String,
    },
    /// A model file that cannot be written or trusted (corrupt, another format or version).
    #[error(transparent)]
    File(#[from] hearth_file::FileError),
    /// A neural model asked of a build without the `nn` feature (burn).
    #[error(
        "the {model} model is a neural network, and this build of hearth has no neural models: \
         rebuild with the `nn` cargo feature (for the CLI: cargo build --release -p hearth-cli --features nn)"
    )]
    NeedsNn { model: String },
    /// Options that name something unknown or that cannot go together, in
    /// the words the command line has always used (no prefix).
    #[error("{0}")]
    Options(String),
    /// An error with what was being done when it happened ("reading the
    /// snapshot file F"), printed before its cause as anyhow's `context` was.
    #[error("{context}")]
    Context {
        context: String,
        #[source]
        source: Box<EvictError>,
    },
}

impl EvictError {
    pub(crate) fn snapshot(file: &str, place: impl Into<String>, reason: impl Into<String>) -> EvictError {
        EvictError::SnapshotFile {
            file: file.to_string(),
            place: place.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, EvictError>;

/// Says what was being done when an error happened ([`EvictError::Context`]).
pub trait Context<T> {
    fn context_with(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: Into<EvictError>> Context<T> for std::result::Result<T, E> {
    fn context_with(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| EvictError::Context {
            context: what(),
            source: Box::new(e.into()),
        })
    }
}
