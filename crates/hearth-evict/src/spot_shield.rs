//! The node-risk rule for spot VMs inside a cluster: place a spot VM where
//! the eviction rule of `hearth_sim::spot` is least likely to reach it.
//!
//! That rule runs when an on-demand VM is admitted nowhere: it evicts from
//! the one server needing the *fewest* evictions (ties: lowest server id),
//! victims largest first (by share of the server). So a spot VM is reached
//! when its server is the cheapest to clear and it is among the largest
//! spot VMs there. The rule here, lexicographically:
//! 1. **most spot cores already on the server** (the *shield*): every spot
//!    VM at least as large is evicted before this one, and a server with
//!    more spot VMs needs more evictions to clear, so the eviction rule picks
//!    it later;
//! 2. **fewest on-demand cores on the server**: a lone spot VM beside
//!    on-demand VMs is the single cheapest eviction on a full server, so the
//!    first spot VM goes to the emptiest server rather than into the gap
//!    best-fit would pick;
//! 3. best-fit (least CPU + memory headroom left), as the baseline does;
//! 4. the highest server id (the eviction rule breaks its ties to the lowest).
//!
//! On-demand VMs are placed by the wrapped policy (best-fit in the scenario).

use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};
use hearth_trace::Priority;

/// Spot VMs by the node-risk rule above; on-demand VMs by `on_demand`.
pub struct SpotShield {
    pub on_demand: Box<dyn Policy>,
}

/// (Spot cores, on-demand cores) requested on server `s` now.
pub fn cores_by_priority(fleet: &FleetView, s: ServerId) -> (f64, f64) {
    let (mut spot, mut on_demand) = (0.0, 0.0);
    for v in fleet.residents(s).iter().filter_map(|&id| fleet.vm(id)) {
        match v.priority {
            Priority::Spot => spot += v.request.cpu.0 as f64,
            Priority::OnDemand => on_demand += v.request.cpu.0 as f64,
        }
    }
    (spot, on_demand)
}

/// CPU plus memory headroom left on `s` by the admission test once `vm`
/// is on it, as fractions of the server's limit.
fn headroom_after(fleet: &FleetView, s: ServerId, vm: &VmView) -> f64 {
    let (counted, limit) = fleet.admission_load(s);
    let frac = |used: f32, req: f32, cap: f32| if cap > 0.0 { ((cap - used - req) / cap) as f64 } else { 0.0 };
    frac(counted.cpu.0, vm.request.cpu.0, limit.cpu.0) + frac(counted.memory.0, vm.request.memory.0, limit.memory.0)
}

impl SpotShield {
    /// The server for a spot VM by the rule, `None` when none admits it.
    /// Scans every server (not [`FleetView::candidates`]): ties go to the highest id.
    pub fn place_spot(vm: &VmView, fleet: &FleetView) -> Option<ServerId> {
        // Larger is better on every component; `>=` sends ties to the higher id.
        let mut best: Option<(ServerId, (f64, f64, f64))> = None;
        for s in fleet.ids() {
            if !fleet.admits(s, vm) {
                continue;
            }
            let (spot, on_demand) = cores_by_priority(fleet, s);
            let key = (spot, -on_demand, -headroom_after(fleet, s, vm));
            let better = best.is_none_or(|(_, b)| key.partial_cmp(&b).is_some_and(|o| o.is_ge()));
            if better {
                best = Some((s, key));
            }
        }
        best.map(|(s, _)| s)
    }
}

impl Policy for SpotShield {
    fn name(&self) -> String {
        format!("spot-shield+{}", self.on_demand.name())
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        match vm.priority {
            Priority::Spot => SpotShield::place_spot(vm, fleet),
            Priority::OnDemand => self.on_demand.place(vm, fleet, rng),
        }
    }

    fn uses_history(&self) -> bool {
        self.on_demand.uses_history()
    }
}
