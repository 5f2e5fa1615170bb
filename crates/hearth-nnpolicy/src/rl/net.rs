//! The actor-critic network: a shared-weight actor scores each candidate's row (so the policy is
//! symmetric in the candidates' order, as FirePlace's features are), a critic values the set from
//! the mean row.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

/// Actor and critic, two hidden layers each.
#[derive(Module, Debug)]
pub struct ActorCritic {
    actor: [Linear; 3],
    critic: [Linear; 3],
}

fn mlp(features: usize, hidden: usize, device: &Device) -> [Linear; 3] {
    [
        LinearConfig::new(features, hidden).init(device),
        LinearConfig::new(hidden, hidden).init(device),
        LinearConfig::new(hidden, 1).init(device),
    ]
}

fn apply<const D: usize>(layers: &[Linear; 3], x: Tensor<D>) -> Tensor<D> {
    let h = relu(layers[0].forward(x));
    let h = relu(layers[1].forward(h));
    layers[2].forward(h)
}

impl ActorCritic {
    /// A fresh network for rows of `features` values, on `device` (seed the device first).
    pub fn new(features: usize, hidden: usize, device: &Device) -> Self {
        Self {
            actor: mlp(features, hidden, device),
            critic: mlp(features, hidden, device),
        }
    }

    /// `[B, k, features]` standardised rows → (`[B, k]` logits, `[B]` values).
    pub fn forward(&self, obs: Tensor<3>) -> (Tensor<2>, Tensor<1>) {
        let [b, k, f] = obs.dims();
        let logits = apply(&self.actor, obs.clone()).reshape([b, k]);
        let pooled = obs.mean_dim(1).reshape([b, f]);
        let values = apply(&self.critic, pooled).reshape([b]);
        (logits, values)
    }
}
