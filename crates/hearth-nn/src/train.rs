//! The training loop both models share: Adam on shuffled mini-batches of the training head,
//! early stopping on the unshuffled validation tail, best weights kept.

use std::ops::Range;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::NnError;

/// Optimisation settings shared by the models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// Maximum passes over the training samples.
    pub epochs: usize,
    /// Samples per gradient step.
    pub batch_size: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Fraction of samples, taken from the end (the most recent), held out for early stopping.
    /// When it rounds to zero samples, training runs all epochs and keeps the last weights.
    pub valid_fraction: f64,
    /// Epochs without validation improvement before stopping.
    pub patience: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 50,
            batch_size: 32,
            learning_rate: 1e-3,
            valid_fraction: 0.2,
            patience: 5,
        }
    }
}

impl TrainConfig {
    pub(crate) fn validate(&self) -> Result<(), NnError> {
        let bad = |what, reason: &str| {
            Err(NnError::Invalid {
                what,
                reason: reason.to_string(),
            })
        };
        if self.epochs == 0 || self.batch_size == 0 {
            return bad("train", "epochs and batch_size must be positive");
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad("learning_rate", "must be positive and finite");
        }
        if !(0.0..1.0).contains(&self.valid_fraction) {
            return bad("valid_fraction", "must be in [0, 1)");
        }
        Ok(())
    }
}

/// What happened during training, for logs and reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Epochs actually run.
    pub epochs_run: usize,
    /// Epoch (0-based) whose weights were kept.
    pub best_epoch: usize,
    /// Mean training loss per epoch (standardised target units).
    pub train_loss: Vec<f32>,
    /// Validation loss per epoch; empty without a validation tail.
    pub valid_loss: Vec<f32>,
    /// Gradient steps taken.
    pub steps: usize,
    /// Wall-clock seconds spent in the loop.
    pub seconds: f64,
}

/// burn's flex RNG (weight init, dropout) is one process-wide generator, so two fits running at
/// once would interleave draws and lose reproducibility. Fits therefore take this lock; prediction
/// does not need it.
static FIT_LOCK: Mutex<()> = Mutex::new(());

pub(crate) fn fit_lock() -> MutexGuard<'static, ()> {
    FIT_LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The training head and validation tail of `n` time-ordered samples.
pub(crate) fn time_split(n: usize, valid_fraction: f64) -> (Range<usize>, Range<usize>) {
    let valid = ((n as f64) * valid_fraction).round() as usize;
    let valid = valid.min(n.saturating_sub(1));
    (0..n - valid, n - valid..n)
}

/// Computes a batch loss: model, sample indices, device for the inputs, RNG for any per-batch
/// sampling. Returns the mean loss as a one-element tensor.
pub(crate) trait BatchLoss<M> {
    fn loss(&self, model: &M, idx: &[usize], device: &Device, rng: &mut ChaCha8Rng) -> Tensor<1>;
}

/// Runs the loop; `model` must live on an autodiff device.
pub(crate) fn train<M, L>(
    model: M,
    cfg: &TrainConfig,
    n: usize,
    seed: u64,
    loss: &L,
) -> Result<(M, TrainReport), NnError>
where
    M: Module + Clone,
    L: BatchLoss<M>,
{
    let start = Instant::now();
    let (train_idx, valid_idx) = time_split(n, cfg.valid_fraction);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_ba7c);
    let mut optim = AdamConfig::new().init();
    let ad_device = Device::flex().autodiff();
    let plain = Device::flex();
    let (mut model, mut best, mut report) = (model, None, TrainReport::default());
    let mut order: Vec<usize> = train_idx.collect();
    let mut since_best = 0;
    for epoch in 0..cfg.epochs {
        order.shuffle(&mut rng);
        let mut total = 0.0f64;
        for batch in order.chunks(cfg.batch_size) {
            let l = loss.loss(&model, batch, &ad_device, &mut rng);
            total += f64::from(l.clone().into_scalar::<f32>()) * batch.len() as f64;
            let grads = GradientsParams::from_grads(l.backward(), &model);
            model = optim.step(cfg.learning_rate, model, grads);
            report.steps += 1;
        }
        let train_loss = (total / order.len() as f64) as f32;
        report.train_loss.push(train_loss);
        report.epochs_run = epoch + 1;
        if !train_loss.is_finite() {
            return Err(NnError::Diverged {
                epoch,
                loss: train_loss,
            });
        }
        if valid_idx.is_empty() {
            report.best_epoch = epoch;
            continue;
        }
        let v = eval_loss(&model.valid(), valid_idx.clone(), cfg.batch_size, &plain, seed, loss);
        report.valid_loss.push(v);
        let improved = report.valid_loss[..epoch].iter().all(|b| v < *b);
        if improved {
            best = Some(model.clone());
            report.best_epoch = epoch;
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= cfg.patience {
                break;
            }
        }
    }
    report.seconds = start.elapsed().as_secs_f64();
    Ok((best.unwrap_or(model).valid(), report))
}

/// Mean loss over `idx` without gradients; a fixed RNG so every epoch sees the same subsample.
fn eval_loss<M, L: BatchLoss<M>>(model: &M, idx: Range<usize>, batch: usize, dev: &Device, seed: u64, loss: &L) -> f32 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xe7a1);
    let idx: Vec<usize> = idx.collect();
    let total: f64 = idx
        .chunks(batch)
        .map(|b| f64::from(loss.loss(model, b, dev, &mut rng).into_scalar::<f32>()) * b.len() as f64)
        .sum();
    (total / idx.len() as f64) as f32
}
