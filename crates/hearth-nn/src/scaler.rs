//! Per-column standardisation, fitted on training data only so nothing from the validation tail
//! or the future leaks into the inputs.

use serde::{Deserialize, Serialize};

/// Mean and standard deviation per column; columns with (near) zero spread get std 1 so they
/// pass through centred instead of blowing up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Column means.
    pub mean: Vec<f32>,
    /// Column standard deviations (never zero).
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fits on `rows`, each of `width` values; accumulates in f64 for long series.
    pub fn fit<'a>(rows: impl Iterator<Item = &'a [f32]>, width: usize) -> Self {
        let (mut n, mut sum, mut sq) = (0u64, vec![0f64; width], vec![0f64; width]);
        for row in rows {
            n += 1;
            for (j, v) in row.iter().enumerate() {
                sum[j] += f64::from(*v);
                sq[j] += f64::from(*v) * f64::from(*v);
            }
        }
        let n = n.max(1) as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let std = sq.iter().zip(&mean).map(|(q, m)| spread(q / n - m * m)).collect();
        Self {
            mean: mean.iter().map(|m| *m as f32).collect(),
            std,
        }
    }

    /// Standardises `values` in place, a row-major block of rows of this width.
    pub fn apply(&self, values: &mut [f32]) {
        for row in values.chunks_mut(self.mean.len()) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
    }

    /// Undoes [`Standardizer::apply`] in place.
    pub fn invert(&self, values: &mut [f32]) {
        for row in values.chunks_mut(self.mean.len()) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = *v * s + m;
            }
        }
    }
}

fn spread(var: f64) -> f32 {
    let sd = var.max(0.0).sqrt();
    if sd < 1e-8 {
        1.0
    } else {
        sd as f32
    }
}
