//! Standardisation for the models that need features on one scale (linear with ridge, RBF SVR).

use serde::{Deserialize, Serialize};

/// Per-column mean and standard deviation learned at fit time and stored in the model,
/// so prediction applies exactly the training transformation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StandardScaler {
    pub mean: Vec<f64>,
    /// Population standard deviation; 1 for constant columns, which then scale to 0.
    pub std: Vec<f64>,
}

impl StandardScaler {
    /// Learns means and deviations from row-major `x`.
    pub fn fit(x: &[f64], rows: usize, cols: usize) -> Self {
        let mut mean = vec![0.0; cols];
        for row in x.chunks_exact(cols) {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= rows as f64);
        let mut var = vec![0.0; cols];
        for row in x.chunks_exact(cols) {
            var.iter_mut()
                .zip(row)
                .zip(&mean)
                .for_each(|((s, v), m)| *s += (v - m) * (v - m));
        }
        let std = var
            .iter()
            .map(|s| (s / rows as f64).sqrt())
            .map(|s| if s > 0.0 { s } else { 1.0 })
            .collect();
        StandardScaler { mean, std }
    }

    /// The scaled value of `v` in column `j`.
    #[inline]
    pub fn scale(&self, j: usize, v: f64) -> f64 {
        (v - self.mean[j]) / self.std[j]
    }

    /// Scales a row-major matrix into a new one.
    pub fn transform(&self, x: &[f64]) -> Vec<f64> {
        let cols = self.mean.len();
        x.iter().enumerate().map(|(i, &v)| self.scale(i % cols, v)).collect()
    }
}
