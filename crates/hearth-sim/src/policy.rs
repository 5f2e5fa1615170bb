//! The interface between the engine and a placement algorithm. It lives in
//! the simulator (which calls it) and is re-exported by hearth-place (which
//! implements it), so dependencies point one way: place → sim.

use crate::fleet::ServerId;
use crate::hindsight::Hindsight;
use crate::view::{FleetView, VmView};
use rand_chacha::ChaCha8Rng;

/// The run's random number generator, seeded from the run's seed.
pub type SimRng = ChaCha8Rng;

/// A placement algorithm that sees only the past and present.
pub trait Policy {
    fn name(&self) -> String;

    /// A server that admits the VM, or `None` when no server does.
    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId>;

    /// Called before each run so that one value can serve many runs.
    fn reset(&mut self) {}

    /// Whether the policy reads [`FleetView::history`]; the engine keeps the
    /// history store only for runs that need it.
    fn uses_history(&self) -> bool {
        false
    }
}

/// A placement algorithm that is also shown the future (the hindsight teacher).
pub trait HindsightPolicy {
    fn name(&self) -> String;

    fn place(&mut self, vm: &VmView, fleet: &FleetView, future: &Hindsight, rng: &mut SimRng) -> Option<ServerId>;

    fn reset(&mut self) {}

    fn uses_history(&self) -> bool {
        false
    }
}

/// Either kind of policy, as the engine runs it.
pub enum Decider {
    Online(Box<dyn Policy>),
    Hindsight(Box<dyn HindsightPolicy>),
}

impl Decider {
    pub fn name(&self) -> String {
        match self {
            Decider::Online(p) => p.name(),
            Decider::Hindsight(p) => p.name(),
        }
    }

    pub fn uses_history(&self) -> bool {
        match self {
            Decider::Online(p) => p.uses_history(),
            Decider::Hindsight(p) => p.uses_history(),
        }
    }

    pub(crate) fn reset(&mut self) {
        match self {
            Decider::Online(p) => p.reset(),
            Decider::Hindsight(p) => p.reset(),
        }
    }
}
