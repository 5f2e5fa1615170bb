//! The hourly node-snapshot file: one documented schema that the simulator
//! writes (`hearth evict simulate --out`) and a capacity engineer's node
//! telemetry fills, so every model trains and forecasts the same way on both.
//! Parquet for real use, CSV for hand-made files; the format follows the file
//! name (`.csv` is CSV, anything else Parquet).
//!
//! # Schema (version 1)
//!
//! One row per node and hour. Units are in the names; `_count` columns hold
//! whole numbers.
//!
//! | column | Parquet type written (read: also) | meaning |
//! |---|---|---|
//! | `cluster` | `Utf8` (any string type, integers) | cluster name |
//! | `node` | `Utf8` (any string type, integers) | node name, unique within its cluster |
//! | `hour_start_utc_s` | `Int64` (any integer type) | start of the hour, seconds since 1970-01-01 UTC, a multiple of 3600 |
//! | `node_cores` | `Float32` (any number type) | the node's cores |
//! | `node_memory_gib` | `Float32` | the node's memory, GiB |
//! | `spot_vm_count` | `UInt32` (any number type) | spot VMs on the node at the end of the hour |
//! | `on_demand_vm_count` | `UInt32` | on-demand VMs on the node at the end of the hour |
//! | `spot_vm_cores` | `Float32` | cores requested by those spot VMs |
//! | `on_demand_vm_cores` | `Float32` | cores requested by those on-demand VMs |
//! | `spot_vm_memory_gib` | `Float32` | memory requested by those spot VMs, GiB |
//! | `on_demand_vm_memory_gib` | `Float32` | memory requested by those on-demand VMs, GiB |
//! | `evicted_vm_count` | `UInt32` | spot VMs evicted from the node during the hour |
//! | `evicted_vm_cores` | `Float32` | cores requested by the evicted spot VMs |
//! | `spot_vm_ran_count` | `UInt32` | distinct spot VMs that ran on the node during the hour, evicted ones included (the eviction rate's denominator) |
//!
//! The hour's eviction rate is `evicted_vm_count / spot_vm_ran_count` (0 when
//! no spot VM ran); a cluster's rate is the same ratio of sums over its nodes.
//! Parquet files carry the key-value metadata `hearth.snapshot_schema_version`
//! = `"1"` (optional on reading; another value is refused). Extra columns are
//! ignored. CSV files need a header row naming the columns (any order); lines
//! starting with `#` are comments; fields are trimmed.
//!
//! # Missing hours, appearing and disappearing nodes
//!
//! The file's hours run from its earliest `hour_start_utc_s` to its latest,
//! for every cluster. Rows may come in any order.
//! - **A node without a row in an hour in which its cluster has rows** is not
//!   in the cluster that hour: it counts as zero (no cores, no VMs, no
//!   evictions). This is how nodes appear and disappear.
//! - **An hour in which a cluster has no row at all** is a gap in the
//!   telemetry. Each node's state (the first eight measures) is carried
//!   forward from the cluster's previous hour (zero before its first row) and
//!   its events (evictions, evicted cores, spot VMs that ran) are zero. The
//!   hour is marked as a gap ([`SnapshotSet::gaps`]): no sample is trained on
//!   or scored against a gap hour as a target, and a cluster's forecast is
//!   made from its last hour that has rows.
//!
//! # Bad input
//!
//! Every error names the file, where (`line N` of a CSV file, `row group G,
//! row R` of a Parquet file, counted from 0 within the group), the field and
//! the reason: a missing column, a null, a value that is not a number, negative,
//! not finite, not whole in a `_count` column, an hour start that is not a
//! multiple of 3600, more evictions than spot VMs that ran, a duplicate
//! (cluster, node, hour). A file spanning more than [`MAX_NODE_HOURS`] node-hours
//! is refused before anything is allocated. A corrupt Parquet file is an
//! error, never a panic. Writing is atomic (temporary file, then rename).
//!
//! # Where the code is
//!
//! This module reads and writes whole files. The column names and limits and
//! [`SnapshotSet`] are in `snapshot_set.rs` (re-exported here), the row checks
//! and the gap rule in `snapshot_rows.rs`, the two formats in
//! `snapshot_csv.rs` and `snapshot_parquet.rs`.

use crate::error::{EvictError, Result};
use crate::{snapshot_csv, snapshot_parquet};
use std::path::Path;

pub use crate::snapshot_parquet::schema;
pub use crate::snapshot_set::{
    SnapshotSet, COL_CLUSTER, COL_HOUR, COL_NODE, HOUR_S, KEY_SCHEMA_VERSION, MAX_NODE_HOURS, MEASURES, ROWS_PER_GROUP,
    SCHEMA_VERSION,
};

/// Reads a snapshot file (Parquet, or CSV when the name ends in `.csv`).
pub fn read(path: &Path) -> Result<SnapshotSet> {
    let name = path.display().to_string();
    if is_csv(path) {
        return snapshot_csv::read_csv(path, &name);
    }
    // The Parquet decoder is not guaranteed panic-free on hostile bytes.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        snapshot_parquet::read_parquet(path, &name)
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown failure");
        Err(EvictError::snapshot(
            &name,
            "file",
            format!("corrupted Parquet file: {what}"),
        ))
    })
}

/// Writes the set (Parquet, or CSV when the name ends in `.csv`), atomically.
/// Gap hours get no rows, so reading the file back gives the same set.
pub fn write(path: &Path, set: &SnapshotSet) -> Result<()> {
    let name = path.display().to_string();
    let bytes = if is_csv(path) {
        snapshot_csv::csv_bytes(set, &name)?
    } else {
        snapshot_parquet::parquet_bytes(set, &name)?
    };
    hearth_file::atomic::write_atomic(path, &bytes)
        .map_err(|e| EvictError::snapshot(&name, "file", format!("cannot write: {e}")))
}

/// SHA-256 of a file's bytes, lowercase hex: how a saved model names the
/// snapshot file it was trained on.
pub fn file_sha256(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path)
        .map_err(|e| EvictError::snapshot(&path.display().to_string(), "file", format!("cannot read: {e}")))?;
    Ok(Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
}

fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}
