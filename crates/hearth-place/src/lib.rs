//! hearth-place: placement policies behind the simulator's [`Policy`] trait.

pub mod fireplace;
pub mod heuristics;
pub mod sample;
pub mod teacher;

pub use hearth_sim::{FleetView, HindsightPolicy, Policy, ServerId, SimRng, VmView};
pub use teacher::{Objective, Teacher};

use heuristics::*;

/// The heuristics `hearth compare` runs by default, in table order: hearth's
/// first seven, then those of dslab-iaas.
pub const HEURISTICS: [&str; 12] = [
    "random",
    "round-robin",
    "first-fit",
    "best-fit",
    "worst-fit",
    "power-of-two",
    "dot-product",
    "cosine-similarity",
    "delta-perp-distance",
    "norm-diff",
    "weighted-dot-product",
    "best-fit-threshold",
];

/// A heuristic by name: those in [`HEURISTICS`], `power-of-<k>` for any
/// k ≥ 1, or `best-fit-threshold-<x>` for a threshold x in (0, 2] (a CPU
/// share of capacity; [`BestFitThreshold::DEFAULT`] without a suffix).
pub fn heuristic(name: &str) -> Option<Box<dyn Policy>> {
    let policy: Box<dyn Policy> = match name {
        "random" => Box::new(Random),
        "round-robin" => Box::new(RoundRobin::default()),
        "first-fit" => Box::new(FirstFit),
        "best-fit" => Box::new(BestFit),
        "worst-fit" => Box::new(WorstFit),
        "power-of-two" => Box::new(PowerOfK::new(2)),
        "dot-product" => Box::new(DotProduct),
        "cosine-similarity" => Box::new(CosineSimilarity),
        "delta-perp-distance" => Box::new(DeltaPerpDistance),
        "norm-diff" => Box::new(NormDiff),
        "weighted-dot-product" => Box::new(WeightedDotProduct),
        "best-fit-threshold" => Box::new(BestFitThreshold::new(BestFitThreshold::DEFAULT)),
        _ if name.starts_with("best-fit-threshold-") => {
            let x: f64 = name.strip_prefix("best-fit-threshold-")?.parse().ok()?;
            if !(x > 0.0 && x <= 2.0) {
                return None;
            }
            Box::new(BestFitThreshold::new(x))
        }
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
