use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// The admissible server left with the least headroom (CPU plus memory, as
/// fractions of its limit) once the VM is on it: packs servers tight.
#[derive(Debug, Default)]
pub struct BestFit;

impl Policy for BestFit {
    fn name(&self) -> String {
        "best-fit".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.best_admissible(vm.request, |load| {
            let (cpu, mem) = load.headroom_after(vm.request);
            -(cpu + mem)
        })
    }
}
