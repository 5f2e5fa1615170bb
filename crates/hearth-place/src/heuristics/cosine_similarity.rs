use super::shares::{load_shares, request_shares};
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// Cosine similarity (dslab-iaas, `vm_placement_algorithms/cosine_similarity.rs`):
/// the admissible server whose load after placing the VM points most nearly
/// along its capacity, i.e. maximal cosine between (load + request) and the
/// limit, both as shares of the limit, so that (1, 1) is the limit's
/// direction; ties: lowest id. dslab compares raw units (cores, MiB), which
/// ties the rule to the memory unit; shares make it units-free.
#[derive(Debug, Default)]
pub struct CosineSimilarity;

impl Policy for CosineSimilarity {
    fn name(&self) -> String {
        "cosine-similarity".into()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.best_admissible(vm.request, |load| {
            let (lc, lm) = load_shares(load);
            let (rc, rm) = request_shares(load, vm);
            let (c, m) = (lc + rc, lm + rm);
            let norm = (c * c + m * m).sqrt();
            if norm > 0.0 {
                (c + m) / (std::f64::consts::SQRT_2 * norm)
            } else {
                0.0
            }
        })
    }
}
