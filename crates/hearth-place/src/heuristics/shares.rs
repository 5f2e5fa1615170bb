//! Load and requests as shares of a server's admission limit, the units-free
//! vectors that dslab-iaas's vector heuristics compare (dslab divides by the
//! host's capacity; hearth's limit is the capacity, times the
//! oversubscription ratio under `requests` admission).

use hearth_sim::{FleetView, ServerId, VmView};

/// `x / of`, or 0 for a server with no room of that resource.
fn share(x: f32, of: f32) -> f64 {
    if of > 0.0 {
        (x / of) as f64
    } else {
        0.0
    }
}

/// (CPU, memory) the admission test counts on the server, as shares of its limit.
pub(crate) fn load_shares(s: ServerId, fleet: &FleetView) -> (f64, f64) {
    let (counted, limit) = fleet.admission_load(s);
    (
        share(counted.cpu.0, limit.cpu.0),
        share(counted.memory.0, limit.memory.0),
    )
}

/// (CPU, memory) the VM requests, as shares of the server's limit.
pub(crate) fn request_shares(s: ServerId, vm: &VmView, fleet: &FleetView) -> (f64, f64) {
    let (_, limit) = fleet.admission_load(s);
    (
        share(vm.request.cpu.0, limit.cpu.0),
        share(vm.request.memory.0, limit.memory.0),
    )
}

/// dslab's resource weights: the mean load share of each resource over every
/// server of the fleet, empty ones included (0 for an empty fleet). Never-used
/// servers add exactly 0, so the sum runs over [`FleetView::candidates`].
pub(crate) fn mean_load_shares(fleet: &FleetView) -> (f64, f64) {
    if fleet.is_empty() {
        return (0.0, 0.0);
    }
    let (cpu, mem) = fleet.candidates().fold((0.0, 0.0), |(c, m), s| {
        let (sc, sm) = load_shares(s, fleet);
        (c + sc, m + sm)
    });
    let n = fleet.len() as f64;
    (cpu / n, mem / n)
}
