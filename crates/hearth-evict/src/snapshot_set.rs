//! The snapshot schema's names and limits, and [`SnapshotSet`], the hourly
//! node snapshots of a file in memory: shared by the file's readers and
//! writers ([`crate::snapshot_file`] documents the schema itself).

use crate::error::{EvictError, Result};
use crate::snapshot::{raw, ClusterSnapshots};

pub const SCHEMA_VERSION: &str = "1";
pub const KEY_SCHEMA_VERSION: &str = "hearth.snapshot_schema_version";
pub const COL_CLUSTER: &str = "cluster";
pub const COL_NODE: &str = "node";
pub const COL_HOUR: &str = "hour_start_utc_s";
/// Seconds in an hour: hour starts are multiples of it.
pub const HOUR_S: i64 = 3600;
/// The measure columns in [`raw`] order, and whether each holds a count.
pub const MEASURES: [(&str, bool); raw::WIDTH] = [
    ("node_cores", false),
    ("node_memory_gib", false),
    ("spot_vm_count", true),
    ("on_demand_vm_count", true),
    ("spot_vm_cores", false),
    ("on_demand_vm_cores", false),
    ("spot_vm_memory_gib", false),
    ("on_demand_vm_memory_gib", false),
    ("evicted_vm_count", true),
    ("evicted_vm_cores", false),
    ("spot_vm_ran_count", true),
];
/// Measures that describe the state at the hour's end (carried over a gap).
pub(crate) const STATE_MEASURES: usize = 8;
/// Most node-hours a file may span (the study scale is 20 × 600 × 336 ≈ 4 M).
pub const MAX_NODE_HOURS: usize = 50_000_000;
/// Rows per Parquet row group written.
pub const ROWS_PER_GROUP: usize = 65_536;

/// The snapshots of a file: every cluster over the file's hours.
#[derive(Clone, Debug)]
pub struct SnapshotSet {
    /// Start of hour 0, seconds since 1970-01-01 UTC.
    pub first_hour_s: i64,
    /// Hours from the file's first to its last, the same for every cluster.
    pub hours: usize,
    /// Cluster `i` has `clusters[i].cluster == i`.
    pub clusters: Vec<ClusterSnapshots>,
    pub cluster_names: Vec<String>,
    /// Per cluster, its nodes' names in node order (order of first appearance).
    pub node_names: Vec<Vec<String>>,
    /// Per cluster and hour: true where the file has no row of the cluster.
    pub gaps: Vec<Vec<bool>>,
}

impl SnapshotSet {
    /// Simulated clusters: named by index, nodes by index, hour 0 starting
    /// at 0 s (1970-01-01T00:00Z), no gaps.
    pub fn from_simulation(clusters: Vec<ClusterSnapshots>) -> Result<SnapshotSet> {
        let hours = clusters.first().map_or(0, |c| c.hours);
        if clusters.iter().any(|c| c.hours != hours) {
            return Err(EvictError::Config("clusters differ in hours".into()));
        }
        Ok(SnapshotSet {
            first_hour_s: 0,
            hours,
            cluster_names: (0..clusters.len()).map(|c| c.to_string()).collect(),
            node_names: clusters
                .iter()
                .map(|c| (0..c.nodes).map(|n| n.to_string()).collect())
                .collect(),
            gaps: vec![vec![false; hours]; clusters.len()],
            clusters,
        })
    }

    /// Start of hour `h`, seconds since 1970-01-01 UTC.
    pub fn hour_start_s(&self, h: usize) -> i64 {
        self.first_hour_s + h as i64 * HOUR_S
    }

    /// The cluster's last hour that has rows in the file.
    pub fn last_present_hour(&self, cluster: usize) -> Option<usize> {
        self.gaps[cluster].iter().rposition(|&gap| !gap)
    }
}

/// Every column the schema needs, key columns first, in [`MEASURES`] order.
pub(crate) fn all_columns() -> Vec<&'static str> {
    [COL_CLUSTER, COL_NODE, COL_HOUR]
        .into_iter()
        .chain(MEASURES.iter().map(|(m, _)| *m))
        .collect()
}

/// Present hours of each cluster as rows, in cluster, hour, node order.
pub(crate) fn rows_of(set: &SnapshotSet) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    set.clusters.iter().enumerate().flat_map(move |(c, s)| {
        (0..set.hours)
            .filter(move |&h| !set.gaps[c][h])
            .flat_map(move |h| (0..s.nodes).map(move |n| (c, h, n)))
    })
}
