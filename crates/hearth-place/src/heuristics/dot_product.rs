use hearth_sim::{AdmissionLoad, FleetView, Policy, ServerId, SimRng, VmView};

/// Tetris-style alignment (Grandl et al., SIGCOMM 2014): the admissible
/// server whose remaining capacity vector best aligns with the VM's request,
/// both normalised by the server's limit, so complementary VMs share servers.
#[derive(Debug, Default)]
pub struct DotProduct;

impl Policy for DotProduct {
    fn name(&self) -> String {
        "dot-product".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.best_admissible(vm.request, |load| {
            let AdmissionLoad { counted, limit } = load;
            let share = |x: f32, cap: f32| if cap > 0.0 { (x / cap) as f64 } else { 0.0 };
            let free_cpu = share(limit.cpu.0 - counted.cpu.0, limit.cpu.0);
            let free_mem = share(limit.memory.0 - counted.memory.0, limit.memory.0);
            share(vm.request.cpu.0, limit.cpu.0) * free_cpu + share(vm.request.memory.0, limit.memory.0) * free_mem
        })
    }
}
