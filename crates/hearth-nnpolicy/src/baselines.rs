//! Naive forecasts the learned ones must beat: each repeats one level over the horizon, computed
//! from the measured steps of a window (padding excluded).

use crate::window::{HISTORY, HORIZON, INPUT_FEATURES};

/// A naive forecaster, by the level it repeats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Naive {
    /// The last measured value.
    LastValue,
    /// The mean of the measured steps of the window.
    WindowMean,
    /// Exponentially weighted mean with this smoothing factor (weight of the newest step).
    Ewma(f32),
}

impl Naive {
    /// The three baselines of the evaluation (EWMA with α = 0.3).
    pub const ALL: [Naive; 3] = [Naive::LastValue, Naive::WindowMean, Naive::Ewma(0.3)];

    /// Short name for tables.
    pub fn name(self) -> String {
        match self {
            Naive::LastValue => "last value".into(),
            Naive::WindowMean => "window mean".into(),
            Naive::Ewma(a) => format!("EWMA (α={a})"),
        }
    }

    /// The forecast of one window (`[HISTORY, INPUT_FEATURES]`): `[cpu × HORIZON, memory × HORIZON]`.
    pub fn forecast(self, window: &[f32], out: &mut Vec<f32>) {
        debug_assert_eq!(window.len(), HISTORY * INPUT_FEATURES);
        for resource in 0..2 {
            let measured = window
                .chunks(INPUT_FEATURES)
                .filter(|s| s[2] > 0.0)
                .map(|s| s[resource]);
            let level = self.level(measured);
            out.extend(std::iter::repeat_n(level, HORIZON));
        }
    }

    fn level(self, mut values: impl Iterator<Item = f32>) -> f32 {
        match self {
            Naive::LastValue => values.last().unwrap_or(0.0),
            Naive::WindowMean => {
                let (n, sum) = values.fold((0usize, 0f64), |(n, s), v| (n + 1, s + f64::from(v)));
                if n == 0 {
                    0.0
                } else {
                    (sum / n as f64) as f32
                }
            }
            Naive::Ewma(alpha) => {
                let Some(first) = values.next() else { return 0.0 };
                values.fold(first, |level, v| level + alpha * (v - level))
            }
        }
    }
}
