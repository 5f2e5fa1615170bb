//! Where `hearth evict dataset|train|eval|run` get their hourly node
//! snapshots: the simulated scenario, or a snapshot file (`--snapshots`).

use crate::evict_cmd::{print_bands, print_scenario, simulate, ScenarioArgs, Simulated};
use anyhow::{Context, Result};
use clap::Args;
use hearth_evict::forecast::iso_utc;
use hearth_evict::snapshot::{rate_distribution, RateDistribution};
use hearth_evict::snapshot_file::{self, SnapshotSet};
use hearth_evict::Dataset;
use serde::Serialize;
use std::path::{Path, PathBuf};

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
}

/// A snapshot file, summarised.
#[derive(Serialize)]
pub struct FileSummary {
    pub path: String,
    pub sha256: String,
    pub clusters: usize,
    pub nodes: usize,
    pub hours: usize,
    pub first_hour: String,
    /// Cluster-hours without rows, filled by the gap rule.
    pub gap_cluster_hours: usize,
    pub eviction_rate_bands: Vec<RateDistribution>,
}

/// Where the snapshots came from.
#[derive(Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum InputSummary {
    Simulated(Simulated),
    File(FileSummary),
}

/// The snapshots as a split dataset, with what produced them.
pub struct Loaded {
    pub summary: InputSummary,
    pub first_hour_s: i64,
    pub data: Dataset,
}

/// Simulates or reads, prints a summary, and splits by time (70/10/20).
pub fn load(args: &InputArgs) -> Result<Loaded> {
    let (summary, set) = match &args.snapshots {
        None => {
            let (sim, set) = simulate(&args.scenario)?;
            print_scenario(&sim);
            (InputSummary::Simulated(sim), set)
        }
        Some(path) => {
            let set = read(path)?;
            let summary = summarise(path, &set)?;
            print_file(&summary);
            (InputSummary::File(summary), set)
        }
    };
    let first_hour_s = set.first_hour_s;
    let data = Dataset::with_gaps(set.clusters, &set.gaps, 0.7, 0.1).context("building the window datasets")?;
    Ok(Loaded {
        summary,
        first_hour_s,
        data,
    })
}

/// Reads a snapshot file, naming it in the error.
pub fn read(path: &Path) -> Result<SnapshotSet> {
    snapshot_file::read(path).with_context(|| format!("reading the snapshot file {}", path.display()))
}

fn summarise(path: &Path, set: &SnapshotSet) -> Result<FileSummary> {
    Ok(FileSummary {
        path: path.display().to_string(),
        sha256: snapshot_file::file_sha256(path)?,
        clusters: set.clusters.len(),
        nodes: set.clusters.iter().map(|c| c.nodes).sum(),
        hours: set.hours,
        first_hour: iso_utc(set.first_hour_s),
        gap_cluster_hours: set.gaps.iter().flatten().filter(|&&g| g).count(),
        eviction_rate_bands: rate_distribution(&set.clusters.iter().collect::<Vec<_>>()),
    })
}

fn print_file(s: &FileSummary) {
    println!(
        "{}: {} clusters, {} nodes, {} hours from {} ({} cluster-hours without rows, filled by the gap rule)",
        s.path, s.clusters, s.nodes, s.hours, s.first_hour, s.gap_cluster_hours
    );
    print_bands(&s.eviction_rate_bands);
}
