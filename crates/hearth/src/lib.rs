//! hearth's library API: what its commands compute, as functions over typed
//! options. The `hearth` binary (crates/hearth-cli) maps its flags onto these
//! options and prints; the Python package (crates/hearth-py) and the service
//! (crates/hearth-serve, through the CLI's `serve`) call the same functions,
//! so all three accept and compute the same things.
//!
//! - [`compare`]: servers needed by each policy on one workload (sizing).
//! - [`simulate`]: one policy on one fleet size, with what the run did.
//! - [`fireplace`]: FirePlace training by hindsight imitation, and its evaluation.
//! - [`policies`]: every placement policy by the name the commands use.
//! - [`samples`]: the real trace excerpts of `data/samples/`, embedded, and the default workloads.
//! - [`fleet`]: the fleet and its admission rule, as the commands describe them.
//!
//! The eviction side's commands compute in `hearth_evict`; the learned
//! placement and the simulator in `hearth_place` and `hearth_sim`.

pub mod compare;
pub mod compare_output;
pub mod fireplace;
pub mod fireplace_eval;
pub mod fleet;
pub mod output;
pub mod policies;
pub mod policies_nn;
pub mod samples;
pub mod samples_azure;
pub mod simulate;
pub mod step_load;
pub mod workload;

pub use hearth_sim::progress::{Progress, Silent};
