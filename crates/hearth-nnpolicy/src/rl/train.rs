//! The PPO loop: a warm-up episode fits the feature scaler; then each iteration runs one episode
//! of the simulator with the sampling policy, computes advantages by GAE and takes `epochs`
//! passes of minibatch Adam steps on the clipped objective.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use hearth_nn::Standardizer;
use hearth_sim::{run, run_observed, Decider, Fleet, FleetView, SimConfig};
use hearth_trace::Workload;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::clipped::{ppo_loss, Batch, ClipConfig};
use super::gae::{gae, normalise};
use super::model::{row_schema, PpoMeta, PpoModel};
use super::net::ActorCritic;
use super::policy::{Brain, Mode, PpoPolicy, RL_FEATURES};
use super::rollout::Rollout;
use crate::error::PolicyError;

/// Settings of a training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PpoConfig {
    /// Candidates per decision.
    pub k: usize,
    /// Hidden width of actor and critic.
    pub hidden: usize,
    /// Episodes (one update each).
    pub iterations: usize,
    /// Passes over each episode's decisions.
    pub epochs: usize,
    /// Decisions per gradient step.
    pub minibatch: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Discount per decision.
    pub gamma: f32,
    /// GAE's λ.
    pub lambda: f32,
    /// The clipped objective's coefficients.
    pub clip: ClipConfig,
    /// Reward of choosing a server that cannot admit the VM (subtracted).
    pub penalty: f32,
    /// Multiplies the per-step reward −(peak-to-average − 1), keeping value targets near 1.
    pub reward_scale: f32,
}

impl Default for PpoConfig {
    fn default() -> Self {
        Self {
            k: 2,
            hidden: 64,
            iterations: 20,
            epochs: 4,
            minibatch: 256,
            learning_rate: 3e-4,
            gamma: 0.99,
            lambda: 0.95,
            clip: ClipConfig::default(),
            penalty: 1.0,
            reward_scale: 0.1,
        }
    }
}

/// One point of the learning curve: an iteration's episode and update.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Iteration, from 0.
    pub iteration: usize,
    /// Decisions in the episode.
    pub decisions: usize,
    /// Sum of rewards over the episode's decisions.
    pub episode_return: f64,
    /// The episode's mean over steps of peak ÷ mean CPU utilisation of active servers.
    pub peak_to_average: f64,
    /// The episode's overload rate.
    pub overload_rate: f64,
    /// VMs no server admitted.
    pub rejections: u64,
    /// Decisions whose chosen server could not admit the VM.
    pub inadmissible: usize,
    /// Mean clipped policy loss over the update's minibatches.
    pub policy_loss: f64,
    /// Mean value loss.
    pub value_loss: f64,
    /// Mean policy entropy (nats; ln k is uniform).
    pub entropy: f64,
    /// Mean approximate KL divergence from the acting policy.
    pub approx_kl: f64,
    /// Seconds since training started.
    pub seconds: f64,
}

impl PpoConfig {
    fn validate(&self) -> Result<(), PolicyError> {
        let bad = |what, reason: &str| {
            Err(PolicyError::Invalid {
                what,
                reason: reason.into(),
            })
        };
        if self.k < 2 {
            return bad("k", "PPO chooses among at least 2 candidates");
        }
        if self.hidden == 0 || self.iterations == 0 || self.epochs == 0 || self.minibatch == 0 {
            return bad("ppo", "hidden, iterations, epochs and minibatch must be positive");
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad("learning_rate", "must be positive and finite");
        }
        if !(0.0..=1.0).contains(&self.gamma) || !(0.0..=1.0).contains(&self.lambda) {
            return bad("gamma/lambda", "must lie in [0, 1]");
        }
        Ok(())
    }
}

/// Peak ÷ mean CPU utilisation over the servers holding VMs (1 when none or all idle).
fn step_peak_to_average(view: &FleetView) -> f64 {
    let (mut n, mut sum, mut peak) = (0usize, 0f64, 0f64);
    for s in view.candidates() {
        if view.vm_count(s) == 0 {
            continue;
        }
        let u = f64::from(view.measured(s).cpu.0) / f64::from(view.capacity(s).cpu.0.max(1e-9));
        n += 1;
        sum += u;
        peak = peak.max(u);
    }
    if n == 0 || sum <= 0.0 {
        1.0
    } else {
        peak / (sum / n as f64)
    }
}

/// Trains a PPO policy on `w` in `fleet`; `on_iteration` sees each curve point as it is made.
///
/// # Errors
/// [`PolicyError::Invalid`] for bad settings or a workload with no decisions; simulator errors.
pub fn train(
    cfg: &PpoConfig,
    w: &Workload,
    fleet: &Fleet,
    sim: &SimConfig,
    mut on_iteration: impl FnMut(&CurvePoint),
) -> Result<(PpoModel, Vec<CurvePoint>), PolicyError> {
    cfg.validate()?;
    let start = Instant::now();
    let scaler = fit_scaler(cfg.k, w, fleet, sim)?;
    let device = Device::flex().autodiff();
    device.seed(sim.seed);
    let mut net = ActorCritic::new(RL_FEATURES, cfg.hidden, &device);
    let mut optim = AdamConfig::new().init();
    let mut shuffle = ChaCha8Rng::seed_from_u64(sim.seed ^ 0x99_0e11);
    let mut curve = Vec::with_capacity(cfg.iterations);
    for iteration in 0..cfg.iterations {
        let brain = Arc::new(Brain {
            net: net.valid(),
            scaler: scaler.clone(),
        });
        let episode = SimConfig {
            seed: sim.seed + 1 + iteration as u64,
            ..*sim
        };
        let (r, metrics) = rollout(cfg, w, fleet, &episode, brain)?;
        let (mut adv, returns) = gae(&r.rewards, &r.values, &r.ends, cfg.gamma, cfg.lambda);
        normalise(&mut adv);
        let mut parts = [0f64; 4];
        let mut batches = 0usize;
        let mut order: Vec<usize> = (0..r.len()).collect();
        for _ in 0..cfg.epochs {
            order.shuffle(&mut shuffle);
            for mb in order.chunks(cfg.minibatch) {
                let batch = minibatch(&r, mb, &adv, &returns, &net, &device);
                let loss = ppo_loss(batch, &cfg.clip);
                parts.iter_mut().zip(loss.parts).for_each(|(p, x)| *p += f64::from(x));
                batches += 1;
                let grads = GradientsParams::from_grads(loss.total.backward(), &net);
                net = optim.step(cfg.learning_rate, net, grads);
            }
        }
        let per = batches.max(1) as f64;
        let point = CurvePoint {
            iteration,
            decisions: r.len(),
            episode_return: r.rewards.iter().map(|x| f64::from(*x)).sum(),
            peak_to_average: metrics.peak_to_average,
            overload_rate: metrics.overload_rate,
            rejections: metrics.rejections,
            inadmissible: r.inadmissible,
            policy_loss: parts[0] / per,
            value_loss: parts[1] / per,
            entropy: parts[2] / per,
            approx_kl: parts[3] / per,
            seconds: start.elapsed().as_secs_f64(),
        };
        on_iteration(&point);
        curve.push(point);
    }
    let meta = PpoMeta {
        k: cfg.k,
        hidden: cfg.hidden,
        feature_schema: row_schema(),
        scaler,
        provenance: serde_json::json!({"config": cfg, "seed": sim.seed, "curve": curve}),
    };
    Ok((PpoModel { net: net.valid(), meta }, curve))
}

/// One uniform-choice episode's raw rows, standardised column by column.
fn fit_scaler(k: usize, w: &Workload, fleet: &Fleet, sim: &SimConfig) -> Result<Standardizer, PolicyError> {
    let raw = Rc::new(RefCell::new(Vec::new()));
    let mut warmup = Decider::Online(Box::new(PpoPolicy::new(k, None, Mode::Warmup(raw.clone()))));
    run(w, fleet, sim, &mut warmup)?;
    let raw = raw.borrow();
    if raw.is_empty() {
        return Err(PolicyError::Invalid {
            what: "workload",
            reason: format!(
                "no decision over {k} candidates (fleet of {} servers)",
                fleet.capacities.len()
            ),
        });
    }
    Ok(Standardizer::fit(raw.chunks(RL_FEATURES), RL_FEATURES))
}

/// One episode of the sampling policy, with FirePlace's objective credited after every step.
fn rollout(
    cfg: &PpoConfig,
    w: &Workload,
    fleet: &Fleet,
    sim: &SimConfig,
    brain: Arc<Brain>,
) -> Result<(Rollout, hearth_sim::RunMetrics), PolicyError> {
    let rollout = Rc::new(RefCell::new(Rollout::new(cfg.k, RL_FEATURES)));
    let mode = Mode::Sample {
        rollout: rollout.clone(),
        penalty: cfg.penalty,
    };
    let mut decider = Decider::Online(Box::new(PpoPolicy::new(cfg.k, Some(brain), mode)));
    let scale = cfg.reward_scale;
    let metrics = run_observed(w, fleet, sim, &mut decider, &mut |view| {
        let par = step_peak_to_average(view);
        rollout.borrow_mut().credit_last(-((par - 1.0) as f32) * scale);
    })?;
    drop(decider);
    let mut r = rollout.take();
    r.end_episode();
    Ok((r, metrics))
}

/// The tensors of the decisions `idx`, on the autodiff device.
fn minibatch(r: &Rollout, idx: &[usize], adv: &[f32], returns: &[f32], net: &ActorCritic, device: &Device) -> Batch {
    let (k, f, b) = (r.k, r.features, idx.len());
    let per = k * f;
    let obs: Vec<f32> = idx
        .iter()
        .flat_map(|&i| &r.obs[i * per..(i + 1) * per])
        .copied()
        .collect();
    let mut taken = vec![0f32; b * k];
    for (j, &i) in idx.iter().enumerate() {
        taken[j * k + r.actions[i]] = 1.0;
    }
    let pick = |v: &[f32]| -> Vec<f32> { idx.iter().map(|&i| v[i]).collect() };
    let t1 = |v: Vec<f32>| Tensor::<1>::from_data(TensorData::new(v, [b]), device);
    let (logits, values) = net.forward(Tensor::<3>::from_data(TensorData::new(obs, [b, k, f]), device));
    Batch {
        logits,
        values,
        taken: Tensor::<2>::from_data(TensorData::new(taken, [b, k]), device),
        old_logp: t1(pick(&r.logp)),
        advantages: t1(pick(adv)),
        returns: t1(pick(returns)),
    }
}
