//! `hearth evict place`: the scenario's clusters run as one region, spot
//! VMs routed across them by each router and placed inside by each node
//! rule, at equal offered load ([`crate::region`] runs one such arm).

use crate::error::{Context, EvictError, Result};
use crate::predictor::Predictor;
use crate::region::{self, NodeRule, Outcome, Region};
use crate::router::Router;
use crate::saved_model::SavedModel;
use crate::scenario::{self, ClusterPlan, ScenarioConfig};
use crate::scenario_run::ScenarioInputs;
use crate::scenario_zone;
use hearth_sim::Progress;
use hearth_sim::{Decider, Policy};
use hearth_trace::Workload;
use serde::{Serialize, Serializer};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Heuristics whose choice under `requests` admission reads only committed
/// requests and limits: the region reports no usage (the scenario's usage is
/// each VM's request), so a policy that reads measured usage or the history
/// store would see zeros there and place differently from the scenario.
pub const REQUEST_ONLY: [&str; 10] = [
    "random",
    "round-robin",
    "first-fit",
    "best-fit",
    "worst-fit",
    "dot-product",
    "cosine-similarity",
    "delta-perp-distance",
    "norm-diff",
    "weighted-dot-product",
];

/// Every (router, node rule) pair of the named ones; a router that needs a
/// model is refused without one (`model`: the `--model` file).
pub fn arms(routers: &[String], node_rules: &[String], model: Option<&Path>) -> Result<Vec<(Router, NodeRule)>> {
    let routers = routers.iter().map(|r| Router::parse(r)).collect::<Result<Vec<_>>>()?;
    let rules = node_rules
        .iter()
        .map(|r| NodeRule::parse(r))
        .collect::<Result<Vec<_>>>()?;
    if let Some(r) = routers.iter().find(|r| r.needs_model()).filter(|_| model.is_none()) {
        return Err(EvictError::Options(format!(
            "the {r} router needs --model FILE (a model saved by `hearth evict train --out`)"
        )));
    }
    Ok(routers
        .iter()
        .flat_map(|&r| rules.iter().map(move |&n| (r, n)))
        .collect())
}

/// The saved model and its restored predictor, when a model file is given.
pub fn load_model(path: Option<&Path>) -> Result<Option<(SavedModel, Box<dyn Predictor>)>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let saved = SavedModel::load(path).context_with(|| format!("loading the eviction model {}", path.display()))?;
    let p = saved
        .predictor()
        .context_with(|| format!("restoring the eviction model in {}", path.display()))?;
    Ok(Some((saved, p)))
}

/// Refuses a cluster policy that cannot decide online from requests (see
/// [`REQUEST_ONLY`]); checked before the policy is built.
pub fn check_request_only(name: &str) -> Result<()> {
    if REQUEST_ONLY.contains(&name) {
        return Ok(());
    }
    Err(EvictError::Options(format!(
        "policy {name} reads measured usage, history or the future, which `evict place` does not \
         simulate; use one of {}",
        REQUEST_ONLY.join(", ")
    )))
}

/// The online policy inside a built decider; a hindsight one cannot place live.
pub fn online(name: &str, decider: Decider) -> Result<Box<dyn Policy>> {
    match decider {
        Decider::Online(p) => Ok(p),
        Decider::Hindsight(_) => Err(EvictError::Options(format!(
            "policy {name} needs the future and cannot place in a live region"
        ))),
    }
}

/// The region's clusters: config (days set for zones), plans, workloads and observed hours.
pub struct Composed {
    pub config: ScenarioConfig,
    pub plans: Vec<ClusterPlan>,
    pub workloads: Vec<Workload>,
    pub hours: usize,
}

/// Plans the clusters and composes their workloads (openb clusters one by one).
pub fn compose(config: &ScenarioConfig, inputs: ScenarioInputs, progress: &dyn Progress) -> Result<Composed> {
    let config = inputs.config(config.clone());
    match inputs {
        ScenarioInputs::Openb { arrivals, nodes } => {
            let plans = scenario::plan(&config, &nodes)?;
            progress.begin(plans.len() as u64, "composing clusters");
            let workloads = plans
                .iter()
                .map(|p| {
                    progress.inc();
                    scenario::cluster_workload(&config, p, &arrivals)
                })
                .collect::<Result<Vec<_>>>()
                .context_with(|| "composing the cluster workloads".into())?;
            progress.finish();
            let hours = config.hours();
            Ok(Composed {
                config,
                plans,
                workloads,
                hours,
            })
        }
        ScenarioInputs::Zones {
            zones,
            machine_types,
            headroom,
        } => {
            let hours = scenario_zone::zone_hours(&config);
            let plans = scenario_zone::zone_plans(&config, &zones, &machine_types, headroom)?;
            let workloads = zones.into_iter().map(|z| z.workload).collect();
            Ok(Composed {
                config,
                plans,
                workloads,
                hours,
            })
        }
    }
}

/// Runs every arm over the composed region, one progress stage per arm.
/// `model` serves the routers that need one; `make_policy` builds a
/// cluster's policy.
pub fn run(
    composed: &Composed,
    arms: &[(Router, NodeRule)],
    model: Option<&dyn Predictor>,
    make_policy: &dyn Fn() -> Box<dyn Policy>,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>> {
    let region = Region {
        config: &composed.config,
        plans: &composed.plans,
        workloads: &composed.workloads,
        hours: composed.hours,
    };
    let total = (composed.config.warmup_hours() + composed.hours) as u64;
    let mut outcomes = Vec::new();
    for &(router, rule) in arms {
        progress.begin(total, &format!("{router} / {}", rule.name()));
        let m = model.filter(|_| router.needs_model());
        let seed = composed.config.seed;
        let o = region::run(&region, router, rule, m, make_policy, seed, &|| progress.inc())
            .context_with(|| format!("running the region with router {router}, node rule {}", rule.name()))?;
        progress.finish();
        outcomes.push(o);
    }
    Ok(outcomes)
}

/// The study's outcomes with the scenario and the model's provenance: the JSON of `--json`.
pub struct PlaceReport<'a> {
    pub composed: &'a Composed,
    /// The model file as given, and the model loaded from it.
    pub model: Option<(&'a PathBuf, &'a SavedModel)>,
    pub outcomes: &'a [Outcome],
    pub total_seconds: f64,
}

/// As the command has always written it: through `serde_json::Value` (keys
/// in alphabetical order at every depth, `f32`s widened to `f64`).
impl Serialize for PlaceReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let provenance = self
            .model
            .map(|(file, s)| json!({"file": file, "model": s.model, "level": s.level, "trained_on": s.trained_on}));
        json!({
            "config": self.composed.config,
            "clusters": self.composed.plans,
            "observed_hours": self.composed.hours,
            "model": provenance,
            "outcomes": self.outcomes,
            "total_seconds": self.total_seconds,
        })
        .serialize(s)
    }
}
