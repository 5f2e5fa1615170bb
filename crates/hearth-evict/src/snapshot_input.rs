//! Where `hearth evict dataset|train|eval|run` get their hourly node
//! snapshots: the simulated scenario ([`crate::scenario_run`]) or a snapshot
//! file, summarised for the user and the JSON, and split by time.

use crate::dataset::Dataset;
use crate::error::{Context, Result};
use crate::forecast::iso_utc;
use crate::scenario_run::Simulated;
use crate::snapshot::{rate_distribution, RateDistribution};
use crate::snapshot_file::{self, SnapshotSet};
use serde::Serialize;
use std::path::Path;

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

impl Loaded {
    /// Splits the snapshots by time (70/10/20), leaving out gap hours as
    /// targets, and holds out `test_clusters` of the clusters
    /// ([`Dataset::hold_out_clusters`]; 0: none).
    pub fn split(summary: InputSummary, set: SnapshotSet, test_clusters: f64) -> Result<Loaded> {
        let first_hour_s = set.first_hour_s;
        let mut data = Dataset::with_gaps(set.clusters, &set.gaps, 0.7, 0.1)
            .context_with(|| "building the window datasets".into())?;
        data.hold_out_clusters(test_clusters)?;
        Ok(Loaded {
            summary,
            first_hour_s,
            data,
        })
    }
}

/// Reads a snapshot file, naming it in the error.
pub fn read(path: &Path) -> Result<SnapshotSet> {
    snapshot_file::read(path).context_with(|| format!("reading the snapshot file {}", path.display()))
}

/// The file's summary: its checksum, size, first hour, gaps and rate bands.
pub fn summarise(path: &Path, set: &SnapshotSet) -> Result<FileSummary> {
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
