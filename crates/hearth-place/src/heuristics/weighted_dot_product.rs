use super::shares::{load_shares, mean_load_shares, request_shares};
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// Weighted dot-product (dslab-iaas, `vm_placement_algorithms/weighted_dot_product.rs`):
/// as [`super::DotProduct`], the admissible server maximising Σ wᵣ ·
/// requestᵣ · freeᵣ with request and free room as shares of the limit, but
/// each resource weighted by its mean load share over the whole fleet, so
/// alignment on the scarcer resource counts more; ties: lowest id.
#[derive(Debug, Default)]
pub struct WeightedDotProduct;

impl Policy for WeightedDotProduct {
    fn name(&self) -> String {
        "weighted-dot-product".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        let (wc, wm) = mean_load_shares(fleet);
        fleet.best_admissible(vm.request, |load| {
            let (lc, lm) = load_shares(load);
            let (rc, rm) = request_shares(load, vm);
            wc * rc * (1.0 - lc) + wm * rm * (1.0 - lm)
        })
    }
}
