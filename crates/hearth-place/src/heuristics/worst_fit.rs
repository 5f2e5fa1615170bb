use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// The admissible server left with the most headroom once the VM is on it:
/// spreads load.
#[derive(Debug, Default)]
pub struct WorstFit;

impl Policy for WorstFit {
    fn name(&self) -> String {
        "worst-fit".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.best_admissible(vm.request, |load| {
            let (cpu, mem) = load.headroom_after(vm.request);
            cpu + mem
        })
    }
}
