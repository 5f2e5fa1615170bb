//! Load and requests as shares of a server's admission limit, the units-free
//! vectors that dslab-iaas's vector heuristics compare (dslab divides by the
//! host's capacity; hearth's limit is the capacity, times the
//! oversubscription ratio under `requests` admission).

use hearth_sim::{AdmissionLoad, FleetView, VmView};

/// `x / of`, or 0 for a server with no room of that resource.
#[inline]
fn share(x: f32, of: f32) -> f64 {
    if of > 0.0 {
        (x / of) as f64
    } else {
        0.0
    }
}

/// `x / capacity`, or infinity for a server with no capacity of that
/// resource: for scores where lower is better and such a server must lose.
#[inline]
pub(crate) fn of_capacity(x: f64, capacity: f32) -> f64 {
    if capacity > 0.0 {
        x / capacity as f64
    } else {
        f64::INFINITY
    }
}

/// (CPU, memory) the admission test counts on the server, as shares of its limit.
#[inline]
pub(crate) fn load_shares(load: AdmissionLoad) -> (f64, f64) {
    let AdmissionLoad { counted, limit } = load;
    (
        share(counted.cpu.0, limit.cpu.0),
        share(counted.memory.0, limit.memory.0),
    )
}

/// (CPU, memory) the VM requests, as shares of the server's limit.
#[inline]
pub(crate) fn request_shares(load: AdmissionLoad, vm: &VmView) -> (f64, f64) {
    let limit = load.limit;
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
    let (mut cpu, mut mem) = (0.0, 0.0);
    fleet.for_each_load(|_, load| {
        let (c, m) = load_shares(load);
        cpu += c;
        mem += m;
    });
    let n = fleet.len() as f64;
    (cpu / n, mem / n)
}
