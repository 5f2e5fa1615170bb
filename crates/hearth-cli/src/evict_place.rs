//! `hearth evict place`: the scenario's clusters run as one region, spot VMs
//! routed across them by each router (and placed inside by each node rule),
//! at equal offered load; prints spot evictions per 1,000 spot VM-hours, the
//! share of spot VMs evicted and on-demand rejections per (router, node rule).
//! hearth-evict's [`place_study`] computes; the policy is resolved by name here.

use crate::evict_args::ScenarioArgs;
use crate::evict_print::print_outcomes;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use hearth::output::write_json;
use hearth::policies::{decider, PolicyContext};
use hearth_evict::place_study::{self, PlaceReport};
use hearth_sim::Policy;
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

/// The cluster's placement policy, which must decide online from requests.
fn online_policy(name: &str) -> Result<Box<dyn Policy>> {
    place_study::check_request_only(name)?;
    Ok(place_study::online(name, decider(name, &PolicyContext::default())?)?)
}

pub fn place(args: &PlaceArgs) -> Result<()> {
    let started = Instant::now();
    let arms = place_study::arms(&args.routers, &args.node_rules, args.model.as_deref())?;
    let model = place_study::load_model(args.model.as_deref())?;
    online_policy(&args.scenario.policy)?;
    let make = || online_policy(&args.scenario.policy).expect("checked above");
    let config = args.scenario.config();
    config.validate()?;
    let bars = Bars::default();
    let composed = place_study::compose(&config, args.scenario.inputs()?, &bars)?;
    let predictor = model.as_ref().map(|(_, p)| p.as_ref());
    let outcomes = place_study::run(&composed, &arms, predictor, &make, &bars)?;
    print_outcomes(&outcomes);
    if let Some(path) = &args.json {
        let report = PlaceReport {
            composed: &composed,
            model: args.model.as_ref().zip(model.as_ref().map(|(s, _)| s)),
            outcomes: &outcomes,
            total_seconds: started.elapsed().as_secs_f64(),
        };
        write_json(path, &report)?;
    }
    Ok(())
}
