//! `hearth evict place`: the scenario's clusters run as one region, spot VMs
//! routed across them by each router (and placed inside by each node rule),
//! at equal offered load; prints spot evictions per 1,000 spot VM-hours, the
//! share of spot VMs evicted and on-demand rejections per (router, node rule).

use crate::evict_cmd::{read_zones, table, ScenarioArgs};
use crate::output::{progress, write_json};
use hearth::policies::{decider, PolicyContext};
use anyhow::{bail, Context, Result};
use clap::Args;
use hearth_evict::predictor::Predictor;
use hearth_evict::region::{self, NodeRule, Outcome, Region};
use hearth_evict::router::Router;
use hearth_evict::saved_model::SavedModel;
use hearth_evict::scenario::{self, ScenarioConfig};
use hearth_evict::scenario_zone;
use hearth_sim::{Decider, Policy};
use hearth_trace::{Resources, Workload};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug, Clone)]
pub struct PlaceArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Routers of spot VMs across clusters, comma-separated: random, least-utilised, eviction-aware,
    /// eviction-aware-spread.
    #[arg(long, value_delimiter = ',', default_value = "random,least-utilised,eviction-aware")]
    pub routers: Vec<String>,
    /// Placement of spot VMs inside a cluster, comma-separated: best-fit (the cluster's --policy),
    /// least-reclaimable, spot-shield.
    /// Every router runs with every rule.
    #[arg(long, value_delimiter = ',', default_value = "best-fit")]
    pub node_rules: Vec<String>,
    /// A model saved by `hearth evict train --out` (needed by eviction-aware); train it on
    /// snapshots of another seed than --seed, so it forecasts data it never saw.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Write the outcomes, the scenario and the model's provenance here as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// The region's clusters: config (days set for zones), plans and workloads.
fn compose(args: &ScenarioArgs) -> Result<(ScenarioConfig, Vec<scenario::ClusterPlan>, Vec<Workload>, usize)> {
    let mut config = args.config();
    config.validate()?;
    if args.zone.is_empty() {
        let (arrivals, nodes) = args.inputs()?;
        let plans = scenario::plan(&config, &nodes)?;
        let bar = progress(plans.len() as u64, "composing clusters");
        let workloads = plans
            .iter()
            .map(|p| {
                bar.inc(1);
                scenario::cluster_workload(&config, p, &arrivals)
            })
            .collect::<hearth_evict::Result<Vec<_>>>()
            .context("composing the cluster workloads")?;
        bar.finish_and_clear();
        let hours = config.hours();
        return Ok((config, plans, workloads, hours));
    }
    let zones = read_zones(&args.zone, config.step_seconds)?;
    let types: Vec<Resources> = hearth::samples_azure::azure_server_types()?
        .iter()
        .map(|t| t.capacity)
        .collect();
    config.clusters = zones.len();
    let hours = scenario_zone::zone_hours(&config);
    config.days = hours as f64 / 24.0;
    let plans = scenario_zone::zone_plans(&config, &zones, &types, args.zone_headroom)?;
    Ok((config, plans, zones.into_iter().map(|z| z.workload).collect(), hours))
}

fn parse_arms(args: &PlaceArgs) -> Result<Vec<(Router, NodeRule)>> {
    let routers = args
        .routers
        .iter()
        .map(|r| Router::parse(r))
        .collect::<hearth_evict::Result<Vec<_>>>()?;
    let rules = args
        .node_rules
        .iter()
        .map(|r| NodeRule::parse(r))
        .collect::<hearth_evict::Result<Vec<_>>>()?;
    if let Some(r) = routers
        .iter()
        .find(|r| r.needs_model())
        .filter(|_| args.model.is_none())
    {
        bail!("the {r} router needs --model FILE (a model saved by `hearth evict train --out`)");
    }
    Ok(routers
        .iter()
        .flat_map(|&r| rules.iter().map(move |&n| (r, n)))
        .collect())
}

fn load_model(args: &PlaceArgs) -> Result<Option<(SavedModel, Box<dyn Predictor>)>> {
    let Some(path) = &args.model else {
        return Ok(None);
    };
    let saved = SavedModel::load(path).with_context(|| format!("loading the eviction model {}", path.display()))?;
    let p = saved
        .predictor()
        .with_context(|| format!("restoring the eviction model in {}", path.display()))?;
    Ok(Some((saved, p)))
}

/// Heuristics whose choice under `requests` admission reads only committed
/// requests and limits: the region reports no usage (the scenario's usage is
/// each VM's request), so a policy that reads measured usage or the history
/// store would see zeros there and place differently from the scenario.
const REQUEST_ONLY: [&str; 10] = [
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

/// The cluster's placement policy, which must decide online from requests.
fn online_policy(name: &str) -> Result<Box<dyn Policy>> {
    if !REQUEST_ONLY.contains(&name) {
        bail!(
            "policy {name} reads measured usage, history or the future, which `evict place` does not \
             simulate; use one of {}",
            REQUEST_ONLY.join(", ")
        );
    }
    match decider(name, &PolicyContext::default())? {
        Decider::Online(p) => Ok(p),
        Decider::Hindsight(_) => bail!("policy {name} needs the future and cannot place in a live region"),
    }
}

pub fn place(args: &PlaceArgs) -> Result<()> {
    let started = Instant::now();
    let arms = parse_arms(args)?;
    let model = load_model(args)?;
    online_policy(&args.scenario.policy)?;
    let make = || online_policy(&args.scenario.policy).expect("checked above");
    let (config, plans, workloads, hours) = compose(&args.scenario)?;
    let region = Region {
        config: &config,
        plans: &plans,
        workloads: &workloads,
        hours,
    };
    let mut outcomes = Vec::new();
    for &(router, rule) in &arms {
        let total = (config.warmup_hours() + hours) as u64;
        let bar = progress(total, &format!("{router} / {}", rule.name()));
        let m = model.as_ref().map(|(_, p)| p.as_ref()).filter(|_| router.needs_model());
        let o = region::run(&region, router, rule, m, &make, config.seed, &|| bar.inc(1))
            .with_context(|| format!("running the region with router {router}, node rule {}", rule.name()))?;
        bar.finish_and_clear();
        outcomes.push(o);
    }
    print_outcomes(&outcomes);
    if let Some(path) = &args.json {
        let provenance = model
            .as_ref()
            .map(|(s, _)| json!({"file": args.model, "model": s.model, "level": s.level, "trained_on": s.trained_on}));
        let doc = json!({
            "config": config,
            "clusters": plans,
            "observed_hours": hours,
            "model": provenance,
            "outcomes": outcomes,
            "total_seconds": started.elapsed().as_secs_f64(),
        });
        write_json(path, &doc)?;
    }
    Ok(())
}

fn print_outcomes(outcomes: &[Outcome]) {
    let header = [
        "router",
        "node rule",
        "spot VMs offered",
        "spot rejected",
        "evictions",
        "evictions / 1,000 spot VM-h",
        "spot VMs evicted",
        "on-demand rejected",
        "spot VMs per cluster",
    ];
    let mut t = table(header.iter().map(|h| h.to_string()).collect());
    for o in outcomes {
        let per: Vec<String> = o.spot_vms_per_cluster.iter().map(u64::to_string).collect();
        t.add_row(vec![
            o.router.to_string(),
            o.node_rule.name().to_string(),
            o.spot_vms_offered.to_string(),
            o.spot_vms_rejected.to_string(),
            o.evictions.to_string(),
            format!("{:.2}", o.evictions_per_1000_spot_vm_hours),
            format!("{:.2}%", 100.0 * o.share_spot_evicted),
            format!("{} of {}", o.on_demand_rejected, o.on_demand_vms_offered),
            per.join(" "),
        ]);
    }
    println!("spot placement over the observed hours (after the warm-up):\n{t}");
}
