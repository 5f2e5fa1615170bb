//! LSTM regressor: a window of per-step features in, one value per horizon out.

use burn::module::Module;
use burn::nn::loss::{MseLoss, Reduction};
use burn::nn::{Linear, LinearConfig, Lstm, LstmConfig};
use burn::tensor::{Device, Tensor, TensorData};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::{Seq3, SeqData};
use crate::error::NnError;
use crate::persist::{self, Saved};
use crate::scaler::Standardizer;
use crate::train::{self, fit_lock, BatchLoss, TrainConfig, TrainReport};

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

    /// `[batch, steps, features]` → `[batch, horizons]`.
    fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        let (_, state) = self.lstm.forward(x, None);
        self.head.forward(state.hidden)
    }
}

/// Shapes and scalers a fitted model needs besides its weights; saved as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LstmMeta {
    config: LstmRegressor,
    steps: usize,
    features: usize,
    horizons: usize,
    x_scaler: Standardizer,
    y_scaler: Standardizer,
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
        let [n, steps, features] = data.x().dims();
        let (train_idx, _) = train::time_split(n, self.train.valid_fraction);
        let x_scaler = Standardizer::fit(
            train_idx.clone().flat_map(|i| data.x().sample(i).chunks(features)),
            features,
        );
        let y_scaler = Standardizer::fit(train_idx.map(|i| row(data.y(), i, data.horizons())), data.horizons());
        let (mut x, mut y) = (data.x().values().to_vec(), data.y().to_vec());
        x_scaler.apply(&mut x);
        y_scaler.apply(&mut y);
        let batches = Batches {
            x,
            y,
            steps,
            features,
            horizons: data.horizons(),
        };
        let _guard = fit_lock();
        let device = Device::flex().autodiff();
        device.seed(seed);
        let net = LstmNet::new(features, self.hidden, data.horizons(), &device);
        let (net, report) = train::train(net, &self.train, n, seed, &batches)?;
        let meta = LstmMeta {
            config: self.clone(),
            steps,
            features,
            horizons: data.horizons(),
            x_scaler,
            y_scaler,
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

fn row(values: &[f32], i: usize, width: usize) -> &[f32] {
    &values[i * width..(i + 1) * width]
}

/// Standardised training arrays, cut into batches on demand.
struct Batches {
    x: Vec<f32>,
    y: Vec<f32>,
    steps: usize,
    features: usize,
    horizons: usize,
}

impl BatchLoss<LstmNet> for Batches {
    fn loss(&self, net: &LstmNet, idx: &[usize], device: &Device, _rng: &mut ChaCha8Rng) -> Tensor<1> {
        let per = self.steps * self.features;
        let x: Vec<f32> = idx.iter().flat_map(|i| row(&self.x, *i, per)).copied().collect();
        let y: Vec<f32> = idx
            .iter()
            .flat_map(|i| row(&self.y, *i, self.horizons))
            .copied()
            .collect();
        let x = Tensor::<3>::from_data(TensorData::new(x, [idx.len(), self.steps, self.features]), device);
        let y = Tensor::<2>::from_data(TensorData::new(y, [idx.len(), self.horizons]), device);
        MseLoss::new().forward(net.forward(x), y, Reduction::Mean)
    }
}

/// Samples per inference batch: bounds memory, keeps results independent of the caller's size.
const PREDICT_BATCH: usize = 256;

impl FittedLstm {
    /// Predicts `[samples, horizons]`, row-major, in the original target units.
    pub fn predict(&self, x: &Seq3) -> Result<Vec<f32>, NnError> {
        let [n, steps, features] = x.dims();
        if (steps, features) != (self.meta.steps, self.meta.features) {
            let expected = format!("[samples, {}, {}]", self.meta.steps, self.meta.features);
            return Err(NnError::Shape {
                what: "x",
                expected,
                found: format!("{:?}", x.dims()),
            });
        }
        let mut values = x.values().to_vec();
        self.meta.x_scaler.apply(&mut values);
        let device = Device::flex();
        let mut out = Vec::with_capacity(n * self.meta.horizons);
        for chunk in values.chunks(PREDICT_BATCH * steps * features) {
            let b = chunk.len() / (steps * features);
            let t = Tensor::<3>::from_data(TensorData::new(chunk.to_vec(), [b, steps, features]), &device);
            out.extend(persist::to_vec(self.net.forward(t).into_data())?);
        }
        self.meta.y_scaler.invert(&mut out);
        Ok(out)
    }

    /// Outputs per sample.
    pub fn horizons(&self) -> usize {
        self.meta.horizons
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
        let net = LstmNet::new(meta.features, meta.config.hidden, meta.horizons, &device).valid();
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
