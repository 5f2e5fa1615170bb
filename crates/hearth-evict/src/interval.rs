//! 80% forecast intervals by split-conformal calibration (Vovk et al.;
//! Lei et al. 2018): the model is fitted on the training hours, its absolute
//! errors on the validation hours are ranked, and the interval at each
//! horizon is the forecast ± the `⌈(n + 1) · 0.8⌉`-th smallest of the `n`
//! errors. Under exchangeability of validation and future errors this covers
//! the truth with probability ≥ 80%; time series are not exchangeable, so the
//! coverage on the test hours is measured and reported, not assumed.
//! Bounds are clipped to [0, 1] (rates); with too few validation samples for
//! the rank the interval is the whole [0, 1].

use crate::dataset::HORIZONS;
use crate::error::{EvictError, Result};
use serde::{Deserialize, Serialize};

/// The nominal coverage of the intervals hearth reports.
pub const COVERAGE: f64 = 0.8;

/// Half-widths of the interval per horizon, calibrated on validation errors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conformal {
    /// Nominal coverage, e.g. 0.8.
    pub coverage: f64,
    /// Rate units (evicted / ran), at +1, +2, +3 h.
    pub half_width: [f32; HORIZONS],
    /// Validation samples the half-widths were ranked from.
    pub calibration_samples: usize,
}

impl Conformal {
    /// Ranks the absolute errors of `pred` against `truth` (one row per
    /// validation sample). Errors when there is no sample or a forecast is
    /// not finite.
    pub fn calibrate(pred: &[[f32; HORIZONS]], truth: &[[f32; HORIZONS]], coverage: f64) -> Result<Conformal> {
        let n = pred.len().min(truth.len());
        if n == 0 {
            return Err(EvictError::Config(
                "no validation samples to calibrate the intervals on: need more hours".into(),
            ));
        }
        if pred.iter().flatten().any(|p| !p.is_finite()) {
            return Err(EvictError::Config("a validation forecast is not finite".into()));
        }
        let rank = ((n + 1) as f64 * coverage).ceil() as usize;
        let half_width = std::array::from_fn(|k| {
            let mut errors: Vec<f32> = pred.iter().zip(truth).map(|(p, t)| (p[k] - t[k]).abs()).collect();
            errors.sort_by(f32::total_cmp);
            // Past the last error the guarantee needs an infinite width: [0, 1] holds every rate.
            if rank > n {
                1.0
            } else {
                errors[rank - 1]
            }
        });
        Ok(Conformal {
            coverage,
            half_width,
            calibration_samples: n,
        })
    }

    /// The interval around a forecast at horizon index `k` (0 = +1 h), within [0, 1].
    pub fn bounds(&self, k: usize, rate: f32) -> (f32, f32) {
        let w = self.half_width[k];
        ((rate - w).clamp(0.0, 1.0), (rate + w).clamp(0.0, 1.0))
    }

    /// Share of samples whose truth lies within the interval, per horizon.
    pub fn coverage_of(&self, pred: &[[f32; HORIZONS]], truth: &[[f32; HORIZONS]]) -> [f64; HORIZONS] {
        let n = pred.len().min(truth.len()).max(1) as f64;
        std::array::from_fn(|k| {
            let inside = pred
                .iter()
                .zip(truth)
                .filter(|(p, t)| {
                    let (lo, hi) = self.bounds(k, p[k]);
                    (lo..=hi).contains(&t[k])
                })
                .count();
            inside as f64 / n
        })
    }
}
