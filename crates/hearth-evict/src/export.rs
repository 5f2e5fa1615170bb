//! Tables for other tools, as CSV rows: the cluster-hour series of
//! `hearth evict simulate --csv` and the flattened 48-hour windows of
//! `hearth evict dataset`. The caller writes them (atomically, as every
//! result file); values are written with Rust's shortest round-trip format.

use crate::dataset::{Dataset, Split, HORIZONS, WINDOW};
use crate::error::{Context, Result};
use crate::snapshot::{raw, ClusterSnapshots, FEATURES};

/// A header and rows of text fields.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Every cluster's hours: bucket, eviction rate, allocated share, counts.
pub fn cluster_hours(clusters: Vec<ClusterSnapshots>) -> Result<Table> {
    let data = Dataset::new(clusters).context_with(|| "building the window datasets".into())?;
    let mut rows = Vec::new();
    for (c, s) in data.clusters.iter().enumerate() {
        for h in 0..s.hours {
            let r = s.cluster(h);
            let alloc = (r[raw::SPOT_VM_CORES] + r[raw::ON_DEMAND_VM_CORES]) / r[raw::NODE_CORES].max(1.0);
            rows.push(vec![
                c.to_string(),
                h.to_string(),
                data.buckets[c].name().to_string(),
                s.cluster_rate(h).to_string(),
                alloc.to_string(),
                r[raw::SPOT_VM_COUNT].to_string(),
                r[raw::ON_DEMAND_VM_COUNT].to_string(),
                r[raw::SPOT_RAN].to_string(),
                r[raw::EVICTIONS].to_string(),
            ]);
        }
    }
    let header = [
        "cluster",
        "hour",
        "bucket",
        "eviction_rate",
        "allocated",
        "spot_vm_count",
        "on_demand_vm_count",
        "spot_vms_ran",
        "evictions",
    ];
    Ok(Table {
        header: header.map(String::from).to_vec(),
        rows,
    })
}

/// The cluster-level dataset: one flattened window per row (oldest hour
/// first), with its split, cluster, end hour, bucket and targets.
pub fn windows(data: &Dataset) -> Table {
    let mut header = vec![
        "split".to_string(),
        "cluster".into(),
        "end_hour".into(),
        "bucket".into(),
    ];
    for lag in (0..WINDOW).rev() {
        header.extend(FEATURES.iter().map(|f| format!("{f}_t-{lag}")));
    }
    header.extend((1..=HORIZONS).map(|k| format!("target_rate_h{k}")));
    let mut rows = Vec::new();
    let mut buf = vec![0.0f32; data.row_width()];
    for split in [Split::Train, Split::Validation, Split::Test] {
        for &s in data.samples(split) {
            data.cluster_window(s, &mut buf);
            let mut row = vec![
                format!("{split:?}").to_lowercase(),
                s.cluster.to_string(),
                s.end.to_string(),
                data.buckets[s.cluster].name().to_string(),
            ];
            row.extend(buf.iter().map(|v| v.to_string()));
            row.extend(data.targets(s).iter().map(|v| v.to_string()));
            rows.push(row);
        }
    }
    Table { header, rows }
}
