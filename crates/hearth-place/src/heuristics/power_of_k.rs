use crate::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};

/// Samples `k` admissible servers and takes the one with the least current
/// observed CPU usage relative to its capacity. With k = 2 this is
/// power-of-two-choices, the heuristic production fleets use.
///
/// The multi-resource variant (`power-of-two-mr`) ranks the same candidates
/// by the larger of their observed CPU and memory shares of capacity, so a
/// server full of memory is not taken for an idle one; the CPU-only form
/// stays the paper's baseline.
#[derive(Debug)]
pub struct PowerOfK {
    pub k: usize,
    /// Rank by max(CPU share, memory share) instead of the CPU share.
    pub multi_resource: bool,
}

impl PowerOfK {
    pub fn new(k: usize) -> PowerOfK {
        PowerOfK {
            k: k.max(1),
            multi_resource: false,
        }
    }

    /// Ranking by the larger of the CPU and memory shares.
    pub fn multi_resource(k: usize) -> PowerOfK {
        PowerOfK {
            multi_resource: true,
            ..PowerOfK::new(k)
        }
    }
}

impl Policy for PowerOfK {
    fn name(&self) -> String {
        let base = match self.k {
            2 => "power-of-two".into(),
            k => format!("power-of-{k}"),
        };
        if self.multi_resource {
            format!("{base}-mr")
        } else {
            base
        }
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        let share = |x: f32, cap: f32| if cap > 0.0 { x / cap } else { f32::INFINITY };
        let load = |s: ServerId| {
            let (cap, observed) = (fleet.capacity(s), fleet.observed(s));
            let cpu = share(observed.cpu.0, cap.cpu.0);
            if self.multi_resource {
                cpu.max(share(observed.memory.0, cap.memory.0))
            } else {
                cpu
            }
        };
        sample_admissible(self.k, vm, fleet, rng)
            .into_iter()
            .min_by(|a, b| load(*a).total_cmp(&load(*b)))
    }
}
