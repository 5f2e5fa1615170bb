use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// The lowest-numbered server that admits the VM (among
/// [`FleetView::candidates`]: a never-used server is admissible exactly when
/// the lowest never-used one of its capacity is).
#[derive(Debug, Default)]
pub struct FirstFit;

impl Policy for FirstFit {
    fn name(&self) -> String {
        "first-fit".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.candidates().find(|&s| fleet.admits(s, vm))
    }
}
