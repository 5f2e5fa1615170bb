//! hearth-sim: a time-stepped fleet simulator driven by real traces.
//!
//! Each step: departures, then arrivals in order (a [`Policy`] picks a
//! server among those that admit the VM), then usage is accounted. The
//! engine holds every server's full load timeline, but policies see only a
//! [`FleetView`] of the past and present; only a [`HindsightPolicy`] (the
//! teacher) is given the future, through [`Hindsight`].

pub mod admission;
mod early_stop;
pub mod engine;
pub mod fleet;
pub mod hindsight;
pub mod history;
pub mod live;
pub mod lower_bound;
pub mod metrics;
pub mod packing;
pub mod policy;
pub mod progress;
pub mod sizing;
mod spot;
mod state;
pub use state::DEFAULT_STEP_SECONDS;
pub mod view;

pub use admission::{Admission, AdmissionLoad};
pub use engine::{run, run_observed, SimConfig};
pub use fleet::{Fleet, FleetSpec, ServerId};
pub use hindsight::Hindsight;
pub use history::{History, KeyHistory, LifetimeHistogram, UtilHistogram};
pub use live::{Arrival, LiveError, LiveFleet, Placement, Reporter};
pub use lower_bound::{fluid_lower_bound, LowerBound};
pub use metrics::{Eviction, RunMetrics};
pub use packing::{ffd_packing_estimate, ffd_servers, PackingEstimate};
pub use policy::{Decider, HindsightPolicy, Policy, SimRng};
pub use progress::{Progress, Silent};
pub use sizing::{servers_needed, Probe, Sizing, SizingOptions};
pub use view::{with_full_scans, Candidates, FleetView, VmView};

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("policy {policy} chose server {server} for VM {vm}, but that server does not admit it")]
    InadmissibleChoice { policy: String, server: u32, vm: u32 },
}
