//! The options of `hearth evict`'s subcommands and how they map onto
//! hearth-evict's typed options: the scenario, the snapshot input, the
//! models and their training budget. The embedded samples and the policy
//! registry are resolved here, so hearth-evict needs neither.

use anyhow::Result;
use clap::Args;
use hearth::policies::{decider, PolicyContext};
use hearth_evict::models::ModelOptions;
use hearth_evict::nn_options::NnOptions;
use hearth_evict::scenario::ScenarioConfig;
use hearth_evict::scenario_run::{self, ScenarioInputs};
use hearth_evict::scenario_zone::read_zones;
use hearth_sim::Decider;
use hearth_trace::ImportOptions;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct ScenarioArgs {
    #[arg(long, default_value_t = 20)]
    pub clusters: usize,
    #[arg(long, default_value_t = 600)]
    pub nodes_per_cluster: usize,
    /// Days snapshotted (after the warm-up).
    #[arg(long, default_value_t = 14.0)]
    pub days: f64,
    #[arg(long, default_value_t = 1.0)]
    pub warmup_days: f64,
    /// Simulation step in seconds (must divide 3600).
    #[arg(long, default_value_t = 600)]
    pub step_seconds: u32,
    /// Make each VM spot with this probability (default: openb BE pods are spot, the rest on-demand).
    #[arg(long)]
    pub spot_fraction: Option<f64>,
    /// Offered core demand / cluster cores of the least loaded cluster.
    #[arg(long, default_value_t = 0.35)]
    pub demand_min: f64,
    /// ... and of the most loaded one.
    #[arg(long, default_value_t = 1.2)]
    pub demand_max: f64,
    /// Amplitude of the daily modulation of on-demand arrivals (0 = none).
    #[arg(long, default_value_t = 0.7)]
    pub diurnal_amplitude: f64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Placement policy inside each cluster.
    #[arg(long, default_value = "best-fit")]
    pub policy: String,
    /// Clusters simulated at once (each holds one cluster's state in memory).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// openb pod list (default: the embedded sample).
    #[arg(long)]
    pub pods: Option<PathBuf>,
    /// openb node list (default: the embedded sample).
    #[arg(long)]
    pub nodes: Option<PathBuf>,
    /// Build one cluster from each Azure packing 2020 sample file (real arrivals, lifetimes and
    /// spot priorities, replayed over the trace's 14 days) instead of openb pods.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub zone: Vec<PathBuf>,
    /// Zone clusters: the fewest nodes whose cores and memory reach this × the peak on-demand demand.
    #[arg(long, default_value_t = 1.15)]
    pub zone_headroom: f64,
}

/// Scenario options that mean nothing when the snapshots come from a file.
const SCENARIO_ONLY: [&str; 14] = [
    "zone",
    "zone_headroom",
    "clusters",
    "nodes_per_cluster",
    "days",
    "warmup_days",
    "step_seconds",
    "spot_fraction",
    "demand_min",
    "demand_max",
    "diurnal_amplitude",
    "policy",
    "pods",
    "nodes",
];

#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Read the hourly node snapshots from this file instead of simulating
    /// (Parquet, or CSV when the name ends in .csv; schema in the README).
    #[arg(long, conflicts_with_all = SCENARIO_ONLY)]
    pub snapshots: Option<PathBuf>,
    /// Hold out this fraction of the clusters (spread evenly over their training-hour utilisation): models never
    /// train or validate on them, and the test hours are scored on them alone, as a user's new
    /// clusters would be. 0 scores the test hours of every cluster.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.0)]
    pub test_clusters: f64,
}

#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Models, comma-separated, or `all`.
    #[arg(long, alias = "model", value_delimiter = ',', default_value = "all")]
    pub models: Vec<String>,
    /// Most (sample, node) rows a node-level tabular model trains on.
    #[arg(long, default_value_t = 5_000)]
    pub max_node_train_rows: usize,
    #[command(flatten)]
    pub nn: NnArgs,
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Training budget of the LSTM and the spatial-temporal transformer.
#[derive(Args, Debug, Clone)]
pub struct NnArgs {
    /// Most training epochs (early stopping on the last 20% of the training windows).
    #[arg(long, default_value_t = NnOptions::default().epochs)]
    pub nn_epochs: usize,
    /// Most cluster windows the transformer trains on (strided hours).
    #[arg(long, default_value_t = NnOptions::default().max_st_windows)]
    pub max_st_windows: usize,
    /// LSTM hidden width; the transformer's embedding is half of it.
    #[arg(long, default_value_t = NnOptions::default().width)]
    pub nn_width: usize,
}

/// `hearth evict train`: score on the validation hours, or fit and save one model.
#[derive(Args, Debug, Clone)]
pub struct TrainArgs {
    #[command(flatten)]
    pub models: ModelArgs,
    /// Level of the model to save: `cluster` (the default where the model has it) or `node`.
    #[arg(long)]
    pub level: Option<String>,
    /// Save the one fitted model here (versioned, checksummed JSON, written atomically; needs --snapshots).
    #[arg(long, requires = "snapshots")]
    pub out: Option<PathBuf>,
}

impl ModelArgs {
    pub fn options(&self) -> ModelOptions {
        ModelOptions {
            max_node_train_rows: self.max_node_train_rows,
            nn: self.nn.options(),
        }
    }
}

impl NnArgs {
    pub fn options(&self) -> NnOptions {
        NnOptions {
            epochs: self.nn_epochs,
            max_st_windows: self.max_st_windows,
            width: self.nn_width,
        }
    }
}

impl ScenarioArgs {
    pub(crate) fn config(&self) -> ScenarioConfig {
        ScenarioConfig {
            clusters: self.clusters,
            nodes_per_cluster: self.nodes_per_cluster,
            days: self.days,
            warmup_days: self.warmup_days,
            step_seconds: self.step_seconds,
            spot_fraction: self.spot_fraction,
            demand_range: (self.demand_min, self.demand_max),
            diurnal_amplitude: self.diurnal_amplitude,
            seed: self.seed,
        }
    }

    /// What the clusters are built from: the Azure zone samples of `--zone`,
    /// else openb pods and nodes (`--pods`, `--nodes`, or the embedded samples).
    pub(crate) fn inputs(&self) -> Result<ScenarioInputs> {
        if !self.zone.is_empty() {
            let zones = read_zones(&self.zone, self.step_seconds)?;
            let types = hearth::samples_azure::azure_server_types()?;
            return Ok(ScenarioInputs::Zones {
                zones,
                machine_types: types.iter().map(|t| t.capacity).collect(),
                headroom: self.zone_headroom,
            });
        }
        let opts = ImportOptions::default();
        let arrivals = match &self.pods {
            None => hearth::samples::openb_arrivals(&opts)?,
            Some(p) => scenario_run::read_openb_pods(p, &opts)?,
        };
        let nodes = match &self.nodes {
            None => hearth::samples::openb_nodes(&opts)?,
            Some(p) => scenario_run::read_openb_nodes(p, &opts)?,
        };
        Ok(ScenarioInputs::Openb { arrivals, nodes })
    }

    /// Builds the cluster policy by name, once per call; the name is checked here.
    pub(crate) fn deciders(&self) -> Result<impl Fn() -> Decider + Sync + '_> {
        decider(&self.policy, &PolicyContext::default())?;
        Ok(|| decider(&self.policy, &PolicyContext::default()).expect("checked above"))
    }
}
