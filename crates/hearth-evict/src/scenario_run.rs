//! The simulated scenario as the commands run it (`hearth evict simulate`,
//! and `dataset|train|eval|run` without `--snapshots`): the clusters built
//! from openb pods or from Azure zone samples, simulated, summarised
//! ([`Simulated`]) and turned into a [`SnapshotSet`] like a file's.

use crate::error::{Context, Result};
use crate::scenario::{self, ClusterRun, ClusterSummary, ScenarioConfig};
use crate::scenario_zone::{self, ZoneDemand};
use crate::snapshot::{rate_distribution, RateDistribution};
use crate::snapshot_file::SnapshotSet;
use hearth_sim::Decider;
use hearth_sim::Progress;
use hearth_trace::{ImportOptions, Resources, Source, Workload};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// What the scenario's clusters are built from.
pub enum ScenarioInputs {
    /// Time-scaled replays of openb pods on openb node shapes.
    Openb { arrivals: Workload, nodes: Vec<Resources> },
    /// One cluster per Azure packing zone sample, replayed in real time on
    /// the trace's machine types, sized by `headroom` (see [`scenario_zone`]).
    Zones {
        zones: Vec<ZoneDemand>,
        machine_types: Vec<Resources>,
        headroom: f64,
    },
}

impl ScenarioInputs {
    /// The config the inputs run under: zone samples set the number of
    /// clusters and their own span of days.
    pub fn config(&self, mut config: ScenarioConfig) -> ScenarioConfig {
        if let ScenarioInputs::Zones { zones, .. } = self {
            config.clusters = zones.len();
            config.days = scenario_zone::zone_hours(&config) as f64 / 24.0;
        }
        config
    }
}

/// What simulating the scenario gave: the JSON of `hearth evict simulate --json`.
#[derive(Serialize)]
pub struct Simulated {
    pub config: ScenarioConfig,
    pub clusters: Vec<ClusterSummary>,
    pub eviction_rate_bands: Vec<RateDistribution>,
    pub seconds: f64,
}

/// Simulates the scenario, `threads` clusters at a time, each with a decider
/// from `make_decider` (the caller resolves the policy by name); zone
/// clusters are named after their sample files.
pub fn simulate(
    config: &ScenarioConfig,
    inputs: ScenarioInputs,
    make_decider: &(dyn Fn() -> Decider + Sync),
    threads: usize,
    progress: &dyn Progress,
) -> Result<(Simulated, SnapshotSet)> {
    let started = Instant::now();
    let config = inputs.config(config.clone());
    let runs = run_clusters(&config, &inputs, make_decider, threads, progress)?;
    let clusters = runs.iter().map(|r| r.summary.clone()).collect();
    let snaps: Vec<_> = runs.into_iter().map(|r| r.snapshots).collect();
    let bands = rate_distribution(&snaps.iter().collect::<Vec<_>>());
    let mut set = SnapshotSet::from_simulation(snaps)?;
    if let ScenarioInputs::Zones { zones, .. } = &inputs {
        set.cluster_names = zones.iter().map(|z| z.name.clone()).collect();
    }
    let sim = Simulated {
        config,
        clusters,
        eviction_rate_bands: bands,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((sim, set))
}

/// Simulates every cluster of the inputs under `config` (already set for them).
fn run_clusters(
    config: &ScenarioConfig,
    inputs: &ScenarioInputs,
    make_decider: &(dyn Fn() -> Decider + Sync),
    threads: usize,
    progress: &dyn Progress,
) -> Result<Vec<ClusterRun>> {
    let on_done = |_: &ClusterSummary| progress.inc();
    let runs = match inputs {
        ScenarioInputs::Openb { arrivals, nodes } => {
            progress.begin(config.clusters as u64, "simulating clusters");
            scenario::simulate(config, arrivals, nodes, make_decider, threads, &on_done)
                .context_with(|| "simulating the eviction scenario".into())?
        }
        ScenarioInputs::Zones {
            zones,
            machine_types,
            headroom,
        } => {
            progress.begin(zones.len() as u64, "simulating zone clusters");
            scenario_zone::simulate_zones(config, zones, machine_types, *headroom, make_decider, threads, &on_done)
                .context_with(|| "simulating the zone clusters".into())?
        }
    };
    progress.finish();
    Ok(runs)
}

/// An openb pod list (`--pods`), as the scenario's arrivals.
pub fn read_openb_pods(path: &Path, opts: &ImportOptions) -> Result<Workload> {
    let paths = [path.to_path_buf()];
    let imported = hearth_trace::import_paths(hearth_trace::Format::AlibabaOpenb, &paths, opts)
        .context_with(|| format!("reading the openb pod list {}", path.display()))?;
    Ok(imported.workload)
}

/// An openb node list (`--nodes`), as the scenario's node shapes.
pub fn read_openb_nodes(path: &Path, opts: &ImportOptions) -> Result<Vec<Resources>> {
    let source = Source::open(path).context_with(|| format!("opening {}", path.display()))?;
    Ok(hearth_trace::formats::alibaba_openb::read_nodes(source, opts)?)
}
