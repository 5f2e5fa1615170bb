//! Training: node outputs aggregated with each sample's weights and fitted
//! to the cluster target, on a seeded random subset of at most `max_nodes`.

use super::config::StTransformer;
use super::fitted::{FittedSt, StMeta};
use super::net::{stack, Group, StNet};
use crate::data::{normalised, ClusterData};
use crate::error::NnError;
use crate::scaler::Standardizer;
use crate::train::{self, fit_lock, BatchLoss};
use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::{Device, Tensor, TensorData};
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;

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
