use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// The lowest-numbered server that admits the VM.
#[derive(Debug, Default)]
pub struct FirstFit;

impl Policy for FirstFit {
    fn name(&self) -> String {
        "first-fit".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.ids().find(|&s| fleet.admits(s, vm))
    }
}
