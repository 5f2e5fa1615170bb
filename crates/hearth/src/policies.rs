//! Policies by name, as the command line names them.

use anyhow::{bail, Context, Result};
use hearth_place::fireplace::{FirePlace, FirePlaceModel, ForecastPolicy, Forecaster};
use hearth_place::heuristics::{NSigma, PowerOfK, RcP95};
use hearth_place::{Objective, Teacher};
use hearth_sim::Decider;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Names beyond the heuristics, for help and error messages. The field's
/// baselines (`n-sigma`, `rc-p95`, `power-of-two-mr`) choose among the same
/// k = 2 sampled candidates as FirePlace; `n-sigma-N` sets N (0 ≤ N ≤ 10).
pub const OTHERS: [&str; 10] = [
    "n-sigma",
    "rc-p95",
    "power-of-two-mr",
    "teacher",
    "teacher-peak",
    "teacher-all",
    "teacher-peak-all",
    "fireplace",
    "forecast-ewma",
    "forecast-learned",
];

/// The learned policies on burn (`--features nn`).
pub const NN_POLICIES: [&str; 3] = ["forecast-lstm", "forecast-tcn", "rl"];

/// What policies need besides their name.
#[derive(Clone, Default)]
pub struct PolicyContext {
    pub model: Option<Arc<FirePlaceModel>>,
    /// Neural models (usage forecasters, PPO), by the policy that uses them.
    pub nn: crate::policies_nn::NnModels,
    pub overload_threshold: f32,
}

impl PolicyContext {
    /// Loads the model file when one is given.
    pub fn new(model: Option<&Path>, overload_threshold: f32) -> Result<PolicyContext> {
        let models: Vec<&Path> = model.into_iter().collect();
        PolicyContext::with_models(&models, overload_threshold)
    }

    /// The context of a run: its model files read once, the forecast policies' refresh set
    /// (at least 1 step).
    pub fn for_run(models: &[PathBuf], overload_threshold: f32, forecast_refresh_steps: u32) -> Result<PolicyContext> {
        let models: Vec<&Path> = models.iter().map(PathBuf::as_path).collect();
        let mut ctx = PolicyContext::with_models(&models, overload_threshold)?;
        ctx.nn.set_forecast_refresh(forecast_refresh_steps);
        Ok(ctx)
    }

    /// Loads model files of any kind: FirePlace models, and with the `nn` feature usage
    /// forecasters and PPO policies (told apart by their contents). Two files for one policy are
    /// an error.
    pub fn with_models(models: &[&Path], overload_threshold: f32) -> Result<PolicyContext> {
        let mut ctx = PolicyContext {
            overload_threshold,
            ..PolicyContext::default()
        };
        for &p in models {
            if crate::policies_nn::is_nn_file(p)? {
                ctx.nn.add(p)?;
            } else if ctx.model.is_some() {
                bail!("{}: a second FirePlace model; give one per policy", p.display());
            } else {
                ctx.model = Some(Arc::new(FirePlaceModel::load(p)?));
            }
        }
        Ok(ctx)
    }

    fn model(&self, name: &str) -> Result<Arc<FirePlaceModel>> {
        self.model.clone().with_context(|| {
            format!("policy {name} needs a trained model: run `hearth fireplace train --out model.json`, then pass --model model.json")
        })
    }
}

/// The decider for a policy name.
pub fn decider(name: &str, ctx: &PolicyContext) -> Result<Decider> {
    if let Some(p) = hearth_place::heuristic(name) {
        return Ok(Decider::Online(p));
    }
    let threshold = ctx.overload_threshold;
    let teacher = |k, objective| Decider::Hindsight(Box::new(Teacher::new(k, objective, threshold)));
    Ok(match name {
        "n-sigma" => Decider::Online(Box::new(NSigma::new(NSigma::DEFAULT_N))),
        _ if name.starts_with("n-sigma-") => match name["n-sigma-".len()..].parse::<f64>() {
            Ok(n) if (0.0..=10.0).contains(&n) => Decider::Online(Box::new(NSigma::new(n))),
            _ => bail!("{name:?}: n-sigma-N needs a number N of standard deviations in [0, 10], e.g. n-sigma-3"),
        },
        "rc-p95" => Decider::Online(Box::new(RcP95::new(2))),
        "power-of-two-mr" => Decider::Online(Box::new(PowerOfK::multi_resource(2))),
        "teacher" => teacher(Some(2), Objective::Overload),
        "teacher-peak" => teacher(Some(2), Objective::NormalisedPeak),
        "teacher-all" => teacher(None, Objective::Overload),
        "teacher-peak-all" => teacher(None, Objective::NormalisedPeak),
        "fireplace" => Decider::Online(Box::new(FirePlace::new(ctx.model(name)?))),
        "forecast-ewma" => Decider::Online(Box::new(ForecastPolicy::new(2, Forecaster::Ewma { alpha: 0.3 }))),
        "forecast-learned" => {
            let model = ctx.model(name)?;
            if model.forecast.is_none() {
                bail!("the model file holds no learned forecast: retrain it with `hearth fireplace train`");
            }
            Decider::Online(Box::new(ForecastPolicy::new(model.k, Forecaster::Learned(model))))
        }
        _ if NN_POLICIES.contains(&name) => ctx.nn.decider(name)?,
        _ => bail!(
            "unknown policy {name:?}; known: {}, power-of-K (any K ≥ 1), best-fit-threshold-X (0 < X ≤ 2), {}, n-sigma-N (0 ≤ N ≤ 10), {}",
            hearth_place::HEURISTICS.join(", "),
            OTHERS.join(", "),
            NN_POLICIES.join(", ")
        ),
    })
}
