//! The PPO policy in the simulator: k candidates drawn uniformly from the fleet, FirePlace's rows
//! plus an admits flag, the actor's softmax over them.
//!
//! Deployed ([`Mode::Greedy`]) it takes the highest-scoring candidate that admits the VM. In
//! training ([`Mode::Sample`]) it samples from the softmax with the run's RNG and records the
//! decision; a chosen server that cannot admit the VM costs the penalty and the VM goes to an
//! admissible server drawn at random. [`Mode::Warmup`] picks uniformly and records raw rows, to
//! fit the feature scaler before the first update.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use hearth_nn::Standardizer;
use hearth_place::fireplace::features::{rows, ROW_FEATURES};
use hearth_place::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};
use rand::Rng;

use super::model::PpoModel;
use super::net::ActorCritic;
use super::rollout::Rollout;

/// Values per candidate row: FirePlace's row and the admits flag.
pub const RL_FEATURES: usize = ROW_FEATURES + 1;

/// How the policy acts.
pub enum Mode {
    /// Best admissible candidate by the actor's score.
    Greedy,
    /// Sample from the actor, record into the rollout, pay `penalty` for an inadmissible choice.
    Sample {
        /// Where decisions go.
        rollout: Rc<RefCell<Rollout>>,
        /// Reward (negative) of choosing a server that cannot admit the VM.
        penalty: f32,
    },
    /// Uniform choice among admissible candidates; raw rows recorded for fitting the scaler.
    Warmup(Rc<RefCell<Vec<f32>>>),
}

/// The network an acting policy uses and how it reads rows.
pub struct Brain {
    /// Inference copy of the network.
    pub net: ActorCritic,
    /// Row standardisation.
    pub scaler: Standardizer,
}

/// The PPO placement policy.
pub struct PpoPolicy {
    k: usize,
    brain: Option<Arc<Brain>>,
    mode: Mode,
    rows: Vec<f64>,
    obs: Vec<f32>,
}

impl PpoPolicy {
    /// The deployed policy of a trained model.
    pub fn greedy(model: &PpoModel) -> Self {
        let brain = Brain {
            net: model.net.clone(),
            scaler: model.meta.scaler.clone(),
        };
        Self::new(model.meta.k, Some(Arc::new(brain)), Mode::Greedy)
    }

    /// A policy in any mode; `brain` may be `None` only in [`Mode::Warmup`].
    pub fn new(k: usize, brain: Option<Arc<Brain>>, mode: Mode) -> Self {
        Self {
            k,
            brain,
            mode,
            rows: Vec::new(),
            obs: Vec::new(),
        }
    }

    /// Fills `self.obs` with the candidates' raw rows and admits flags.
    fn observe(&mut self, candidates: &[ServerId], vm: &VmView, fleet: &FleetView) {
        rows(candidates, vm, fleet, &mut self.rows);
        self.obs.clear();
        for (row, &s) in self.rows.chunks(ROW_FEATURES).zip(candidates) {
            self.obs.extend(row.iter().map(|v| *v as f32));
            self.obs.push(f32::from(u8::from(fleet.admits(s, vm))));
        }
    }

    /// Actor probabilities and critic value of the observed (standardised) rows.
    fn evaluate(&mut self) -> Option<(Vec<f32>, f32)> {
        let brain = self.brain.as_ref()?;
        brain.scaler.apply(&mut self.obs);
        let device = Device::flex();
        let k = self.obs.len() / RL_FEATURES;
        let x = Tensor::<3>::from_data(TensorData::new(self.obs.clone(), [1, k, RL_FEATURES]), &device);
        let (logits, value) = brain.net.forward(x);
        let probs = softmax(logits, 1).into_data().try_to_vec::<f32>().unwrap_or_default();
        let value = value
            .into_data()
            .try_to_vec::<f32>()
            .ok()
            .and_then(|v| v.first().copied());
        (probs.len() == k).then(|| (probs, value.unwrap_or(0.0)))
    }
}

/// An admissible server drawn at random, as the fallback.
fn fallback(vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
    sample_admissible(1, vm, fleet, rng).first().copied()
}

/// Index drawn from `probs` (which sum to about one).
fn draw(probs: &[f32], rng: &mut SimRng) -> usize {
    let mut u: f32 = rng.random();
    for (i, p) in probs.iter().enumerate() {
        if u < *p {
            return i;
        }
        u -= p;
    }
    probs.len() - 1
}

impl Policy for PpoPolicy {
    fn name(&self) -> String {
        "rl".into()
    }

    fn uses_history(&self) -> bool {
        true
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        if fleet.len() < self.k {
            return fallback(vm, fleet, rng);
        }
        let candidates: Vec<ServerId> = rand::seq::index::sample(rng, fleet.len(), self.k)
            .into_iter()
            .map(|i| ServerId(i as u32))
            .collect();
        self.observe(&candidates, vm, fleet);
        if let Mode::Warmup(raw) = &self.mode {
            raw.borrow_mut().extend_from_slice(&self.obs);
            return fallback(vm, fleet, rng);
        }
        // Without a network (a warm-up policy) there is nothing to score with.
        let Some((probs, value)) = self.evaluate() else {
            return fallback(vm, fleet, rng);
        };
        let admits = |i: usize| fleet.admits(candidates[i], vm);
        if let Mode::Sample { rollout, penalty } = &self.mode {
            let a = draw(&probs, rng);
            let mut r = rollout.borrow_mut();
            r.push(&self.obs, a, probs[a].max(1e-12).ln(), value);
            if admits(a) {
                return Some(candidates[a]);
            }
            r.inadmissible += 1;
            r.credit_last(-penalty);
            drop(r);
            return fallback(vm, fleet, rng);
        }
        let best = (0..candidates.len())
            .filter(|&i| admits(i))
            .max_by(|&a, &b| probs[a].total_cmp(&probs[b]).then(b.cmp(&a)));
        best.map(|i| candidates[i]).or_else(|| fallback(vm, fleet, rng))
    }
}
