//! Window datasets over the snapshots, split by time.
//!
//! A sample `(cluster, end)` is made at the end of hour `end`: its input is the
//! 48-hour window of snapshots `end-47 ..= end` (oldest first), its targets the
//! cluster's eviction rates in hours `end+1`, `end+2`, `end+3`. Features are
//! derived by [`crate::snapshot::features_at`], which reads no hour after the
//! one it describes, so no input depends on anything at or after the
//! prediction time (`tests/no_leak.rs` checks this by perturbing the future).
//!
//! - Cluster level: the raw records are summed over the nodes, then the
//!   features (rates, utilisation) are recomputed from the sums.
//! - Node level: each node's own window; its target is its own rate. Node
//!   forecasts are aggregated to the cluster weighted by the node's spot VM
//!   count at the window's end (the last count known at prediction time).
//!
//! Splits: the hours are cut at `train` (~70%) and `validation` (~80%) of the
//! way. A sample belongs to the split that holds all three of its target
//! hours; samples whose targets straddle a cut are dropped, so no training
//! target lies in a later split. (Inputs of later samples may reach back into
//! earlier splits: that is the past, and allowed.)

use crate::error::{EvictError, Result};
use crate::snapshot::{features_at, raw, Bucket, ClusterSnapshots, F};
use serde::{Deserialize, Serialize};

/// Hours of history in one input window.
pub const WINDOW: usize = 48;
/// Forecast horizons: 1, 2 and 3 hours ahead.
pub const HORIZONS: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Validation,
    Test,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Cluster,
    Node,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Cluster => "cluster",
            Level::Node => "node",
        }
    }
}

/// One forecast to make: at the end of hour `end` of `cluster`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub cluster: usize,
    pub end: usize,
}

/// The hour cuts: targets of training samples lie in `0..train`, of
/// validation samples in `train..validation`, of test samples after.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Cuts {
    pub hours: usize,
    pub train: usize,
    pub validation: usize,
}

impl Cuts {
    pub fn new(hours: usize, train_fraction: f64, validation_fraction: f64) -> Cuts {
        let train = (hours as f64 * train_fraction).round() as usize;
        let validation = (hours as f64 * (train_fraction + validation_fraction)).round() as usize;
        Cuts {
            hours,
            train,
            validation: validation.max(train),
        }
    }

    /// The split holding all of a sample's target hours, if one does.
    pub fn split_of(&self, end: usize) -> Option<Split> {
        let (first, last) = (end + 1, end + HORIZONS);
        if last < self.train {
            Some(Split::Train)
        } else if first >= self.train && last < self.validation {
            Some(Split::Validation)
        } else if first >= self.validation && last < self.hours {
            Some(Split::Test)
        } else {
            None
        }
    }
}

/// All clusters' snapshots, their utilisation buckets and the samples of each split.
pub struct Dataset {
    pub clusters: Vec<ClusterSnapshots>,
    /// Per cluster, by mean allocated cores over the training hours (so the
    /// label uses no test-period information).
    pub buckets: Vec<Bucket>,
    pub cuts: Cuts,
    /// Clusters held out of training and validation, on which alone the
    /// test hours are scored ([`Dataset::hold_out_clusters`]); empty: none.
    pub test_clusters: Vec<usize>,
    train: Vec<Sample>,
    validation: Vec<Sample>,
    test: Vec<Sample>,
}

impl Dataset {
    /// Splits ~70/10/20 by time.
    pub fn new(clusters: Vec<ClusterSnapshots>) -> Result<Dataset> {
        Dataset::with_fractions(clusters, 0.7, 0.1)
    }

    pub fn with_fractions(clusters: Vec<ClusterSnapshots>, train: f64, validation: f64) -> Result<Dataset> {
        Dataset::with_gaps(clusters, &[], train, validation)
    }

    /// Like [`Dataset::with_fractions`], leaving out every sample with a
    /// target hour in a gap (`gaps[cluster][hour]`, see
    /// [`crate::snapshot_file`]; an empty `gaps` means none): its truth is unknown.
    pub fn with_gaps(
        clusters: Vec<ClusterSnapshots>,
        gaps: &[Vec<bool>],
        train: f64,
        validation: f64,
    ) -> Result<Dataset> {
        let hours = check_hours(&clusters)?;
        let cuts = Cuts::new(hours, train, validation);
        let gap = |c: usize, h: usize| gaps.get(c).and_then(|g| g.get(h)).copied().unwrap_or(false);
        let (mut tr, mut va, mut te) = (Vec::new(), Vec::new(), Vec::new());
        for end in WINDOW - 1..hours.saturating_sub(HORIZONS) {
            for cluster in 0..clusters.len() {
                if (end + 1..=end + HORIZONS).any(|h| gap(cluster, h)) {
                    continue;
                }
                let s = Sample { cluster, end };
                match cuts.split_of(end) {
                    Some(Split::Train) => tr.push(s),
                    Some(Split::Validation) => va.push(s),
                    Some(Split::Test) => te.push(s),
                    None => {}
                }
            }
        }
        if tr.is_empty() || te.is_empty() {
            return Err(EvictError::Config(format!(
                "{hours} hours give no training or no test windows: need more days (48-hour windows, 3-hour targets)"
            )));
        }
        let buckets = clusters
            .iter()
            .map(|c| Bucket::of(c.mean_allocation(0..cuts.train)))
            .collect();
        Ok(Dataset {
            clusters,
            buckets,
            cuts,
            test_clusters: Vec::new(),
            train: tr,
            validation: va,
            test: te,
        })
    }

    /// Snapshots to forecast from, with no samples of their own: callers
    /// pass the [`Sample`]s to forecast (any `end` from `WINDOW - 1`).
    /// Every hour counts as training hours for the buckets.
    pub fn for_forecast(clusters: Vec<ClusterSnapshots>) -> Result<Dataset> {
        let hours = check_hours(&clusters)?;
        let buckets = clusters
            .iter()
            .map(|c| Bucket::of(c.mean_allocation(0..hours)))
            .collect();
        Ok(Dataset {
            clusters,
            buckets,
            cuts: Cuts {
                hours,
                train: hours,
                validation: hours,
            },
            test_clusters: Vec::new(),
            train: Vec::new(),
            validation: Vec::new(),
            test: Vec::new(),
        })
    }

    /// Holds out `fraction` of the clusters, spread evenly over the clusters
    /// ranked by mean allocation over the training hours (so that every
    /// utilisation level is tested, with no test-hour information): no model
    /// trains or validates on them, and the test hours are scored on them
    /// alone, as a user's new clusters would be. Test samples then differ
    /// from training ones in cluster and in time.
    ///
    /// Errors: a fraction outside `[0, 1)`, or one that leaves no cluster to
    /// test on or none to train on.
    pub fn hold_out_clusters(&mut self, fraction: f64) -> Result<()> {
        if !(0.0..1.0).contains(&fraction) {
            return Err(EvictError::Config(format!(
                "--test-clusters {fraction}: expected a fraction of the clusters in [0, 1)"
            )));
        }
        if fraction == 0.0 {
            return Ok(());
        }
        let n = self.clusters.len();
        let mut ranked: Vec<(f64, usize)> = (0..n)
            .map(|i| (self.clusters[i].mean_allocation(0..self.cuts.train), i))
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut held: Vec<usize> = (0..n)
            .filter(|&j| ((j + 1) as f64 * fraction).floor() > (j as f64 * fraction).floor())
            .map(|j| ranked[j].1)
            .collect();
        held.sort_unstable();
        if held.is_empty() || held.len() == n {
            return Err(EvictError::Config(format!(
                "--test-clusters {fraction} of {n} clusters holds out {}: need at least one cluster to test on and one to train on",
                held.len()
            )));
        }
        self.train.retain(|s| !held.contains(&s.cluster));
        self.validation.retain(|s| !held.contains(&s.cluster));
        self.test.retain(|s| held.contains(&s.cluster));
        self.test_clusters = held;
        Ok(())
    }

    pub fn samples(&self, split: Split) -> &[Sample] {
        match split {
            Split::Train => &self.train,
            Split::Validation => &self.validation,
            Split::Test => &self.test,
        }
    }

    /// Values per flattened window row: [`WINDOW`] hours × [`F`] features.
    pub fn row_width(&self) -> usize {
        WINDOW * F
    }

    pub fn nodes(&self, cluster: usize) -> usize {
        self.clusters[cluster].nodes
    }

    /// The cluster's eviction rates at +1, +2, +3 hours.
    pub fn targets(&self, s: Sample) -> [f32; HORIZONS] {
        let c = &self.clusters[s.cluster];
        std::array::from_fn(|k| c.cluster_rate(s.end + 1 + k))
    }

    /// The node's own eviction rates at +1, +2, +3 hours.
    pub fn node_targets(&self, s: Sample, node: usize) -> [f32; HORIZONS] {
        let c = &self.clusters[s.cluster];
        std::array::from_fn(|k| c.node_rate(node, s.end + 1 + k))
    }

    /// The cluster's eviction rate in the window's last hour (known at prediction time).
    pub fn last_rate(&self, s: Sample) -> f32 {
        self.clusters[s.cluster].cluster_rate(s.end)
    }

    /// Weight of a node when aggregating node forecasts: its spot VM count at the window's end.
    pub fn node_weight(&self, s: Sample, node: usize) -> f32 {
        self.clusters[s.cluster].node(node, s.end)[raw::SPOT_VM_COUNT]
    }

    /// Writes the cluster-level window (hours oldest first, [`F`] features each) into `out`.
    pub fn cluster_window(&self, s: Sample, out: &mut [f32]) {
        let c = &self.clusters[s.cluster];
        window(|t| c.cluster(t), s.end, out);
    }

    /// Writes one node's window into `out`.
    pub fn node_window(&self, s: Sample, node: usize, out: &mut [f32]) {
        let c = &self.clusters[s.cluster];
        window(|t| c.node(node, t), s.end, out);
    }

    /// Aggregates per-node forecasts to the cluster, weighted by spot VM
    /// count; the plain mean when no node holds a spot VM.
    pub fn aggregate(&self, s: Sample, per_node: &[[f32; HORIZONS]]) -> [f32; HORIZONS] {
        let weights: Vec<f32> = (0..per_node.len()).map(|n| self.node_weight(s, n)).collect();
        let total: f32 = weights.iter().sum();
        std::array::from_fn(|k| {
            if total > 0.0 {
                per_node.iter().zip(&weights).map(|(p, w)| p[k] * w).sum::<f32>() / total
            } else {
                per_node.iter().map(|p| p[k]).sum::<f32>() / per_node.len().max(1) as f32
            }
        })
    }
}

fn check_hours(clusters: &[ClusterSnapshots]) -> Result<usize> {
    let hours = clusters.first().map(|c| c.hours).unwrap_or(0);
    if clusters.iter().any(|c| c.hours != hours) {
        return Err(EvictError::Config("clusters differ in hours".into()));
    }
    Ok(hours)
}

fn window<'a>(record: impl Fn(usize) -> &'a [f32] + Copy, end: usize, out: &mut [f32]) {
    debug_assert_eq!(out.len(), WINDOW * F);
    let start = end + 1 - WINDOW;
    for (i, t) in (start..=end).enumerate() {
        features_at(record, t, &mut out[i * F..(i + 1) * F]);
    }
}
