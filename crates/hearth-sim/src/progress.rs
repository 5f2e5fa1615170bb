//! How long work (sizing searches, training, region runs) tells its caller
//! how far it has got, without drawing anything itself: the command line
//! draws bars on stderr, Python and tests stay silent. One trait for every
//! library crate that runs long, so a caller implements it once.

/// Receives the progress of long work. Every method defaults to doing
/// nothing. `Sync`: sizing and the eviction scenario run on several threads,
/// each reporting its own units.
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
