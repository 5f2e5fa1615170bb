//! Forecast-based placement, the comparison the FirePlace paper made:
//! sample k admissible servers and place on the one whose CPU peak over the
//! next hour is forecast lowest (as a fraction of capacity).

use super::features::{candidate_features, CANDIDATE_FEATURES};
use super::model_file::FirePlaceModel;
use crate::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};
use std::sync::Arc;

/// How a candidate's next-hour peak is forecast.
pub enum Forecaster {
    /// Exponentially weighted mean and deviation of the last 6 hours of
    /// load: peak ≈ mean + 2 deviations.
    Ewma { alpha: f64 },
    /// The regression model trained beside FirePlace on the teacher's rollouts.
    Learned(Arc<FirePlaceModel>),
}

pub struct ForecastPolicy {
    pub k: usize,
    pub forecaster: Forecaster,
    features: Vec<f64>,
}

impl ForecastPolicy {
    pub fn new(k: usize, forecaster: Forecaster) -> ForecastPolicy {
        ForecastPolicy {
            k,
            forecaster,
            features: vec![0.0; CANDIDATE_FEATURES],
        }
    }

    fn forecast(&mut self, s: ServerId, fleet: &FleetView) -> f64 {
        match &self.forecaster {
            Forecaster::Ewma { alpha } => ewma_peak(fleet.cpu_history(s, 72), *alpha) / fleet.capacity(s).cpu.0 as f64,
            Forecaster::Learned(model) => {
                let forecast = model.forecast.as_ref().expect("checked when the policy was made");
                candidate_features(s, fleet, &mut self.features, None);
                forecast.predict_row(&self.features)
            }
        }
    }
}

/// EWMA level plus two EW standard deviations.
pub fn ewma_peak(history: &[f32], alpha: f64) -> f64 {
    let Some(&first) = history.first() else { return 0.0 };
    let (mut mean, mut var) = (first as f64, 0.0);
    for &x in &history[1..] {
        let d = x as f64 - mean;
        mean += alpha * d;
        var = (1.0 - alpha) * (var + alpha * d * d);
    }
    mean + 2.0 * var.sqrt()
}

impl Policy for ForecastPolicy {
    fn name(&self) -> String {
        match self.forecaster {
            Forecaster::Ewma { .. } => "forecast-ewma".into(),
            Forecaster::Learned(_) => "forecast-learned".into(),
        }
    }

    fn uses_history(&self) -> bool {
        matches!(self.forecaster, Forecaster::Learned(_))
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        let candidates = sample_admissible(self.k, vm, fleet, rng);
        let mut best: Option<(ServerId, f64)> = None;
        for s in candidates {
            let f = self.forecast(s, fleet);
            if best.is_none_or(|(b, bf)| f < bf || (f == bf && s < b)) {
                best = Some((s, f));
            }
        }
        best.map(|(s, _)| s)
    }
}
