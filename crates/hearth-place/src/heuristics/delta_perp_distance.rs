use super::shares::{load_shares, request_shares};
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// Delta perpendicular distance (dslab-iaas,
/// `vm_placement_algorithms/delta_perp_distance.rs`): the admissible server
/// whose load vector moves most towards its capacity vector when the VM is
/// placed, i.e. maximal (distance before − distance after) of the load from
/// the capacity's line. In shares of the limit that line is the diagonal and
/// the distance is |cpu − memory| / √2 (the constant factor is dropped): a
/// VM goes where its imbalance offsets the server's. Ties (common: every
/// server imbalanced the other way by more than the VM gains the same): lowest id.
#[derive(Debug, Default)]
pub struct DeltaPerpDistance;

impl Policy for DeltaPerpDistance {
    fn name(&self) -> String {
        "delta-perp-distance".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.best_admissible(vm.request, |load| {
            let (lc, lm) = load_shares(load);
            let (rc, rm) = request_shares(load, vm);
            (lc - lm).abs() - (lc + rc - lm - rm).abs()
        })
    }
}
