use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// Best-fit with a threshold (dslab-iaas, `vm_placement_algorithms/best_fit_threshold.rs`,
/// default threshold 0.8 as in its README): among admissible servers whose
/// observed CPU usage plus the VM's CPU request stays below `threshold` ×
/// capacity, the one left most loaded; ties: lowest id. `None` (the VM is
/// rejected, or spot VMs evicted for it) when no server stays below.
/// Observed usage, not requests, as dslab reads the monitored CPU load.
#[derive(Debug)]
pub struct BestFitThreshold {
    /// CPU share of capacity that the load after placement must stay below.
    pub threshold: f64,
}

impl BestFitThreshold {
    /// The threshold dslab's README uses.
    pub const DEFAULT: f64 = 0.8;

    pub fn new(threshold: f64) -> BestFitThreshold {
        BestFitThreshold { threshold }
    }
}

impl Policy for BestFitThreshold {
    fn name(&self) -> String {
        if self.threshold == Self::DEFAULT {
            "best-fit-threshold".into()
        } else {
            format!("best-fit-threshold-{}", self.threshold)
        }
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        let mut best: Option<(ServerId, f64)> = None;
        fleet.for_each_load(|s, load| {
            let cap = fleet.capacity(s).cpu.0;
            if cap <= 0.0 || !load.admits(vm.request) {
                return;
            }
            let after = ((fleet.observed(s).cpu.0 + vm.request.cpu.0) / cap) as f64;
            if after < self.threshold && best.is_none_or(|(_, b)| after > b) {
                best = Some((s, after));
            }
        });
        best.map(|(s, _)| s)
    }
}
