//! Progress of a long computation, told to whoever shows it: the library
//! names its stages and counts their units, the command line draws the bars
//! (hearth-evict draws nothing and depends on no terminal crate), and a
//! caller that shows nothing passes [`Silent`].

/// Told as a computation goes; every method does nothing unless overridden.
/// `Sync`: the scenario simulates clusters on several threads, and each
/// tells of its own cluster.
pub trait Progress: Sync {
    /// A stage of `units` units begins (a new bar named `what`).
    fn stage(&self, _what: &str, _units: u64) {}
    /// The unit now running, shown beside the bar (a model and its level).
    fn working_on(&self, _unit: &str) {}
    /// One unit is done.
    fn done_one(&self) {}
    /// The stage is over (its bar is cleared).
    fn end_stage(&self) {}
}

/// Progress that nobody watches.
pub struct Silent;

impl Progress for Silent {}
