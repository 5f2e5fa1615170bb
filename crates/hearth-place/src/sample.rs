//! Sampling servers that admit a VM without scanning the whole fleet: draw
//! at random and keep the admissible ones, falling back to a full scan only
//! when admissible servers are rare. Both phases pick uniformly among the
//! admissible servers, so the fallback does not bias the choice.

use hearth_sim::{FleetView, ServerId, SimRng, VmView};
use rand::Rng;

/// Random draws per wanted server before falling back to a scan.
const DRAWS_PER_PICK: usize = 8;

/// Up to `k` distinct servers that admit the VM, uniformly at random, in
/// the order drawn. Fewer only when fewer than `k` admit it.
pub fn sample_admissible(k: usize, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Vec<ServerId> {
    let n = fleet.len();
    let mut picked: Vec<ServerId> = Vec::with_capacity(k);
    if n == 0 || k == 0 {
        return picked;
    }
    for _ in 0..DRAWS_PER_PICK * k + 16 {
        let s = ServerId(rng.random_range(0..n as u32));
        if fleet.admits(s, vm) && !picked.contains(&s) {
            picked.push(s);
            if picked.len() == k {
                return picked;
            }
        }
    }
    let mut rest: Vec<ServerId> = fleet
        .ids()
        .filter(|s| fleet.admits(*s, vm) && !picked.contains(s))
        .collect();
    while picked.len() < k && !rest.is_empty() {
        let i = rng.random_range(0..rest.len());
        picked.push(rest.swap_remove(i));
    }
    picked
}
