//! A live fleet: the engine's state driven by events as they happen, for a
//! placement service. VMs arrive without a usage series or a departure; their
//! usage comes in reports, step by step, and they leave when told.
//!
//! It runs the engine's code (admission, the policy through [`FleetView`],
//! spot eviction, measurement, the history store), so a service fed a
//! workload's events step by step decides as the simulator does:
//! departures, then arrivals, then the step's usage reports; the step closes
//! (its load becomes the measurement) at the first event of a later step.

mod clock;
mod error;
mod events;
mod placing;
mod reports;

pub use error::LiveError;
pub use events::{Arrival, Placement, Reporter};

use crate::fleet::{Fleet, ServerId};
use crate::history::History;
use crate::policy::SimRng;
use crate::state::Servers;
use crate::view::FleetView;
use crate::SimConfig;
use hearth_trace::{Resources, Step, Vm, VmId};
use rand::SeedableRng;

/// The fleet's state between events; see the module docs.
pub struct LiveFleet {
    servers: Servers,
    /// The latest VM under each id (ids of VMs gone are reused); usage
    /// series grow with reports and are dropped when the VM leaves.
    vms: Vec<Vm>,
    host: Vec<Option<ServerId>>,
    /// Ids of VMs that left or were rejected, for later arrivals: the
    /// VM table holds the most VMs ever running at once, not every VM
    /// ever seen, so a long-running service's memory stays flat.
    free: Vec<VmId>,
    /// VMs that arrived so far: the next one's place in arrival order.
    arrivals: u64,
    history: Option<History>,
    rng: SimRng,
    /// The step arrivals and departures happen at.
    now: Step,
    /// A step with reports in, closed at the first event of a later step.
    pending: Option<Step>,
}

impl LiveFleet {
    /// An empty fleet at step 0. `uses_history` keeps the history store
    /// (as the engine does for policies that read it); `config.seed` seeds
    /// the policy's random choices.
    pub fn new(fleet: &Fleet, config: &SimConfig, uses_history: bool) -> LiveFleet {
        LiveFleet {
            servers: Servers::new(fleet, 64, config.admission, Step(0)),
            vms: Vec::new(),
            host: Vec::new(),
            free: Vec::new(),
            arrivals: 0,
            history: uses_history.then(History::default),
            rng: SimRng::seed_from_u64(config.seed),
            now: Step(0),
            pending: None,
        }
    }

    /// Reseeds the policy's random choices (after a restart from a journal).
    pub fn reseed(&mut self, seed: u64) {
        self.rng = SimRng::seed_from_u64(seed);
    }

    /// The step arrivals and departures happen at now.
    pub fn now(&self) -> Step {
        self.now
    }

    /// The fleet as a policy sees it now.
    pub fn view(&self) -> FleetView<'_> {
        FleetView {
            servers: &self.servers,
            now: self.now,
            vms: &self.vms,
            history: self.history.as_ref(),
        }
    }

    /// Whether VM `id` is running, and where.
    pub fn host(&self, id: VmId) -> Option<ServerId> {
        self.host.get(id.0 as usize).copied().flatten()
    }

    /// Servers that admit a VM requesting `request` now.
    pub fn admitting(&self, request: Resources) -> usize {
        (0..self.servers.len())
            .filter(|&s| self.servers.admits(s, request))
            .count()
    }
}
