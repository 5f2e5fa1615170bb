//! What every window regressor (`[samples, steps, features]` → `[samples, horizons]`) shares:
//! scalers fitted on the training head, standardised mini-batches, and batched inference in the
//! original target units. The LSTM and the TCN differ only in their network.

use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::{Device, Tensor, TensorData};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::{Seq3, SeqData};
use crate::error::NnError;
use crate::persist;
use crate::scaler::Standardizer;
use crate::train::{self, BatchLoss, TrainConfig};

/// A network mapping a window to one value per horizon.
pub(crate) trait SeqNet {
    /// `[batch, steps, features]` → `[batch, horizons]`.
    fn forward(&self, x: Tensor<3>) -> Tensor<2>;
}

/// Shapes and scalers of a fitted window regressor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SeqShape {
    pub steps: usize,
    pub features: usize,
    pub horizons: usize,
    pub x_scaler: Standardizer,
    pub y_scaler: Standardizer,
}

fn row(values: &[f32], i: usize, width: usize) -> &[f32] {
    &values[i * width..(i + 1) * width]
}

/// Fits the scalers on the training head of `data` and standardises a copy of it for training.
pub(crate) fn prepare(data: &SeqData, cfg: &TrainConfig) -> (SeqShape, Batches) {
    let [n, steps, features] = data.x().dims();
    let (train_idx, _) = train::time_split(n, cfg.valid_fraction);
    let x_scaler = Standardizer::fit(
        train_idx.clone().flat_map(|i| data.x().sample(i).chunks(features)),
        features,
    );
    let y_scaler = Standardizer::fit(train_idx.map(|i| row(data.y(), i, data.horizons())), data.horizons());
    let (mut x, mut y) = (data.x().values().to_vec(), data.y().to_vec());
    x_scaler.apply(&mut x);
    y_scaler.apply(&mut y);
    let shape = SeqShape {
        steps,
        features,
        horizons: data.horizons(),
        x_scaler,
        y_scaler,
    };
    let batches = Batches {
        x,
        y,
        steps,
        features,
        horizons: data.horizons(),
    };
    (shape, batches)
}

/// Standardised training arrays, cut into batches on demand.
pub(crate) struct Batches {
    x: Vec<f32>,
    y: Vec<f32>,
    steps: usize,
    features: usize,
    horizons: usize,
}

impl<N: SeqNet> BatchLoss<N> for Batches {
    fn loss(&self, net: &N, idx: &[usize], device: &Device, _rng: &mut ChaCha8Rng) -> Tensor<1> {
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

/// Predicts `[samples, horizons]`, row-major, in the original target units.
pub(crate) fn predict<N: SeqNet>(net: &N, shape: &SeqShape, x: &Seq3) -> Result<Vec<f32>, NnError> {
    let [n, steps, features] = x.dims();
    if (steps, features) != (shape.steps, shape.features) {
        let expected = format!("[samples, {}, {}]", shape.steps, shape.features);
        return Err(NnError::Shape {
            what: "x",
            expected,
            found: format!("{:?}", x.dims()),
        });
    }
    let mut values = x.values().to_vec();
    shape.x_scaler.apply(&mut values);
    let device = Device::flex();
    let mut out = Vec::with_capacity(n * shape.horizons);
    for chunk in values.chunks(PREDICT_BATCH * steps * features) {
        let b = chunk.len() / (steps * features);
        let t = Tensor::<3>::from_data(TensorData::new(chunk.to_vec(), [b, steps, features]), &device);
        out.extend(persist::to_vec(net.forward(t).into_data())?);
    }
    shape.y_scaler.invert(&mut out);
    Ok(out)
}
