//! The interface every eviction forecaster implements, and the adapter that
//! turns any row regressor (hearth-ml's linear, SVR, forest, GBDT) into one.
//!
//! A [`Predictor`] forecasts the *cluster's* rate at +1..+3 hours for each
//! sample; node-level predictors forecast per node and aggregate
//! ([`Dataset::aggregate`]) inside `predict`, so evaluation is the same for
//! both levels.

use crate::body::Body;
use crate::dataset::{Dataset, Level, Sample, Split, HORIZONS, WINDOW};
use crate::error::{EvictError, Result};
use crate::snapshot::F;
use rand::seq::index::sample as sample_indices;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub trait Predictor {
    fn name(&self) -> String;
    fn level(&self) -> Level;
    /// Fits on the training samples (the validation samples may be used for
    /// early stopping or selection, never the test samples).
    fn fit(&mut self, data: &Dataset, seed: u64) -> Result<()>;
    /// Cluster-rate forecasts at +1, +2, +3 hours, one per sample.
    fn predict(&self, data: &Dataset, samples: &[Sample]) -> Result<Vec<[f32; HORIZONS]>>;
    /// The fitted state, for a saved model file.
    fn to_body(&self) -> Result<Body> {
        Err(EvictError::Model {
            model: self.name(),
            reason: "this predictor cannot be saved".into(),
        })
    }
}

/// A fitted regressor on one flat row of `f64` features.
pub trait Regressor: Send + Sync {
    fn predict_row(&self, row: &[f64]) -> f64;
    /// The hearth-ml model behind this regressor, for saving; `None` when there is none.
    fn ml_model(&self) -> Option<&hearth_ml::Model> {
        None
    }
}

/// Something that fits a [`Regressor`] on rows `x` (row-major, `cols` wide)
/// and targets `y`: the seam where hearth-ml's model families plug in.
pub trait Learner: Send + Sync {
    fn name(&self) -> String;
    fn fit(&self, x: Vec<f64>, y: Vec<f64>, cols: usize, seed: u64) -> Result<Box<dyn Regressor>>;
    /// The widest row the learner can fit on `rows` rows (least squares
    /// without enough rows is refused by smartcore); `None`: no limit.
    fn max_cols(&self, _rows: usize) -> Option<usize> {
        None
    }
}

/// A tabular model on flattened 48-hour windows, one regressor per horizon.
/// At node level the training rows are (sample, node) pairs, subsampled
/// (seeded) to at most `max_train_rows`; at prediction every node is scored.
pub struct Tabular {
    learner: Box<dyn Learner>,
    level: Level,
    max_train_rows: usize,
    /// Most recent hours of the window flattened into a row (48 unless the
    /// learner's [`Learner::max_cols`] asks for fewer).
    hours: usize,
    models: Vec<Box<dyn Regressor>>,
}

impl Tabular {
    pub fn new(learner: Box<dyn Learner>, level: Level, max_train_rows: usize) -> Tabular {
        Tabular {
            learner,
            level,
            max_train_rows: max_train_rows.max(1),
            hours: WINDOW,
            models: Vec::new(),
        }
    }

    /// A fitted model from saved parts: one regressor per horizon over the
    /// window's last `hours`.
    pub fn restore(
        learner: Box<dyn Learner>,
        level: Level,
        hours: usize,
        models: Vec<Box<dyn Regressor>>,
    ) -> Result<Tabular> {
        if models.len() != HORIZONS || !(1..=WINDOW).contains(&hours) {
            return Err(EvictError::Model {
                model: learner.name(),
                reason: format!(
                    "{} regressors over {hours} hours; expected {HORIZONS} over 1..={WINDOW}",
                    models.len()
                ),
            });
        }
        Ok(Tabular {
            learner,
            level,
            max_train_rows: 1,
            hours,
            models,
        })
    }
}

/// The (sample, node) pairs a model trains on: node `None` at cluster level;
/// at node level every node of every training sample, subsampled (seeded,
/// time order kept) to at most `max_rows`.
pub fn training_rows(data: &Dataset, level: Level, max_rows: usize, seed: u64) -> Vec<(Sample, Option<usize>)> {
    let samples = data.samples(Split::Train);
    let all: Vec<(Sample, Option<usize>)> = match level {
        Level::Cluster => samples.iter().map(|&s| (s, None)).collect(),
        Level::Node => samples
            .iter()
            .flat_map(|&s| (0..data.nodes(s.cluster)).map(move |n| (s, Some(n))))
            .collect(),
    };
    if all.len() <= max_rows {
        return all;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7ab1e);
    let mut picked = sample_indices(&mut rng, all.len(), max_rows).into_vec();
    picked.sort_unstable();
    picked.into_iter().map(|i| all[i]).collect()
}

/// Writes the last `hours` of a (sample, node) pair's window as `f64` into `row`.
fn flat_row(data: &Dataset, s: Sample, node: Option<usize>, hours: usize, buf: &mut [f32], row: &mut Vec<f64>) {
    match node {
        None => data.cluster_window(s, buf),
        Some(n) => data.node_window(s, n, buf),
    }
    row.clear();
    row.extend(buf[(WINDOW - hours) * F..].iter().map(|&v| v as f64));
}

impl Predictor for Tabular {
    fn name(&self) -> String {
        self.learner.name()
    }

    fn level(&self) -> Level {
        self.level
    }

    fn fit(&mut self, data: &Dataset, seed: u64) -> Result<()> {
        let rows = training_rows(data, self.level, self.max_train_rows, seed);
        let limit = self.learner.max_cols(rows.len()).unwrap_or(usize::MAX);
        self.hours = (limit / F).clamp(1, WINDOW);
        let cols = self.hours * F;
        let mut x = Vec::with_capacity(rows.len() * cols);
        let mut ys: [Vec<f64>; HORIZONS] = Default::default();
        let (mut buf, mut row) = (vec![0.0f32; data.row_width()], Vec::with_capacity(cols));
        for &(s, node) in &rows {
            flat_row(data, s, node, self.hours, &mut buf, &mut row);
            x.extend_from_slice(&row);
            let t = match node {
                None => data.targets(s),
                Some(n) => data.node_targets(s, n),
            };
            for k in 0..HORIZONS {
                ys[k].push(t[k] as f64);
            }
        }
        self.models = ys
            .into_iter()
            .enumerate()
            .map(|(k, y)| self.learner.fit(x.clone(), y, cols, seed.wrapping_add(k as u64)))
            .collect::<Result<_>>()?;
        Ok(())
    }

    fn predict(&self, data: &Dataset, samples: &[Sample]) -> Result<Vec<[f32; HORIZONS]>> {
        let cols = data.row_width();
        let (mut buf, mut row) = (vec![0.0f32; cols], Vec::with_capacity(cols));
        let mut score = |s: Sample, node: Option<usize>| -> [f32; HORIZONS] {
            flat_row(data, s, node, self.hours, &mut buf, &mut row);
            std::array::from_fn(|k| self.models[k].predict_row(&row) as f32)
        };
        let out = samples
            .iter()
            .map(|&s| match self.level {
                Level::Cluster => score(s, None),
                Level::Node => {
                    let per_node: Vec<[f32; HORIZONS]> =
                        (0..data.nodes(s.cluster)).map(|n| score(s, Some(n))).collect();
                    data.aggregate(s, &per_node)
                }
            })
            .collect();
        Ok(out)
    }

    fn to_body(&self) -> Result<Body> {
        let models = self
            .models
            .iter()
            .map(|m| m.ml_model().cloned())
            .collect::<Option<Vec<_>>>()
            .filter(|m| m.len() == HORIZONS)
            .ok_or_else(|| EvictError::Model {
                model: self.name(),
                reason: "not fitted, or not a hearth-ml model: cannot be saved".into(),
            })?;
        Ok(Body::Tabular {
            hours: self.hours,
            models,
        })
    }
}
