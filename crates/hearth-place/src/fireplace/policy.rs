//! The FirePlace policy: sample k admissible servers, score each with the
//! learned model, place on the best.

use super::features::{rows, ROW_FEATURES};
use super::model_file::FirePlaceModel;
use crate::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};
use std::sync::Arc;

pub struct FirePlace {
    model: Arc<FirePlaceModel>,
    rows: Vec<f64>,
}

impl FirePlace {
    pub fn new(model: Arc<FirePlaceModel>) -> FirePlace {
        FirePlace {
            model,
            rows: Vec::with_capacity(8 * ROW_FEATURES),
        }
    }
}

/// The candidate the model scores highest (ties: lowest server id), given
/// the candidates' feature rows.
pub fn choose(model: &FirePlaceModel, candidates: &[ServerId], rows: &[f64]) -> ServerId {
    let mut best = (candidates[0], f64::NEG_INFINITY);
    for (c, &s) in candidates.iter().enumerate() {
        let p = model
            .chooser
            .predict_row(&rows[c * ROW_FEATURES..(c + 1) * ROW_FEATURES]);
        if prefers((s, p), best) {
            best = (s, p);
        }
    }
    best.0
}

/// Whether a candidate `(server, score)` beats the best so far: a higher
/// score, or an equal one on a lower server id. The deployed choice and the
/// training report's accuracy both use this rule.
pub fn prefers(candidate: (ServerId, f64), best: (ServerId, f64)) -> bool {
    candidate.1 > best.1 || (candidate.1 == best.1 && candidate.0 < best.0)
}

impl Policy for FirePlace {
    fn name(&self) -> String {
        "fireplace".into()
    }

    fn uses_history(&self) -> bool {
        true
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        let candidates = sample_admissible(self.model.k, vm, fleet, rng);
        if candidates.len() < 2 {
            return candidates.first().copied();
        }
        rows(&candidates, vm, fleet, &mut self.rows);
        Some(choose(&self.model, &candidates, &self.rows))
    }
}
