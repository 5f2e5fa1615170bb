//! How long work tells the caller how far it has got, without the library
//! drawing anything itself: the CLI draws bars on stderr, Python and tests
//! stay silent.

/// Receives the progress of long work (sizing, training, region runs).
/// Every method defaults to doing nothing.
pub trait Progress: Sync {
    /// Work of `len` units named `what` begins (`len` 0: unknown length).
    fn begin(&self, _len: u64, _what: &str) {}
    /// What the unit now running is.
    fn message(&self, _msg: &str) {}
    /// One unit is done.
    fn inc(&self) {}
    /// The work begun last is over.
    fn finish(&self) {}
    /// A line for the user about what runs (the workload, the fleet).
    fn note(&self, _line: &str) {}
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {}
