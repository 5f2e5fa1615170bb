//! hearth-nn's sequence models as eviction [`Predictor`]s: the LSTM at cluster
//! and node level, and the spatial-temporal transformer at node level.
//!
//! Both see the same 48 × [`F`] windows as the tabular models, train only on
//! the training split (hearth-nn holds out the last 20% of those samples, in
//! time order, for early stopping), and are seeded.
//!
//! Cost bounds (CPU only, 2 cores; measured in EVALUATION-evict.md):
//! - epochs are few ([`NnOptions::epochs`], patience 3): on these data the
//!   validation loss stops improving within a handful of passes;
//! - node-level LSTM rows are (sample, node) pairs subsampled like the
//!   tabular models' ([`crate::predictor::training_rows`]);
//! - the transformer attends at most 32 nodes at once (a fresh random subset
//!   per training window, strided groups at prediction; see hearth-nn's
//!   `st` module) and trains on at most [`NnOptions::max_st_windows`] cluster
//!   windows, taken at evenly strided hours so all clusters and the whole
//!   training period stay represented.

use crate::body::Body;
use crate::dataset::{Dataset, Level, Sample, Split, HORIZONS, WINDOW};
use crate::error::{EvictError, Result};
use crate::predictor::{training_rows, Learner, Predictor, Regressor};
use crate::snapshot::{features_at, F};
use hearth_nn::{
    aggregate, ClusterData, ClusterSample, ClusterSeries, FittedLstm, FittedSt, LstmRegressor, NnError, Seq3, SeqData,
    StTransformer, TrainConfig,
};

pub use crate::nn_options::NnOptions;

impl NnOptions {
    fn train(&self, batch_size: usize) -> TrainConfig {
        TrainConfig {
            epochs: self.epochs.max(1),
            batch_size,
            patience: 3,
            ..TrainConfig::default()
        }
    }
}

fn model_err(model: &str) -> impl Fn(NnError) -> EvictError + '_ {
    move |e| EvictError::Model {
        model: model.to_string(),
        reason: e.to_string(),
    }
}

/// The LSTM regressor over one window (a cluster's, or one node's).
pub struct LstmPredictor {
    level: Level,
    config: LstmRegressor,
    max_node_rows: usize,
    fitted: Option<FittedLstm>,
}

impl LstmPredictor {
    pub fn new(level: Level, opts: &NnOptions, max_node_rows: usize) -> LstmPredictor {
        LstmPredictor {
            level,
            config: LstmRegressor {
                hidden: opts.width.max(1),
                train: opts.train(32),
            },
            max_node_rows: max_node_rows.max(1),
            fitted: None,
        }
    }
}

/// Appends the window of a (sample, node) pair (`None`: the cluster's) to `x`.
fn push_window(data: &Dataset, s: Sample, node: Option<usize>, buf: &mut [f32], x: &mut Vec<f32>) {
    match node {
        None => data.cluster_window(s, buf),
        Some(n) => data.node_window(s, n, buf),
    }
    x.extend_from_slice(buf);
}

/// Windows scored per LSTM call: bounds the memory of node-level prediction.
const LSTM_CHUNK: usize = 4096;

impl LstmPredictor {
    /// Restores a fitted model from [`Body::Neural`].
    pub fn restore(level: Level, body: &Body) -> Result<LstmPredictor> {
        let fitted = FittedLstm::from_saved(&body.saved()?).map_err(model_err("lstm"))?;
        let mut p = LstmPredictor::new(level, &NnOptions::default(), 1);
        p.fitted = Some(fitted);
        Ok(p)
    }

    fn fitted(&self) -> Result<&FittedLstm> {
        self.fitted.as_ref().ok_or_else(|| EvictError::Model {
            model: "lstm".into(),
            reason: "predict before fit".into(),
        })
    }

    /// Forecasts for (sample, node) pairs, `HORIZONS` values each.
    fn predict_pairs(&self, data: &Dataset, pairs: &[(Sample, Option<usize>)]) -> Result<Vec<f32>> {
        let fitted = self.fitted()?;
        let mut buf = vec![0.0f32; data.row_width()];
        let mut out = Vec::with_capacity(pairs.len() * HORIZONS);
        for chunk in pairs.chunks(LSTM_CHUNK) {
            let mut x = Vec::with_capacity(chunk.len() * data.row_width());
            for &(s, node) in chunk {
                push_window(data, s, node, &mut buf, &mut x);
            }
            let x = Seq3::new(x, [chunk.len(), WINDOW, F]).map_err(model_err("lstm"))?;
            out.extend(fitted.predict(&x).map_err(model_err("lstm"))?);
        }
        Ok(out)
    }
}

impl Predictor for LstmPredictor {
    fn name(&self) -> String {
        "lstm".into()
    }

    fn level(&self) -> Level {
        self.level
    }

    fn fit(&mut self, data: &Dataset, seed: u64) -> Result<()> {
        let rows = training_rows(data, self.level, self.max_node_rows, seed);
        let mut buf = vec![0.0f32; data.row_width()];
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for &(s, node) in &rows {
            push_window(data, s, node, &mut buf, &mut x);
            y.extend(match node {
                None => data.targets(s),
                Some(n) => data.node_targets(s, n),
            });
        }
        let x = Seq3::new(x, [rows.len(), WINDOW, F]).map_err(model_err("lstm"))?;
        let train = SeqData::new(x, y, HORIZONS).map_err(model_err("lstm"))?;
        self.fitted = Some(self.config.fit(&train, seed).map_err(model_err("lstm"))?);
        Ok(())
    }

    fn predict(&self, data: &Dataset, samples: &[Sample]) -> Result<Vec<[f32; HORIZONS]>> {
        let pairs: Vec<(Sample, Option<usize>)> = match self.level {
            Level::Cluster => samples.iter().map(|&s| (s, None)).collect(),
            Level::Node => samples
                .iter()
                .flat_map(|&s| (0..data.nodes(s.cluster)).map(move |n| (s, Some(n))))
                .collect(),
        };
        let flat = self.predict_pairs(data, &pairs)?;
        let rows: Vec<[f32; HORIZONS]> = flat
            .chunks_exact(HORIZONS)
            .map(|r| std::array::from_fn(|k| r[k]))
            .collect();
        Ok(match self.level {
            Level::Cluster => rows,
            Level::Node => {
                let mut at = 0;
                samples
                    .iter()
                    .map(|&s| {
                        let n = data.nodes(s.cluster);
                        at += n;
                        data.aggregate(s, &rows[at - n..at])
                    })
                    .collect()
            }
        })
    }

    fn to_body(&self) -> Result<Body> {
        Ok(Body::neural(&self.fitted()?.to_saved().map_err(model_err("lstm"))?))
    }
}

/// Every cluster's node features over all its hours, `[nodes, hours, F]`.
/// A window ending after hour `end` is time points `[end + 1 - 48, end + 1)`;
/// [`features_at`] reads no later hour, so the windows equal
/// [`Dataset::node_window`]'s.
pub fn node_series(data: &Dataset) -> Result<Vec<ClusterSeries>> {
    data.clusters
        .iter()
        .map(|c| {
            let mut values = vec![0.0f32; c.nodes * c.hours * F];
            for (n, node) in values.chunks_mut(c.hours * F).enumerate() {
                for (t, out) in node.chunks_mut(F).enumerate() {
                    features_at(|h| c.node(n, h), t, out);
                }
            }
            ClusterSeries::new(values, [c.nodes, c.hours, F]).map_err(model_err("st-transformer"))
        })
        .collect()
}

/// Spot VM count of each node at the window's end: the aggregation weights.
fn spot_weights(data: &Dataset, s: Sample) -> Vec<f32> {
    (0..data.nodes(s.cluster)).map(|n| data.node_weight(s, n)).collect()
}

/// The spatial-temporal transformer: per-node outputs aggregated to the
/// cluster by spot VM count, trained on the cluster target.
pub struct StPredictor {
    config: StTransformer,
    max_windows: usize,
    fitted: Option<FittedSt>,
}

impl StPredictor {
    pub fn new(opts: &NnOptions) -> StPredictor {
        let d_model = (opts.width / 2).max(4) / 4 * 4;
        StPredictor {
            config: StTransformer {
                d_model,
                d_ff: 2 * d_model,
                train: opts.train(8),
                ..StTransformer::default()
            },
            max_windows: opts.max_st_windows.max(1),
            fitted: None,
        }
    }

    /// Restores a fitted model from [`Body::Neural`].
    pub fn restore(body: &Body) -> Result<StPredictor> {
        let fitted = FittedSt::from_saved(&body.saved()?).map_err(model_err("st-transformer"))?;
        let mut p = StPredictor::new(&NnOptions::default());
        p.fitted = Some(fitted);
        Ok(p)
    }

    /// Training samples thinned to whole hours `stride` apart (time order kept).
    fn training_samples(&self, data: &Dataset) -> Vec<Sample> {
        let all = data.samples(Split::Train);
        let stride = all.len().div_ceil(self.max_windows).max(1);
        let first = all.first().map_or(0, |s| s.end);
        all.iter()
            .copied()
            .filter(|s| (s.end - first).is_multiple_of(stride))
            .collect()
    }
}

/// Windows scored per transformer call.
const ST_CHUNK: usize = 16;

impl Predictor for StPredictor {
    fn name(&self) -> String {
        "st-transformer".into()
    }

    fn level(&self) -> Level {
        Level::Node
    }

    fn fit(&mut self, data: &Dataset, seed: u64) -> Result<()> {
        let samples = self
            .training_samples(data)
            .into_iter()
            .map(|s| ClusterSample {
                series: s.cluster,
                end: s.end + 1,
                weights: spot_weights(data, s),
                target: data.targets(s).to_vec(),
            })
            .collect();
        let train = ClusterData::new(node_series(data)?, samples, WINDOW).map_err(model_err("st-transformer"))?;
        self.fitted = Some(self.config.fit(&train, seed).map_err(model_err("st-transformer"))?);
        Ok(())
    }

    fn predict(&self, data: &Dataset, samples: &[Sample]) -> Result<Vec<[f32; HORIZONS]>> {
        let fitted = self.fitted.as_ref().ok_or_else(|| EvictError::Model {
            model: self.name(),
            reason: "predict before fit".into(),
        })?;
        let series = node_series(data)?;
        let mut out = Vec::with_capacity(samples.len());
        for chunk in samples.chunks(ST_CHUNK) {
            let windows: Vec<(&ClusterSeries, usize)> = chunk.iter().map(|s| (&series[s.cluster], s.end + 1)).collect();
            let per_node = fitted.predict_batch(&windows).map_err(model_err("st-transformer"))?;
            for (s, p) in chunk.iter().zip(per_node) {
                let c = aggregate(&p, HORIZONS, &spot_weights(data, *s)).map_err(model_err("st-transformer"))?;
                out.push(std::array::from_fn(|k| c[k]));
            }
        }
        Ok(out)
    }

    fn to_body(&self) -> Result<Body> {
        let fitted = self.fitted.as_ref().ok_or_else(|| EvictError::Model {
            model: self.name(),
            reason: "not fitted".into(),
        })?;
        Ok(Body::neural(&fitted.to_saved().map_err(model_err("st-transformer"))?))
    }
}

/// The LSTM as a row [`Learner`] for one horizon, for the SkyPilot check:
/// a row of `WINDOW × features` values is read back as the window it was
/// flattened from (hours oldest first).
pub struct LstmLearner(pub NnOptions);

struct LstmRow {
    fitted: FittedLstm,
    features: usize,
}

impl Regressor for LstmRow {
    fn predict_row(&self, row: &[f64]) -> f64 {
        let x: Vec<f32> = row.iter().map(|&v| v as f32).collect();
        Seq3::new(x, [1, WINDOW, self.features])
            .and_then(|x| self.fitted.predict(&x))
            .map_or(f64::NAN, |p| p[0] as f64)
    }
}

impl Learner for LstmLearner {
    fn name(&self) -> String {
        "lstm".into()
    }

    fn fit(&self, x: Vec<f64>, y: Vec<f64>, cols: usize, seed: u64) -> Result<Box<dyn Regressor>> {
        if !cols.is_multiple_of(WINDOW) {
            return Err(EvictError::Config(format!(
                "lstm rows of {cols} values are not {WINDOW} hours"
            )));
        }
        let (rows, features) = (y.len(), cols / WINDOW);
        let x = Seq3::new(x.into_iter().map(|v| v as f32).collect(), [rows, WINDOW, features]);
        let y = y.into_iter().map(|v| v as f32).collect();
        let data = x.and_then(|x| SeqData::new(x, y, 1)).map_err(model_err("lstm"))?;
        let config = LstmRegressor {
            hidden: self.0.width.max(1),
            train: self.0.train(32),
        };
        let fitted = config.fit(&data, seed).map_err(model_err("lstm"))?;
        Ok(Box::new(LstmRow { fitted, features }))
    }
}
