//! Spatial-temporal transformer (after the Azure spot-eviction study): per cluster window
//! `[nodes, steps, features]`, attention across the nodes at each step, then across the steps of
//! each node, then a head on the last step gives one output per node and horizon. Node outputs are
//! aggregated to the cluster with the caller's weights (spot VM counts), and training fits that
//! aggregate to the cluster target.
//!
//! Cost: node attention is quadratic in nodes; 600 nodes × 48 steps × batch 8 would need >1 GB per
//! attention score tensor. So training sees at most `max_nodes` nodes per sample, a fresh seeded
//! random subset each time (its weights renormalised), and prediction splits a larger cluster into
//! `ceil(nodes / max_nodes)` strided groups (node i in group i mod g) that are attended separately,
//! so the model always sees node sets of the size it was trained on. The model has no node
//! position encoding, so it treats nodes as a set.
//!
//! Measured (release, 2 shared cores, steps 48, features 16, d_model 16, batch 8 windows), time
//! per training step: 50 nodes 261 ms (max_nodes 64) / 164 ms (max_nodes 32); 600 nodes 384 ms
//! (max_nodes 64) / 146 ms (max_nodes 32); 600 nodes without subsampling 2.5 s for a batch of
//! ONE window (0.8 GB resident). Cost grows about linearly in batch × nodes × steps (many tiny
//! batched matmuls dominate). Inference of one 600-node window: 45 ms (max_nodes 32), 83 ms (64),
//! 583 ms (all 600 at once).
//!
//! Measured (release, 2 shared cores, steps 48, features 16, d_model 16, batch 8 windows), time
//! per training step: 50 nodes 261 ms (max_nodes 64) / 164 ms (max_nodes 32); 600 nodes 384 ms
//! (max_nodes 64) / 146 ms (max_nodes 32); 600 nodes without subsampling 2.5 s for a batch of
//! ONE window (0.8 GB resident). Cost grows about linearly in batch × nodes × steps. Inference of
//! one 600-node window: 45 ms (max_nodes 32), 83 ms (64), 583 ms (all 600 at once).

use burn::module::Module;
use burn::nn::loss::{MseLoss, Reduction};
use burn::nn::transformer::{TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Bool, Device, Tensor, TensorData};
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::{aggregate, check_weights, normalised, ClusterData, ClusterSeries};
use crate::error::NnError;
use crate::persist::{self, Saved};
use crate::scaler::Standardizer;
use crate::train::{self, fit_lock, BatchLoss, TrainConfig, TrainReport};

/// Hyperparameters of the spatial-temporal transformer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StTransformer {
    /// Embedding width (even, divisible by `n_heads`).
    pub d_model: usize,
    /// Attention heads in each encoder.
    pub n_heads: usize,
    /// Feed-forward width inside each encoder layer.
    pub d_ff: usize,
    /// Dropout in both encoders (burn's default 0.1; 0 suits small data).
    pub dropout: f64,
    /// Most nodes attended together (see the module docs).
    pub max_nodes: usize,
    /// Optimisation settings (default batch of 8 windows).
    pub train: TrainConfig,
}

impl Default for StTransformer {
    fn default() -> Self {
        let train = TrainConfig {
            batch_size: 8,
            ..TrainConfig::default()
        };
        Self {
            d_model: 16,
            n_heads: 2,
            d_ff: 32,
            dropout: 0.1,
            max_nodes: 32,
            train,
        }
    }
}

/// Embedding, node encoder, time encoder, head.
#[derive(Module, Debug)]
pub(crate) struct StNet {
    embed: Linear,
    node_attn: TransformerEncoder,
    time_attn: TransformerEncoder,
    head: Linear,
}

impl StNet {
    fn new(cfg: &StTransformer, features: usize, horizons: usize, device: &Device) -> Self {
        let enc = TransformerEncoderConfig::new(cfg.d_model, cfg.d_ff, cfg.n_heads, 1).with_dropout(cfg.dropout);
        Self {
            embed: LinearConfig::new(features, cfg.d_model).init(device),
            node_attn: enc.init(device),
            time_attn: enc.init(device),
            head: LinearConfig::new(cfg.d_model, horizons).init(device),
        }
    }

    /// `x: [b, n, t, f]`, `pad: [b * t, n]` (true = padding node) → `[b, n, horizons]`.
    pub(crate) fn forward(&self, x: Tensor<4>, pad: Tensor<2, Bool>) -> Tensor<3> {
        let [b, n, t, _] = x.dims();
        let [d, horizons] = self.head.weight.shape().dims();
        let device = x.device();
        let h = self.embed.forward(x).swap_dims(1, 2).reshape([b * t, n, d]);
        let h = self.node_attn.forward(TransformerEncoderInput::new(h).mask_pad(pad));
        let h = h.reshape([b, t, n, d]).swap_dims(1, 2).reshape([b * n, t, d]);
        let h = h + sinusoids(t, d, &device).unsqueeze_dim::<3>(0);
        let h = self.time_attn.forward(TransformerEncoderInput::new(h));
        self.head
            .forward(h.narrow(1, t - 1, 1).reshape([b * n, d]))
            .reshape([b, n, horizons])
    }
}

/// Fixed sinusoidal step encoding `[steps, d]`: no parameters, works for any window length.
fn sinusoids(steps: usize, d: usize, device: &Device) -> Tensor<2> {
    let mut v = vec![0f32; steps * d];
    for (t, row) in v.chunks_mut(d).enumerate() {
        for (i, x) in row.iter_mut().enumerate() {
            let rate = 10_000f32.powf(-((i / 2 * 2) as f32) / d as f32);
            let a = t as f32 * rate;
            *x = if i % 2 == 0 { a.sin() } else { a.cos() };
        }
    }
    Tensor::from_data(TensorData::new(v, [steps, d]), device)
}

/// One batch element: these nodes of this series, window ending at `end`.
struct Group<'a> {
    series: &'a ClusterSeries,
    end: usize,
    nodes: Vec<usize>,
}

/// Stacks groups into `x: [b, n_max, steps, f]` (standardised, zero padding) and the pad mask.
fn stack(groups: &[Group], steps: usize, scaler: &Standardizer, device: &Device) -> (Tensor<4>, Tensor<2, Bool>) {
    let f = scaler.mean.len();
    let (b, n) = (groups.len(), groups.iter().map(|g| g.nodes.len()).max().unwrap_or(0));
    let mut x = vec![0f32; b * n * steps * f];
    let mut pad = vec![true; b * steps * n];
    for (gi, g) in groups.iter().enumerate() {
        for (slot, node) in g.nodes.iter().enumerate() {
            let at = (gi * n + slot) * steps * f;
            x[at..at + steps * f].copy_from_slice(g.series.window(*node, g.end, steps));
            scaler.apply(&mut x[at..at + steps * f]);
            (0..steps).for_each(|t| pad[(gi * steps + t) * n + slot] = false);
        }
    }
    let x = Tensor::from_data(TensorData::new(x, [b, n, steps, f]), device);
    (x, Tensor::from_data(TensorData::new(pad, [b * steps, n]), device))
}

/// Shapes, scalers and report saved as JSON beside the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct StMeta {
    config: StTransformer,
    steps: usize,
    features: usize,
    horizons: usize,
    x_scaler: Standardizer,
    y_scaler: Standardizer,
    report: TrainReport,
}

/// A trained [`StTransformer`].
#[derive(Debug)]
pub struct FittedSt {
    net: StNet,
    meta: StMeta,
}

impl StTransformer {
    /// Fits node outputs, aggregated with each sample's weights, to the cluster targets; the
    /// same seed gives the same model.
    pub fn fit(&self, data: &ClusterData, seed: u64) -> Result<FittedSt, NnError> {
        self.validate()?;
        let (train_idx, _) = train::time_split(data.samples().len(), self.train.valid_fraction);
        let x_scaler = fit_x_scaler(data, train_idx.end);
        let ys = train_idx.map(|i| data.samples()[i].target.as_slice());
        let y_scaler = Standardizer::fit(ys, data.horizons());
        let loss = StLoss {
            data,
            x_scaler: &x_scaler,
            y_scaler: &y_scaler,
            max_nodes: self.max_nodes,
        };
        let _guard = fit_lock();
        let device = Device::flex().autodiff();
        device.seed(seed);
        let net = StNet::new(self, data.features(), data.horizons(), &device);
        let (net, report) = train::train(net, &self.train, data.samples().len(), seed, &loss)?;
        let (steps, features, horizons) = (data.steps(), data.features(), data.horizons());
        let meta = StMeta {
            config: self.clone(),
            steps,
            features,
            horizons,
            x_scaler,
            y_scaler,
            report,
        };
        Ok(FittedSt { net, meta })
    }

    fn validate(&self) -> Result<(), NnError> {
        let bad = |what, reason: &str| {
            Err(NnError::Invalid {
                what,
                reason: reason.into(),
            })
        };
        if self.n_heads == 0 || self.d_model == 0 || !self.d_model.is_multiple_of(2 * self.n_heads) {
            return bad("d_model", "must be a positive multiple of 2 × n_heads");
        }
        if self.d_ff == 0 || self.max_nodes == 0 {
            return bad("d_ff/max_nodes", "must be positive");
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad("dropout", "must be in [0, 1)");
        }
        self.train.validate()
    }
}

/// Feature means and spreads over the time points the training windows cover, per series.
fn fit_x_scaler(data: &ClusterData, n_train: usize) -> Standardizer {
    let (steps, f) = (data.steps(), data.features());
    let mut span: Vec<Option<(usize, usize)>> = vec![None; data.series().len()];
    for s in &data.samples()[..n_train] {
        let (lo, hi) = span[s.series].unwrap_or((s.end - steps, s.end));
        span[s.series] = Some((lo.min(s.end - steps), hi.max(s.end)));
    }
    let rows = data
        .series()
        .iter()
        .zip(&span)
        .filter_map(|(se, sp)| sp.map(|(lo, hi)| (se, lo, hi)));
    let rows = rows.flat_map(|(se, lo, hi)| (0..se.nodes()).flat_map(move |n| se.window(n, hi, hi - lo).chunks(f)));
    Standardizer::fit(rows, f)
}

struct StLoss<'a> {
    data: &'a ClusterData,
    x_scaler: &'a Standardizer,
    y_scaler: &'a Standardizer,
    max_nodes: usize,
}

impl BatchLoss<StNet> for StLoss<'_> {
    fn loss(&self, net: &StNet, idx: &[usize], device: &Device, rng: &mut ChaCha8Rng) -> Tensor<1> {
        let samples: Vec<_> = idx.iter().map(|i| &self.data.samples()[*i]).collect();
        let groups: Vec<Group> = samples
            .iter()
            .map(|s| {
                let series = &self.data.series()[s.series];
                Group {
                    series,
                    end: s.end,
                    nodes: subsample(series.nodes(), self.max_nodes, rng),
                }
            })
            .collect();
        let (x, pad) = stack(&groups, self.data.steps(), self.x_scaler, device);
        let n = pad.dims()[1];
        let mut w = vec![0f32; idx.len() * n];
        let mut y = Vec::with_capacity(idx.len() * self.data.horizons());
        for (gi, (g, s)) in groups.iter().zip(&samples).enumerate() {
            let chosen: Vec<f32> = g.nodes.iter().map(|i| s.weights[*i]).collect();
            w[gi * n..gi * n + g.nodes.len()].copy_from_slice(&normalised(&chosen));
            y.extend_from_slice(&s.target);
        }
        self.y_scaler.apply(&mut y);
        let w = Tensor::<2>::from_data(TensorData::new(w, [idx.len(), n]), device).unsqueeze_dim::<3>(2);
        let y = Tensor::<2>::from_data(TensorData::new(y, [idx.len(), self.data.horizons()]), device);
        let cluster = (net.forward(x, pad) * w).sum_dim(1).squeeze_dim::<2>(1);
        MseLoss::new().forward(cluster, y, Reduction::Mean)
    }
}

/// All nodes if there are at most `max`, else a random subset of `max`, sorted.
fn subsample(nodes: usize, max: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    if nodes <= max {
        return (0..nodes).collect();
    }
    let mut chosen = sample(rng, nodes, max).into_vec();
    chosen.sort_unstable();
    chosen
}

/// Groups per inference batch: bounds memory.
const PREDICT_GROUPS: usize = 32;

impl FittedSt {
    /// Per-node predictions `[nodes, horizons]` (row-major, target units) for the window of
    /// `series` ending just before `end`. Aggregate with [`aggregate`] or use
    /// [`FittedSt::predict_cluster`].
    pub fn predict_nodes(&self, series: &ClusterSeries, end: usize) -> Result<Vec<f32>, NnError> {
        Ok(self.predict_batch(&[(series, end)])?.remove(0))
    }

    /// The cluster prediction `[horizons]`: node predictions averaged with `weights`.
    pub fn predict_cluster(&self, series: &ClusterSeries, end: usize, weights: &[f32]) -> Result<Vec<f32>, NnError> {
        check_weights(weights)?;
        aggregate(&self.predict_nodes(series, end)?, self.meta.horizons, weights)
    }

    /// [`FittedSt::predict_nodes`] for many windows at once (padded and masked into shared
    /// batches, which is faster than one by one and gives the same results).
    pub fn predict_batch(&self, windows: &[(&ClusterSeries, usize)]) -> Result<Vec<Vec<f32>>, NnError> {
        let mut groups = Vec::new();
        for (gi, (series, end)) in windows.iter().enumerate() {
            self.check_window(series, *end)?;
            let g = series.nodes().div_ceil(self.meta.config.max_nodes);
            groups.extend((0..g).map(|k| {
                (
                    gi,
                    Group {
                        series,
                        end: *end,
                        nodes: (k..series.nodes()).step_by(g).collect(),
                    },
                )
            }));
        }
        let mut out: Vec<Vec<f32>> = windows
            .iter()
            .map(|(s, _)| vec![0f32; s.nodes() * self.meta.horizons])
            .collect();
        for chunk in groups.chunks(PREDICT_GROUPS) {
            self.predict_groups(chunk, &mut out)?;
        }
        out.iter_mut().for_each(|o| self.meta.y_scaler.invert(o));
        Ok(out)
    }

    fn predict_groups(&self, chunk: &[(usize, Group)], out: &mut [Vec<f32>]) -> Result<(), NnError> {
        let groups: Vec<Group> = chunk
            .iter()
            .map(|(_, g)| Group {
                nodes: g.nodes.clone(),
                ..*g
            })
            .collect();
        let (x, pad) = stack(&groups, self.meta.steps, &self.meta.x_scaler, &Device::flex());
        let n = pad.dims()[1];
        let y = persist::to_vec(self.net.forward(x, pad).into_data())?;
        let h = self.meta.horizons;
        for (gi, (wi, g)) in chunk.iter().enumerate() {
            for (slot, node) in g.nodes.iter().enumerate() {
                let at = (gi * n + slot) * h;
                out[*wi][node * h..(node + 1) * h].copy_from_slice(&y[at..at + h]);
            }
        }
        Ok(())
    }

    fn check_window(&self, series: &ClusterSeries, end: usize) -> Result<(), NnError> {
        let (steps, features) = (self.meta.steps, self.meta.features);
        if series.dims()[2] != features {
            let expected = format!("[nodes, time, {features}]");
            return Err(NnError::Shape {
                what: "series",
                expected,
                found: format!("{:?}", series.dims()),
            });
        }
        if end < steps || end > series.time() {
            let reason = format!(
                "window of {steps} steps ending at {end} outside {} time points",
                series.time()
            );
            return Err(NnError::Invalid { what: "end", reason });
        }
        Ok(())
    }

    /// Outputs per node or cluster.
    pub fn horizons(&self) -> usize {
        self.meta.horizons
    }

    /// Steps per window the model was trained on.
    pub fn steps(&self) -> usize {
        self.meta.steps
    }

    /// How training went.
    pub fn report(&self) -> &TrainReport {
        &self.meta.report
    }

    /// Weights (burnpack, full f32 precision) plus config and scalers as JSON.
    pub fn to_saved(&self) -> Result<Saved, NnError> {
        Saved::new("st-transformer", &self.meta, self.net.clone())
    }

    /// Rebuilds a model from [`FittedSt::to_saved`]'s output.
    pub fn from_saved(saved: &Saved) -> Result<Self, NnError> {
        let meta: StMeta = saved.meta("st-transformer")?;
        let net = StNet::new(&meta.config, meta.features, meta.horizons, &Device::flex()).valid();
        Ok(Self {
            net: saved.load_weights(net)?,
            meta,
        })
    }

    /// Atomic write of [`FittedSt::to_saved`] to `path`.
    pub fn save(&self, path: &std::path::Path) -> Result<(), NnError> {
        self.to_saved()?.write(path)
    }

    /// Reads a file written by [`FittedSt::save`].
    pub fn load(path: &std::path::Path) -> Result<Self, NnError> {
        Self::from_saved(&Saved::read(path)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values in padded node slots must not reach the real nodes' outputs (the pad mask keeps
    /// them out of node attention; time attention is per node).
    #[test]
    fn padded_slots_are_ignored() {
        let device = Device::flex();
        device.seed(3);
        let cfg = StTransformer {
            dropout: 0.0,
            ..StTransformer::default()
        };
        let net = StNet::new(&cfg, 2, 3, &device).valid();
        let (b, n, t, f) = (1, 4, 5, 2);
        let run = |garbage: f32| {
            let x: Vec<f32> = (0..b * n * t * f)
                .map(|i| if i >= 3 * t * f { garbage } else { (i as f32).sin() })
                .collect();
            let pad: Vec<bool> = (0..b * t * n).map(|i| i % n == 3).collect();
            let x = Tensor::<4>::from_data(TensorData::new(x, [b, n, t, f]), &device);
            let pad = Tensor::<2, Bool>::from_data(TensorData::new(pad, [b * t, n]), &device);
            net.forward(x, pad).into_data().try_to_vec::<f32>().unwrap()
        };
        let (clean, dirty) = (run(0.0), run(1e3));
        assert_eq!(clean[..9], dirty[..9]);
    }
}
