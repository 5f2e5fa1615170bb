//! The training table handed to [`crate::ModelParams::fit`].

use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{MlError, Task};

/// A dense table of features and one target, row-major as the callers build it row by row.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Dataset {
    pub rows: usize,
    pub cols: usize,
    /// `rows × cols` feature values, row-major.
    pub x: Vec<f64>,
    /// One target per row; for classification 0 or 1.
    pub y: Vec<f64>,
    /// One name per column, or empty (errors then say `x{column}`).
    pub feature_names: Vec<String>,
}

impl Dataset {
    /// A dataset with `rows` inferred from `y`; names may be empty.
    pub fn new(x: Vec<f64>, y: Vec<f64>, cols: usize, feature_names: Vec<String>) -> Self {
        Dataset {
            rows: y.len(),
            cols,
            x,
            y,
            feature_names,
        }
    }

    /// The features of row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.cols..(i + 1) * self.cols]
    }

    /// The name of a column, `x{column}` when unnamed.
    pub fn feature_name(&self, column: usize) -> String {
        self.feature_names
            .get(column)
            .cloned()
            .unwrap_or_else(|| format!("x{column}"))
    }

    /// The rows `[start, end)` as a new dataset (for index splits).
    pub fn slice(&self, start: usize, end: usize) -> Dataset {
        self.select(&(start..end).collect::<Vec<_>>())
    }

    /// The given rows, in the given order, as a new dataset.
    pub fn select(&self, rows: &[usize]) -> Dataset {
        let x = rows.iter().flat_map(|&r| self.row(r).iter().copied()).collect();
        let y = rows.iter().map(|&r| self.y[r]).collect();
        Dataset {
            rows: rows.len(),
            cols: self.cols,
            x,
            y,
            feature_names: self.feature_names.clone(),
        }
    }

    /// At most `max` rows drawn without replacement with `seed`, kept in their original order,
    /// so a subsample of time-ordered data stays time-ordered. Returns a clone when small enough.
    pub fn subsample(&self, max: usize, seed: u64) -> Dataset {
        if self.rows <= max {
            return self.clone();
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut rows = sample(&mut rng, self.rows, max).into_vec();
        rows.sort_unstable();
        self.select(&rows)
    }

    /// Checks shape, finiteness and (for classification) 0/1 labels, so library crates
    /// never see data they would panic on or silently mis-learn from.
    pub fn validate(&self, task: Task) -> Result<(), MlError> {
        self.validate_shape()?;
        self.validate_values()?;
        if task == Task::Classification {
            if let Some((row, &value)) = self.y.iter().enumerate().find(|(_, v)| **v != 0.0 && **v != 1.0) {
                return Err(MlError::BadLabel { row, value });
            }
        }
        Ok(())
    }

    fn validate_shape(&self) -> Result<(), MlError> {
        let (rows, cols) = (self.rows, self.cols);
        if rows == 0 || cols == 0 {
            return Err(MlError::Empty { rows, cols });
        }
        if self.x.len() != rows * cols {
            return Err(MlError::ShapeMismatch {
                len: self.x.len(),
                rows,
                cols,
            });
        }
        if self.y.len() != rows {
            return Err(MlError::TargetLength {
                len: self.y.len(),
                rows,
            });
        }
        if !self.feature_names.is_empty() && self.feature_names.len() != cols {
            return Err(MlError::FeatureNames {
                len: self.feature_names.len(),
                cols,
            });
        }
        Ok(())
    }

    fn validate_values(&self) -> Result<(), MlError> {
        if let Some(i) = self.x.iter().position(|v| !v.is_finite()) {
            let (row, column) = (i / self.cols, i % self.cols);
            let name = self.feature_name(column);
            return Err(MlError::NonFinite {
                row,
                column,
                name,
                value: self.x[i],
            });
        }
        if let Some(row) = self.y.iter().position(|v| !v.is_finite()) {
            return Err(MlError::NonFiniteTarget {
                row,
                value: self.y[row],
            });
        }
        Ok(())
    }
}
