//! PPO's clipped surrogate objective with a value loss and an entropy bonus:
//! `L = −E[min(ρA, clip(ρ, 1−ε, 1+ε)A)] + c_v E[(V − R)²] − c_e E[H(π)]`, ρ = π(a)/π_old(a).

use burn::tensor::activation::log_softmax;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// Coefficients of the objective.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClipConfig {
    /// ε: how far the probability ratio may move before the gradient stops.
    pub clip: f32,
    /// Weight of the value loss.
    pub value_coef: f32,
    /// Weight of the entropy bonus.
    pub entropy_coef: f32,
}

impl Default for ClipConfig {
    fn default() -> Self {
        Self {
            clip: 0.2,
            value_coef: 0.5,
            entropy_coef: 0.01,
        }
    }
}

/// A minibatch's inputs to the objective; `B` decisions over `k` candidates.
pub struct Batch {
    /// `[B, k]` logits of the current policy.
    pub logits: Tensor<2>,
    /// `[B]` values of the current critic.
    pub values: Tensor<1>,
    /// `[B, k]` one-hot of the actions taken.
    pub taken: Tensor<2>,
    /// `[B]` log-probabilities of the actions under the policy that acted.
    pub old_logp: Tensor<1>,
    /// `[B]` advantages (normalised).
    pub advantages: Tensor<1>,
    /// `[B]` value targets.
    pub returns: Tensor<1>,
}

/// The loss to minimise and its parts (policy loss, value loss, entropy, approximate KL) for logs.
pub struct Loss {
    /// One-element total loss.
    pub total: Tensor<1>,
    /// The parts, detached.
    pub parts: [f32; 4],
}

/// The clipped objective of a minibatch.
pub fn ppo_loss(b: Batch, cfg: &ClipConfig) -> Loss {
    let logp_all = log_softmax(b.logits, 1);
    let entropy = -(logp_all.clone().exp() * logp_all.clone()).sum_dim(1).mean();
    let [n, _] = logp_all.dims();
    let logp = (logp_all * b.taken).sum_dim(1).reshape([n]);
    let log_ratio = logp - b.old_logp;
    let ratio = log_ratio.clone().exp();
    let unclipped = ratio.clone() * b.advantages.clone();
    let clipped = ratio.clamp(1.0 - cfg.clip, 1.0 + cfg.clip) * b.advantages;
    let policy = -unclipped.min_pair(clipped).mean();
    let value = (b.values - b.returns).powi_scalar(2).mean();
    let approx_kl = (-log_ratio).mean();
    let total = policy.clone() + value.clone() * cfg.value_coef - entropy.clone() * cfg.entropy_coef;
    let scalar = |t: Tensor<1>| t.into_scalar::<f32>();
    let parts = [
        scalar(policy.detach()),
        scalar(value.detach()),
        scalar(entropy.detach()),
        scalar(approx_kl.detach()),
    ];
    Loss { total, parts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn t1(v: Vec<f32>, d: &Device) -> Tensor<1> {
        let n = v.len();
        Tensor::from_data(TensorData::new(v, [n]), d)
    }

    fn t2(v: Vec<f32>, k: usize, d: &Device) -> Tensor<2> {
        let n = v.len() / k;
        Tensor::from_data(TensorData::new(v, [n, k]), d)
    }

    fn batch(old_logp: Vec<f32>, adv: Vec<f32>, d: &Device) -> Batch {
        Batch {
            logits: t2(vec![0.0, 0.0, 0.0, 0.0], 2, d),
            values: t1(vec![1.0, 1.0], d),
            taken: t2(vec![1.0, 0.0, 0.0, 1.0], 2, d),
            old_logp: t1(old_logp, d),
            advantages: t1(adv, d),
            returns: t1(vec![1.0, 3.0], d),
        }
    }

    #[test]
    fn unchanged_policy_gives_minus_mean_advantage() {
        let d = Device::flex();
        let half = 0.5f32.ln();
        let loss = ppo_loss(batch(vec![half, half], vec![1.0, -3.0], &d), &ClipConfig::default());
        let [policy, value, entropy, kl] = loss.parts;
        assert!((policy - 1.0).abs() < 1e-5, "policy loss {policy}");
        assert!((value - 2.0).abs() < 1e-5, "value loss {value}");
        assert!((entropy - 2f32.ln()).abs() < 1e-5, "entropy {entropy}");
        assert!(kl.abs() < 1e-6);
    }

    #[test]
    fn ratio_is_clipped_for_positive_advantages() {
        let d = Device::flex();
        // Old policy gave the action probability 0.1; now 0.5: ratio 5, clipped to 1.2.
        let old = 0.1f32.ln();
        let loss = ppo_loss(batch(vec![old, old], vec![1.0, 1.0], &d), &ClipConfig::default());
        assert!((loss.parts[0] + 1.2).abs() < 1e-5, "policy loss {}", loss.parts[0]);
    }
}
