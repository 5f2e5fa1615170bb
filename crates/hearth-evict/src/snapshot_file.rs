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

use crate::error::{EvictError, Result};
use crate::snapshot::{raw, ClusterSnapshots};
use arrow_array::builder::{Float32Builder, Int64Builder, StringBuilder, UInt32Builder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

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
const STATE_MEASURES: usize = 8;
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

/// Reads a snapshot file (Parquet, or CSV when the name ends in `.csv`).
pub fn read(path: &Path) -> Result<SnapshotSet> {
    let name = path.display().to_string();
    if is_csv(path) {
        return read_csv(path, &name);
    }
    // The Parquet decoder is not guaranteed panic-free on hostile bytes.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_parquet(path, &name))).unwrap_or_else(|panic| {
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
        csv_bytes(set, &name)?
    } else {
        parquet_bytes(set, &name)?
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

// ---------------------------------------------------------------- assembling rows

/// Where a row is in its file.
#[derive(Clone, Copy, Debug)]
enum Place {
    Line(u64),
    Group { group: usize, row: usize },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(l) => write!(f, "line {l}"),
            Place::Group { group, row } => write!(f, "row group {group}, row {row}"),
        }
    }
}

struct Row {
    cluster: u32,
    node: u32,
    hour_s: i64,
    values: [f32; raw::WIDTH],
    place: Place,
}

/// Checks rows as they are read and assembles them into a [`SnapshotSet`].
struct Assembler<'a> {
    file: &'a str,
    cluster_index: HashMap<String, u32>,
    cluster_names: Vec<String>,
    node_index: Vec<HashMap<String, u32>>,
    node_names: Vec<Vec<String>>,
    rows: Vec<Row>,
}

impl<'a> Assembler<'a> {
    fn new(file: &'a str) -> Self {
        Assembler {
            file,
            cluster_index: HashMap::new(),
            cluster_names: Vec::new(),
            node_index: Vec::new(),
            node_names: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn field_err(&self, place: Place, field: &str, reason: impl fmt::Display) -> EvictError {
        EvictError::snapshot(self.file, format!("{place}: field `{field}`"), reason.to_string())
    }

    fn push(&mut self, place: Place, cluster: &str, node: &str, hour_s: i64, values: [f64; raw::WIDTH]) -> Result<()> {
        if cluster.is_empty() {
            return Err(self.field_err(place, COL_CLUSTER, "is empty"));
        }
        if node.is_empty() {
            return Err(self.field_err(place, COL_NODE, "is empty"));
        }
        if hour_s.rem_euclid(HOUR_S) != 0 {
            return Err(self.field_err(
                place,
                COL_HOUR,
                format!("{hour_s} is not an hour start (a multiple of 3600 s)"),
            ));
        }
        let mut out = [0.0f32; raw::WIDTH];
        for (k, (&v, &(field, count))) in values.iter().zip(&MEASURES).enumerate() {
            if !v.is_finite() || v < 0.0 || v > f32::MAX as f64 {
                return Err(self.field_err(place, field, format!("{v} is not a finite non-negative number")));
            }
            if count && v.fract() != 0.0 {
                return Err(self.field_err(place, field, format!("{v} is not a whole number")));
            }
            out[k] = v as f32;
        }
        if out[raw::EVICTIONS] > out[raw::SPOT_RAN] {
            return Err(self.field_err(
                place,
                MEASURES[raw::EVICTIONS].0,
                format!(
                    "{} evicted but only {} spot VMs ran (`spot_vm_ran_count` counts evicted VMs too)",
                    out[raw::EVICTIONS],
                    out[raw::SPOT_RAN]
                ),
            ));
        }
        let c = self.intern_cluster(cluster);
        let n = self.intern_node(c, node);
        self.rows.push(Row {
            cluster: c,
            node: n,
            hour_s,
            values: out,
            place,
        });
        Ok(())
    }

    fn intern_cluster(&mut self, name: &str) -> u32 {
        if let Some(&c) = self.cluster_index.get(name) {
            return c;
        }
        let c = self.cluster_names.len() as u32;
        self.cluster_index.insert(name.to_string(), c);
        self.cluster_names.push(name.to_string());
        self.node_index.push(HashMap::new());
        self.node_names.push(Vec::new());
        c
    }

    fn intern_node(&mut self, c: u32, name: &str) -> u32 {
        let c = c as usize;
        if let Some(&n) = self.node_index[c].get(name) {
            return n;
        }
        let n = self.node_names[c].len() as u32;
        self.node_index[c].insert(name.to_string(), n);
        self.node_names[c].push(name.to_string());
        n
    }

    fn finish(self) -> Result<SnapshotSet> {
        let file_err = |reason: String| EvictError::snapshot(self.file, "file", reason);
        let (Some(first), Some(last)) = (
            self.rows.iter().map(|r| r.hour_s).min(),
            self.rows.iter().map(|r| r.hour_s).max(),
        ) else {
            return Err(file_err("no rows".into()));
        };
        let nodes: usize = self.node_names.iter().map(Vec::len).sum();
        let hours = usize::try_from((last as i128 - first as i128) / HOUR_S as i128 + 1).unwrap_or(usize::MAX);
        if hours.saturating_mul(nodes) > MAX_NODE_HOURS {
            return Err(file_err(format!(
                "{nodes} nodes over {hours} hours ({first} s to {last} s) exceed {MAX_NODE_HOURS} node-hours"
            )));
        }
        let mut raws: Vec<Vec<f32>> = self
            .node_names
            .iter()
            .map(|n| vec![0.0; n.len() * hours * raw::WIDTH])
            .collect();
        let mut filled: Vec<Vec<u32>> = self.node_names.iter().map(|n| vec![0; n.len() * hours]).collect();
        let mut present = vec![vec![false; hours]; self.cluster_names.len()];
        for (i, r) in self.rows.iter().enumerate() {
            let (c, n, h) = (
                r.cluster as usize,
                r.node as usize,
                ((r.hour_s - first) / HOUR_S) as usize,
            );
            let slot = n * hours + h;
            if let Some(earlier) = filled[c][slot].checked_sub(1) {
                return Err(EvictError::snapshot(
                    self.file,
                    r.place.to_string(),
                    format!(
                        "duplicate row for cluster {:?}, node {:?}, hour {}: first at {}",
                        self.cluster_names[c], self.node_names[c][n], r.hour_s, self.rows[earlier as usize].place
                    ),
                ));
            }
            filled[c][slot] = i as u32 + 1;
            raws[c][slot * raw::WIDTH..(slot + 1) * raw::WIDTH].copy_from_slice(&r.values);
            present[c][h] = true;
        }
        let clusters = raws
            .into_iter()
            .enumerate()
            .map(|(c, mut node_raw)| {
                let nodes = self.node_names[c].len();
                carry_over_gaps(&mut node_raw, nodes, hours, &present[c]);
                let mut s = ClusterSnapshots {
                    cluster: c,
                    nodes,
                    hours,
                    node_raw,
                    cluster_raw: vec![0.0; hours * raw::WIDTH],
                };
                s.resum();
                s
            })
            .collect();
        Ok(SnapshotSet {
            first_hour_s: first,
            hours,
            clusters,
            cluster_names: self.cluster_names,
            node_names: self.node_names,
            gaps: present
                .into_iter()
                .map(|p| p.into_iter().map(|x| !x).collect())
                .collect(),
        })
    }
}

/// The gap rule: a cluster-hour without rows keeps each node's state of the
/// previous hour, with no events.
fn carry_over_gaps(node_raw: &mut [f32], nodes: usize, hours: usize, present: &[bool]) {
    let gaps = present.iter().enumerate().skip(1).filter(|(_, &p)| !p).map(|(h, _)| h);
    for h in gaps {
        for n in 0..nodes {
            let (prev, now) = ((n * hours + h - 1) * raw::WIDTH, (n * hours + h) * raw::WIDTH);
            node_raw.copy_within(prev..prev + STATE_MEASURES, now);
        }
    }
}

// ---------------------------------------------------------------- CSV

fn read_csv(path: &Path, name: &str) -> Result<SnapshotSet> {
    let file = File::open(path).map_err(|e| EvictError::snapshot(name, "file", format!("cannot open: {e}")))?;
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(file);
    let header = reader
        .headers()
        .map_err(|e| EvictError::snapshot(name, "header", e.to_string()))?
        .clone();
    let column = |col: &str| {
        header.iter().position(|h| h == col).ok_or_else(|| {
            EvictError::snapshot(
                name,
                "header",
                format!("missing column `{col}` (needed: {})", all_columns().join(", ")),
            )
        })
    };
    let (ci, ni, hi) = (column(COL_CLUSTER)?, column(COL_NODE)?, column(COL_HOUR)?);
    let mi: Vec<usize> = MEASURES.iter().map(|(m, _)| column(m)).collect::<Result<_>>()?;
    let mut asm = Assembler::new(name);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let place = e
                    .position()
                    .map_or("file".to_string(), |p| Place::Line(p.line()).to_string());
                return Err(EvictError::snapshot(name, place, e.to_string()));
            }
        }
        let place = Place::Line(record.position().map_or(0, |p| p.line()));
        let hour = &record[hi];
        let hour_s: i64 = hour
            .parse()
            .map_err(|_| asm.field_err(place, COL_HOUR, format!("{hour:?} is not a whole number of seconds")))?;
        let mut values = [0.0f64; raw::WIDTH];
        for (k, &i) in mi.iter().enumerate() {
            let v = &record[i];
            values[k] = v
                .parse()
                .map_err(|_| asm.field_err(place, MEASURES[k].0, format!("{v:?} is not a number")))?;
        }
        let (cluster, node) = (record[ci].to_string(), record[ni].to_string());
        asm.push(place, &cluster, &node, hour_s, values)?;
    }
    asm.finish()
}

fn all_columns() -> Vec<&'static str> {
    [COL_CLUSTER, COL_NODE, COL_HOUR]
        .into_iter()
        .chain(MEASURES.iter().map(|(m, _)| *m))
        .collect()
}

/// Present hours of each cluster as rows, in cluster, hour, node order.
fn rows_of(set: &SnapshotSet) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    set.clusters.iter().enumerate().flat_map(move |(c, s)| {
        (0..set.hours)
            .filter(move |&h| !set.gaps[c][h])
            .flat_map(move |h| (0..s.nodes).map(move |n| (c, h, n)))
    })
}

fn csv_bytes(set: &SnapshotSet, name: &str) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| EvictError::snapshot(name, "file", format!("writing CSV: {e}"));
    w.write_record(all_columns()).map_err(err)?;
    for (c, h, n) in rows_of(set) {
        let v = set.clusters[c].node(n, h);
        let mut rec = vec![
            set.cluster_names[c].clone(),
            set.node_names[c][n].clone(),
            set.hour_start_s(h).to_string(),
        ];
        rec.extend(v.iter().map(|x| x.to_string()));
        w.write_record(&rec).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| EvictError::snapshot(name, "file", format!("writing CSV: {e}")))
}

// ---------------------------------------------------------------- Parquet

/// The Arrow schema written (without metadata).
pub fn schema() -> SchemaRef {
    let mut fields = vec![
        Field::new(COL_CLUSTER, DataType::Utf8, false),
        Field::new(COL_NODE, DataType::Utf8, false),
        Field::new(COL_HOUR, DataType::Int64, false),
    ];
    fields.extend(
        MEASURES
            .iter()
            .map(|&(m, count)| Field::new(m, if count { DataType::UInt32 } else { DataType::Float32 }, false)),
    );
    Arc::new(Schema::new(fields))
}

fn parquet_bytes(set: &SnapshotSet, name: &str) -> Result<Vec<u8>> {
    let pq = |e: parquet::errors::ParquetError| EvictError::snapshot(name, "file", format!("writing Parquet: {e}"));
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(pq)?))
        .set_max_row_group_row_count(Some(ROWS_PER_GROUP))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            KEY_SCHEMA_VERSION.to_string(),
            SCHEMA_VERSION.to_string(),
        )]))
        .build();
    let schema = schema();
    let mut writer = ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).map_err(pq)?;
    let rows: Vec<(usize, usize, usize)> = rows_of(set).collect();
    for chunk in rows.chunks(ROWS_PER_GROUP) {
        let batch = to_batch(set, &schema, chunk)
            .map_err(|e| EvictError::snapshot(name, "file", format!("building a batch: {e}")))?;
        writer.write(&batch).map_err(pq)?;
    }
    writer.into_inner().map_err(pq)
}

fn to_batch(
    set: &SnapshotSet,
    schema: &SchemaRef,
    rows: &[(usize, usize, usize)],
) -> std::result::Result<RecordBatch, arrow_schema::ArrowError> {
    let mut cluster = StringBuilder::new();
    let mut node = StringBuilder::new();
    let mut hour = Int64Builder::with_capacity(rows.len());
    for &(c, h, n) in rows {
        cluster.append_value(&set.cluster_names[c]);
        node.append_value(&set.node_names[c][n]);
        hour.append_value(set.hour_start_s(h));
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(cluster.finish()),
        Arc::new(node.finish()),
        Arc::new(hour.finish()),
    ];
    for (k, &(_, count)) in MEASURES.iter().enumerate() {
        let value = |&(c, h, n): &(usize, usize, usize)| set.clusters[c].node(n, h)[k];
        columns.push(if count {
            let mut b = UInt32Builder::with_capacity(rows.len());
            rows.iter().for_each(|r| b.append_value(value(r) as u32));
            Arc::new(b.finish())
        } else {
            let mut b = Float32Builder::with_capacity(rows.len());
            rows.iter().for_each(|r| b.append_value(value(r)));
            Arc::new(b.finish())
        });
    }
    RecordBatch::try_new(schema.clone(), columns)
}

/// What a column may hold in a file.
#[derive(Clone, Copy)]
enum Kind {
    Name,
    WholeNumber,
    Number,
}

fn accepts(kind: Kind, t: &DataType) -> bool {
    let text = |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    match kind {
        Kind::Name => t.is_integer() || text(t) || matches!(t, DataType::Dictionary(_, v) if text(v)),
        Kind::WholeNumber => t.is_integer(),
        Kind::Number => t.is_integer() || t.is_floating(),
    }
}

fn read_parquet(path: &Path, name: &str) -> Result<SnapshotSet> {
    let open = || File::open(path).map_err(|e| EvictError::snapshot(name, "file", format!("cannot open: {e}")));
    let not_parquet = |e: parquet::errors::ParquetError| {
        EvictError::snapshot(name, "file", format!("not a readable Parquet file: {e}"))
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(open()?).map_err(not_parquet)?;
    let kv = builder.metadata().file_metadata().key_value_metadata();
    if let Some(v) = kv.and_then(|kv| kv.iter().find(|k| k.key == KEY_SCHEMA_VERSION)) {
        if v.value.as_deref() != Some(SCHEMA_VERSION) {
            return Err(EvictError::snapshot(
                name,
                "metadata",
                format!(
                    "`{KEY_SCHEMA_VERSION}` is {:?}; this build reads version {SCHEMA_VERSION}",
                    v.value
                ),
            ));
        }
    }
    let schema = builder.schema().clone();
    let mut wanted = Vec::new();
    let kinds = [
        (COL_CLUSTER, Kind::Name),
        (COL_NODE, Kind::Name),
        (COL_HOUR, Kind::WholeNumber),
    ]
    .into_iter()
    .chain(MEASURES.iter().map(|(m, _)| (*m, Kind::Number)));
    for (col, kind) in kinds {
        let (i, field) = schema.column_with_name(col).ok_or_else(|| {
            EvictError::snapshot(
                name,
                "schema",
                format!("missing column `{col}` (needed: {})", all_columns().join(", ")),
            )
        })?;
        if !accepts(kind, field.data_type()) {
            return Err(EvictError::snapshot(
                name,
                "schema",
                format!(
                    "column `{col}` has type {}, which is not read as this column",
                    field.data_type()
                ),
            ));
        }
        wanted.push(i);
    }
    let top_level = builder.parquet_schema().root_schema().get_fields().len();
    if top_level != schema.fields().len() {
        return Err(EvictError::snapshot(
            name,
            "schema",
            "nested columns are not part of the schema",
        ));
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), wanted);
    let groups = builder.metadata().num_row_groups();
    let mut asm = Assembler::new(name);
    for group in 0..groups {
        let reader = ParquetRecordBatchReaderBuilder::try_new(open()?)
            .map_err(not_parquet)?
            .with_projection(mask.clone())
            .with_row_groups(vec![group])
            .build()
            .map_err(not_parquet)?;
        let mut base = 0;
        for batch in reader {
            let batch = batch
                .map_err(|e| EvictError::snapshot(name, format!("row group {group}"), format!("cannot decode: {e}")))?;
            push_batch(&mut asm, &batch, group, base)?;
            base += batch.num_rows();
        }
    }
    asm.finish()
}

/// The batch's column `col` cast to `to`; a null, or a value the cast cannot
/// carry, is an error naming its row.
fn column(
    asm: &Assembler,
    batch: &RecordBatch,
    col: &str,
    to: &DataType,
    group: usize,
    base: usize,
) -> Result<ArrayRef> {
    let place = |row: usize| Place::Group { group, row: base + row };
    let array = batch.column_by_name(col).ok_or_else(|| {
        EvictError::snapshot(
            asm.file,
            format!("row group {group}"),
            format!("column `{col}` missing"),
        )
    })?;
    if let Some(row) = (0..array.len()).find(|&i| array.is_null(i)) {
        return Err(asm.field_err(place(row), col, "is null"));
    }
    let cast =
        arrow_cast::cast(array, to).map_err(|e| asm.field_err(place(0), col, format!("cannot read as {to}: {e}")))?;
    if let Some(row) = (0..cast.len()).find(|&i| cast.is_null(i)) {
        return Err(asm.field_err(place(row), col, format!("does not fit {to}")));
    }
    Ok(cast)
}

fn push_batch(asm: &mut Assembler, batch: &RecordBatch, group: usize, base: usize) -> Result<()> {
    let clusters = column(asm, batch, COL_CLUSTER, &DataType::Utf8, group, base)?;
    let nodes = column(asm, batch, COL_NODE, &DataType::Utf8, group, base)?;
    let hours = column(asm, batch, COL_HOUR, &DataType::Int64, group, base)?;
    let measures: Vec<ArrayRef> = MEASURES
        .iter()
        .map(|(m, _)| column(asm, batch, m, &DataType::Float64, group, base))
        .collect::<Result<_>>()?;
    let (clusters, nodes) = (clusters.as_string::<i32>(), nodes.as_string::<i32>());
    let hours = hours.as_primitive::<Int64Type>();
    let measures: Vec<_> = measures.iter().map(|a| a.as_primitive::<Float64Type>()).collect();
    for i in 0..batch.num_rows() {
        let values = std::array::from_fn(|k| measures[k].value(i));
        let place = Place::Group { group, row: base + i };
        asm.push(place, clusters.value(i), nodes.value(i), hours.value(i), values)?;
    }
    Ok(())
}
