use super::shares::{load_shares, mean_load_shares, request_shares};
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// L2 norm-diff (dslab-iaas, `vm_placement_algorithms/norm_diff.rs`): the
/// admissible server whose headroom after placing the VM is smallest under
/// a weighted L2 norm, Σ wᵣ · (headroomᵣ after placement)², headroom as
/// shares of the limit, each resource weighted by its mean load share over
/// the whole fleet (the scarcer resource counts more); ties: lowest id.
#[derive(Debug, Default)]
pub struct NormDiff;

impl Policy for NormDiff {
    fn name(&self) -> String {
        "norm-diff".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        let (wc, wm) = mean_load_shares(fleet);
        fleet.best_admissible(vm.request, |load| {
            let (lc, lm) = load_shares(load);
            let (rc, rm) = request_shares(load, vm);
            let (dc, dm) = (1.0 - lc - rc, 1.0 - lm - rm);
            -(wc * dc * dc + wm * dm * dm)
        })
    }
}
