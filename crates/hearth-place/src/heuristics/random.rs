use crate::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// A server chosen uniformly at random among those that admit the VM.
#[derive(Debug, Default)]
pub struct Random;

impl Policy for Random {
    fn name(&self) -> String {
        "random".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        sample_admissible(1, vm, fleet, rng).first().copied()
    }
}
