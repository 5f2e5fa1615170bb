//! Intervals that adapt as truths arrive: online quantile tracking, the P
//! term of conformal PID control (Angelopoulos, Candès and Tibshirani 2023;
//! adaptive conformal inference, Gibbs and Candès 2021, updates the level
//! instead). The half-width starts at the split-conformal one
//! ([`crate::interval::Conformal`]); each time a forecast's truth becomes
//! known, the width grows by `step · (1 − α)` if the truth fell outside and
//! shrinks by `step · α` if inside, with α = 1 − coverage. Over any run of T
//! updates the miss rate is within `(1 + step) / (step · T)` of α whatever the
//! data does (their Proposition 1, scores bounded by 1), so coverage holds
//! under drift where a static width does not.
//!
//! A forecast at horizon `k` (0 = +1 h) made after hour `e` is scored at
//! hour `e + k + 1`: only then does it update the width, so a width never
//! uses a truth that was not known when it was issued. No state is kept
//! between calls: the widths are a function of the forecasts and truths
//! replayed in order.

use crate::dataset::HORIZONS;
use crate::interval::Conformal;
use serde::{Deserialize, Serialize};

/// Step per update as a share of the score scale (the paper's `lr`, 0.1 in
/// its experiments); fixed before any test run, not tuned on test hours.
pub const GAIN: f32 = 0.1;
/// Smallest score scale: a cluster whose validation errors were all zero
/// must still be able to widen its interval.
const MIN_SCALE: f32 = 0.05;

/// How a cluster's interval half-widths evolve, per horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdaptiveConformal {
    /// Nominal coverage, e.g. 0.8.
    pub coverage: f64,
    /// Half-width before any truth is seen: the split-conformal one (rate units).
    pub start: [f32; HORIZONS],
    /// Change per update: [`GAIN`] × the largest validation error (at least
    /// 0.05), rate units.
    pub step: [f32; HORIZONS],
}

/// A forecast to replay: the hour its window ends, its forecast and its truth.
#[derive(Clone, Copy, Debug)]
pub struct Replayed {
    pub end: usize,
    pub forecast: f32,
    pub truth: f32,
}

impl AdaptiveConformal {
    /// Starts from the split-conformal widths and scales the step by the
    /// largest absolute validation error at each horizon.
    pub fn from_split(split: &Conformal, pred: &[[f32; HORIZONS]], truth: &[[f32; HORIZONS]]) -> AdaptiveConformal {
        let step = std::array::from_fn(|k| {
            let largest = pred
                .iter()
                .zip(truth)
                .map(|(p, t)| (p[k] - t[k]).abs())
                .fold(0.0, f32::max);
            GAIN * largest.max(MIN_SCALE)
        });
        AdaptiveConformal {
            coverage: split.coverage,
            start: split.half_width,
            step,
        }
    }

    /// The half-width issued with each forecast of one cluster at horizon
    /// `k`, for `forecasts` in order of `end`. Truths update the width only
    /// once known (`end + k + 1` ≤ the issuing hour).
    pub fn widths(&self, k: usize, forecasts: &[Replayed]) -> Vec<f32> {
        let alpha = (1.0 - self.coverage) as f32;
        let mut width = self.start[k];
        let mut issued = Vec::with_capacity(forecasts.len());
        let mut next_known = 0;
        for f in forecasts {
            while next_known < issued.len() && forecasts[next_known].end + k < f.end {
                let known = &forecasts[next_known];
                let missed = (known.forecast - known.truth).abs() > issued[next_known];
                let err = if missed { 1.0 } else { 0.0 };
                width = (width + self.step[k] * (err - alpha)).clamp(0.0, 1.0);
                next_known += 1;
            }
            issued.push(width);
        }
        issued
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker(start: f32) -> AdaptiveConformal {
        AdaptiveConformal {
            coverage: 0.8,
            start: [start; HORIZONS],
            step: [0.01; HORIZONS],
        }
    }

    /// Errors jump from 0.02 to 0.2 halfway: a static width of 0.05 covers
    /// nothing after the jump; the tracked one recovers ~80% coverage.
    #[test]
    fn coverage_recovers_after_a_shift_in_the_errors() {
        let forecasts: Vec<Replayed> = (0..2000)
            .map(|end| {
                let scale = if end < 1000 { 0.02 } else { 0.2 };
                let noise = ((end * 7919) % 100) as f32 / 100.0;
                Replayed {
                    end,
                    forecast: 0.5,
                    truth: 0.5 + scale * noise,
                }
            })
            .collect();
        let t = tracker(0.05);
        let w = t.widths(0, &forecasts);
        let late: Vec<_> = (1500..2000).collect();
        let covered = late
            .iter()
            .filter(|&&i| (forecasts[i].forecast - forecasts[i].truth).abs() <= w[i])
            .count();
        let share = covered as f64 / late.len() as f64;
        assert!((0.72..=0.88).contains(&share), "{share}");
    }

    #[test]
    fn a_width_uses_no_truth_unknown_when_issued() {
        let forecasts: Vec<Replayed> = (0..10)
            .map(|end| Replayed {
                end,
                forecast: 0.0,
                truth: 1.0,
            })
            .collect();
        let w = tracker(0.1).widths(2, &forecasts);
        // At +3 h the first truth is known at hour 3: widths of hours 0..=2 are the start.
        assert_eq!(&w[..3], &[0.1, 0.1, 0.1]);
        assert!(w[3] > 0.1);
        // The same input gives the same widths: no hidden state.
        assert_eq!(w, tracker(0.1).widths(2, &forecasts));
    }
}
