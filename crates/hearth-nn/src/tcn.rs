//! Temporal convolutional network (Bai, Kolter, Koltun 2018): a stack of dilated causal 1-D
//! convolutions with residual connections; the last step's channels go through a linear head.
//! Same interface as the LSTM: `[samples, steps, features]` → `[samples, horizons]`.
//!
//! Causal: each convolution pads only on the left, by `(kernel - 1) × dilation`, so the output at
//! step t sees inputs at steps ≤ t. Dilations double per block (1, 2, 4, ...): the receptive field
//! is `1 + (kernel - 1) × (2^blocks - 1)` steps.

use burn::module::Module;
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig1d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::data::{Seq3, SeqData};
use crate::error::NnError;
use crate::persist::Saved;
use crate::seq::{self, SeqNet, SeqShape};
use crate::train::{self, fit_lock, TrainConfig, TrainReport};

/// Hyperparameters of [`TcnRegressor`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TcnRegressor {
    /// Channels of every convolution.
    pub channels: usize,
    /// Kernel width of the dilated convolutions.
    pub kernel: usize,
    /// Residual blocks; block i has dilation 2^i.
    pub blocks: usize,
    /// Optimisation settings.
    pub train: TrainConfig,
}

impl Default for TcnRegressor {
    fn default() -> Self {
        Self {
            channels: 32,
            kernel: 3,
            blocks: 5,
            train: TrainConfig::default(),
        }
    }
}

/// The network: a 1×1 input projection, residual dilated causal blocks, a linear head.
#[derive(Module, Debug)]
pub(crate) struct TcnNet {
    input: Conv1d,
    blocks: Vec<Conv1d>,
    head: Linear,
}

impl TcnNet {
    fn new(cfg: &TcnRegressor, features: usize, horizons: usize, device: &Device) -> Self {
        let blocks = (0..cfg.blocks)
            .map(|i| {
                let dilation = 1 << i;
                Conv1dConfig::new(cfg.channels, cfg.channels, cfg.kernel)
                    .with_dilation(dilation)
                    .with_padding(PaddingConfig1d::Explicit((cfg.kernel - 1) * dilation, 0))
                    .init(device)
            })
            .collect();
        Self {
            input: Conv1dConfig::new(features, cfg.channels, 1).init(device),
            blocks,
            head: LinearConfig::new(cfg.channels, horizons).init(device),
        }
    }
}

impl SeqNet for TcnNet {
    fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        let [batch, steps, _] = x.dims();
        // Convolutions run over [batch, channels, steps].
        let mut h = self.input.forward(x.swap_dims(1, 2));
        for block in &self.blocks {
            h = h.clone() + relu(block.forward(h));
        }
        let channels = h.dims()[1];
        let last = h.narrow(2, steps - 1, 1).reshape([batch, channels]);
        self.head.forward(last)
    }
}

/// Shapes and scalers a fitted model needs besides its weights; saved as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct TcnMeta {
    config: TcnRegressor,
    #[serde(flatten)]
    shape: SeqShape,
    report: TrainReport,
}

/// A trained [`TcnRegressor`].
#[derive(Debug)]
pub struct FittedTcn {
    net: TcnNet,
    meta: TcnMeta,
}

impl TcnRegressor {
    /// Steps of input the last output step can see.
    pub fn receptive_field(&self) -> usize {
        1 + (self.kernel.saturating_sub(1)) * ((1usize << self.blocks) - 1)
    }

    /// Fits on `data` (samples in time order); the same seed gives the same model.
    pub fn fit(&self, data: &SeqData, seed: u64) -> Result<FittedTcn, NnError> {
        self.validate()?;
        let (shape, batches) = seq::prepare(data, &self.train);
        let _guard = fit_lock();
        let device = Device::flex().autodiff();
        device.seed(seed);
        let net = TcnNet::new(self, shape.features, shape.horizons, &device);
        let (net, report) = train::train(net, &self.train, data.x().dims()[0], seed, &batches)?;
        let meta = TcnMeta {
            config: self.clone(),
            shape,
            report,
        };
        Ok(FittedTcn { net, meta })
    }

    fn validate(&self) -> Result<(), NnError> {
        let bad = |what, reason: &str| {
            Err(NnError::Invalid {
                what,
                reason: reason.to_string(),
            })
        };
        if self.channels == 0 || self.kernel == 0 {
            return bad("tcn", "channels and kernel must be positive");
        }
        if !(1..=16).contains(&self.blocks) {
            return bad("blocks", "must be within 1..=16");
        }
        self.train.validate()
    }
}

impl FittedTcn {
    /// Predicts `[samples, horizons]`, row-major, in the original target units.
    pub fn predict(&self, x: &Seq3) -> Result<Vec<f32>, NnError> {
        seq::predict(&self.net, &self.meta.shape, x)
    }

    /// Outputs per sample.
    pub fn horizons(&self) -> usize {
        self.meta.shape.horizons
    }

    /// How training went.
    pub fn report(&self) -> &TrainReport {
        &self.meta.report
    }

    /// Weights (burnpack, full f32 precision) plus config and scalers as JSON.
    pub fn to_saved(&self) -> Result<Saved, NnError> {
        Saved::new("tcn", &self.meta, self.net.clone())
    }

    /// Rebuilds a model from [`FittedTcn::to_saved`]'s output.
    pub fn from_saved(saved: &Saved) -> Result<Self, NnError> {
        let meta: TcnMeta = saved.meta("tcn")?;
        let device = Device::flex();
        let net = TcnNet::new(&meta.config, meta.shape.features, meta.shape.horizons, &device).valid();
        Ok(Self {
            net: saved.load_weights(net)?,
            meta,
        })
    }
}
