//! hearth-place: placement policies behind the simulator's [`Policy`] trait.

pub mod fireplace;
pub mod heuristics;
pub mod sample;
pub mod teacher;

pub use hearth_sim::{FleetView, HindsightPolicy, Policy, ServerId, SimRng, VmView};
pub use teacher::{Objective, Teacher};

use heuristics::*;

/// The heuristics `hearth compare` runs by default, in table order.
pub const HEURISTICS: [&str; 7] = [
    "random",
    "round-robin",
    "first-fit",
    "best-fit",
    "worst-fit",
    "power-of-two",
    "dot-product",
];

/// A heuristic by name: those in [`HEURISTICS`], or `power-of-<k>` for any k ≥ 1.
pub fn heuristic(name: &str) -> Option<Box<dyn Policy>> {
    let policy: Box<dyn Policy> = match name {
        "random" => Box::new(Random),
        "round-robin" => Box::new(RoundRobin::default()),
        "first-fit" => Box::new(FirstFit),
        "best-fit" => Box::new(BestFit),
        "worst-fit" => Box::new(WorstFit),
        "power-of-two" => Box::new(PowerOfK::new(2)),
        "dot-product" => Box::new(DotProduct),
        _ => {
            let k: usize = name.strip_prefix("power-of-")?.parse().ok()?;
            if k == 0 {
                return None;
            }
            Box::new(PowerOfK::new(k))
        }
    };
    Some(policy)
}
