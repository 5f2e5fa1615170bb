//! The network: embedding, attention across nodes, then across steps, then
//! a head; and the stacking of node windows into its padded input.

use super::config::StTransformer;
use crate::data::ClusterSeries;
use crate::scaler::Standardizer;
use burn::module::Module;
use burn::nn::transformer::{TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Bool, Device, Tensor, TensorData};

/// Embedding, node encoder, time encoder, head.
#[derive(Module, Debug)]
pub(crate) struct StNet {
    embed: Linear,
    node_attn: TransformerEncoder,
    time_attn: TransformerEncoder,
    head: Linear,
}

impl StNet {
    pub(super) fn new(cfg: &StTransformer, features: usize, horizons: usize, device: &Device) -> Self {
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
pub(super) struct Group<'a> {
    pub(super) series: &'a ClusterSeries,
    pub(super) end: usize,
    pub(super) nodes: Vec<usize>,
}

/// Stacks groups into `x: [b, n_max, steps, f]` (standardised, zero padding) and the pad mask.
pub(super) fn stack(
    groups: &[Group],
    steps: usize,
    scaler: &Standardizer,
    device: &Device,
) -> (Tensor<4>, Tensor<2, Bool>) {
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
