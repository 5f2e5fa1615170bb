//! LSTM regressor: a window of per-step features in, one value per horizon out.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig, Lstm, LstmConfig};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::data::{Seq3, SeqData};
use crate::error::NnError;
use crate::persist::Saved;
use crate::seq::{self, SeqNet, SeqShape};
use crate::train::{self, fit_lock, TrainConfig, TrainReport};

/// Hyperparameters of [`LstmRegressor`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LstmRegressor {
    /// Width of the LSTM state.
    pub hidden: usize,
    /// Optimisation settings.
    pub train: TrainConfig,
}

impl Default for LstmRegressor {
    fn default() -> Self {
        Self {
            hidden: 32,
            train: TrainConfig::default(),
        }
    }
}

/// The network: LSTM over the steps, its last hidden state through a linear head.
#[derive(Module, Debug)]
pub(crate) struct LstmNet {
    lstm: Lstm,
    head: Linear,
}

impl LstmNet {
    fn new(features: usize, hidden: usize, horizons: usize, device: &Device) -> Self {
        Self {
            lstm: LstmConfig::new(features, hidden, true).init(device),
            head: LinearConfig::new(hidden, horizons).init(device),
        }
    }
}

impl SeqNet for LstmNet {
    fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        let (_, state) = self.lstm.forward(x, None);
        self.head.forward(state.hidden)
    }
}

/// Shapes and scalers a fitted model needs besides its weights; saved as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LstmMeta {
    config: LstmRegressor,
    #[serde(flatten)]
    shape: SeqShape,
    report: TrainReport,
}

/// A trained [`LstmRegressor`].
#[derive(Debug)]
pub struct FittedLstm {
    net: LstmNet,
    meta: LstmMeta,
}

impl LstmRegressor {
    /// Fits on `data` (samples in time order); the same seed gives the same model.
    pub fn fit(&self, data: &SeqData, seed: u64) -> Result<FittedLstm, NnError> {
        self.validate()?;
        let (shape, batches) = seq::prepare(data, &self.train);
        let _guard = fit_lock();
        let device = Device::flex().autodiff();
        device.seed(seed);
        let net = LstmNet::new(shape.features, self.hidden, shape.horizons, &device);
        let (net, report) = train::train(net, &self.train, data.x().dims()[0], seed, &batches)?;
        let meta = LstmMeta {
            config: self.clone(),
            shape,
            report,
        };
        Ok(FittedLstm { net, meta })
    }

    fn validate(&self) -> Result<(), NnError> {
        if self.hidden == 0 {
            return Err(NnError::Invalid {
                what: "hidden",
                reason: "must be positive".into(),
            });
        }
        self.train.validate()
    }
}

impl FittedLstm {
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
        Saved::new("lstm", &self.meta, self.net.clone())
    }

    /// Rebuilds a model from [`FittedLstm::to_saved`]'s output.
    pub fn from_saved(saved: &Saved) -> Result<Self, NnError> {
        let meta: LstmMeta = saved.meta("lstm")?;
        let device = Device::flex();
        let net = LstmNet::new(meta.shape.features, meta.config.hidden, meta.shape.horizons, &device).valid();
        Ok(Self {
            net: saved.load_weights(net)?,
            meta,
        })
    }

    /// Atomic write of [`FittedLstm::to_saved`] to `path`.
    pub fn save(&self, path: &std::path::Path) -> Result<(), NnError> {
        self.to_saved()?.write(path)
    }

    /// Reads a file written by [`FittedLstm::save`].
    pub fn load(path: &std::path::Path) -> Result<Self, NnError> {
        Self::from_saved(&Saved::read(path)?)
    }
}
