use crate::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// Samples `k` admissible servers and takes the one with the least current
/// observed CPU usage relative to its capacity. With k = 2 this is
/// power-of-two-choices, the heuristic production fleets use.
#[derive(Debug)]
pub struct PowerOfK {
    pub k: usize,
}

impl PowerOfK {
    pub fn new(k: usize) -> PowerOfK {
        PowerOfK { k: k.max(1) }
    }
}

impl Policy for PowerOfK {
    fn name(&self) -> String {
        match self.k {
            2 => "power-of-two".into(),
            k => format!("power-of-{k}"),
        }
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        let cpu_share = |s: ServerId| {
            let cap = fleet.capacity(s).cpu.0;
            if cap > 0.0 {
                fleet.observed(s).cpu.0 / cap
            } else {
                f32::INFINITY
            }
        };
        sample_admissible(self.k, vm, fleet, rng)
            .into_iter()
            .min_by(|a, b| cpu_share(*a).total_cmp(&cpu_share(*b)))
    }
}
