//! The canonical workload on disk: one Parquet file.
//!
//! # Format (schema version 2)
//!
//! One row per VM, in the workload's order (sorted by arrival step, ids
//! `0..n`). All columns but `tenant` and `vm_type` are required (non-nullable):
//!
//! | column               | type            | meaning                                                    |
//! | -------------------- | --------------- | ---------------------------------------------------------- |
//! | `id`                 | `UInt32`        | VM id, equal to the row index                              |
//! | `arrival_step`       | `UInt32`        | first step the VM runs                                     |
//! | `departure_step`     | `UInt32`        | first step the VM is gone (it runs `arrival..departure`)   |
//! | `cpu_request_cores`  | `Float32`       | requested CPU, cores                                       |
//! | `memory_request_gib` | `Float32`       | requested memory, GiB                                      |
//! | `priority`           | `Utf8`          | `"on-demand"` or `"spot"`                                  |
//! | `tenant`             | `UInt32`, nullable | the VM's tenant ([`crate::TenantId`]); null where the trace has none |
//! | `vm_type`            | `UInt32`, nullable | the VM's type ([`crate::VmTypeId`]); null where the trace has none |
//! | `cpu_usage_cores`    | `List<Float32>` | CPU cores used at each step of the VM's life (index 0 = arrival step) |
//! | `memory_usage_gib`   | `List<Float32>` | memory GiB used at each step of the VM's life              |
//!
//! Both usage lists have exactly `departure_step - arrival_step` elements.
//! The list item field is named `item` and is non-nullable.
//!
//! Key-value metadata of the Parquet file (all values are strings):
//!
//! | key                       | value                                                       |
//! | ------------------------- | ----------------------------------------------------------- |
//! | `hearth.schema_version`   | `"2"` (version 1, which had no `tenant` and `vm_type` columns, is still read) |
//! | `hearth.step_seconds`     | length of one step in seconds, a positive integer           |
//! | `hearth.observed_from_step` | first step of the observation window ([`Workload::observed_from`]) |
//! | `hearth.provenance`       | the [`Provenance`](crate::Provenance) as JSON: a list of steps, each an object with `action` and its details |
//!
//! Files are ZSTD-compressed and written in row groups of
//! [`ROWS_PER_GROUP`] VMs, so writing holds at most one group's columns in
//! memory beside the workload itself; reading streams record batches.
//!
//! # What is accepted on reading
//!
//! Reading accepts what pyarrow, pandas, polars or Spark write with their
//! default settings for the columns above, not only the exact types written:
//!
//! - any standard Parquet codec (Snappy, gzip, LZ4, Brotli, ZSTD, none);
//! - for `id`, `arrival_step`, `departure_step`, `tenant`, `vm_type`: any
//!   integer type (pandas' `int64`, Spark's `int`); a value outside
//!   `0..=4294967295` is an error naming its row and column;
//! - for the requests: any float or integer type (pandas' `float64`); a
//!   value beyond `Float32`'s range is an error naming its row and column;
//! - for `priority`: `Utf8`, `LargeUtf8` (pandas' `large_string`),
//!   `Utf8View` (polars) or dictionary-encoded strings (pandas categoricals);
//! - for the usage lists: `List`, `LargeList` or `FixedSizeList` of any float
//!   or integer type, with any item field name (`item`, Spark's `element`);
//! - columns and list items declared nullable, as long as they hold no null
//!   (`tenant` and `vm_type` may hold nulls);
//! - missing metadata keys: no `hearth.schema_version` reads the file as the
//!   current schema (the columns must fit it); no `hearth.observed_from_step`
//!   takes the first arrival; no `hearth.provenance` gives a provenance of one
//!   step, `read-external`, naming the file. No `hearth.step_seconds` is an
//!   error unless the reader is given the step length
//!   ([`ReadOptions::step_seconds`], `--step-seconds` on the command line);
//!   the error names the key and an example value to add.
//!
//! Extra columns and extra metadata keys (pandas' `pandas`, Arrow's
//! `ARROW:schema`) are ignored on reading.
//!
//! Writing is atomic: the file is written to a temporary file
//! (`.<name>.tmp-<pid>-<n>`) in the target's directory, flushed, fsynced and
//! renamed over the target. A failed write removes the temporary file and
//! leaves the target as it was.

use crate::error::{Result, TraceError};
use crate::external::{check_type, conform, Kind};
use crate::units::{Cores, Gib, Resources, Step, TenantId, VmId, VmTypeId};
use crate::workload::{Priority, Provenance, ProvenanceStep, Usage, Vm, Workload};
use arrow_array::builder::{Float32Builder, ListBuilder, StringBuilder, UInt32Builder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt32Type};
use arrow_array::{Array, ArrayRef, GenericListArray, OffsetSizeTrait, RecordBatch};
use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::collections::HashMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The schema version this code writes.
pub const SCHEMA_VERSION: &str = "2";
/// The schema versions this code reads.
pub const SUPPORTED_SCHEMA_VERSIONS: &[&str] = &["1", "2"];

pub const KEY_SCHEMA_VERSION: &str = "hearth.schema_version";
pub const KEY_STEP_SECONDS: &str = "hearth.step_seconds";
pub const KEY_OBSERVED_FROM: &str = "hearth.observed_from_step";
pub const KEY_PROVENANCE: &str = "hearth.provenance";

/// VMs per row group and per record batch, written and read.
pub const ROWS_PER_GROUP: usize = 16_384;

const COL_ID: &str = "id";
const COL_ARRIVAL: &str = "arrival_step";
const COL_DEPARTURE: &str = "departure_step";
const COL_CPU_REQUEST: &str = "cpu_request_cores";
const COL_MEMORY_REQUEST: &str = "memory_request_gib";
const COL_PRIORITY: &str = "priority";
const COL_TENANT: &str = "tenant";
const COL_VM_TYPE: &str = "vm_type";
const COL_CPU_USAGE: &str = "cpu_usage_cores";
const COL_MEMORY_USAGE: &str = "memory_usage_gib";

const COLUMNS: [&str; 8] = [
    COL_ID,
    COL_ARRIVAL,
    COL_DEPARTURE,
    COL_CPU_REQUEST,
    COL_MEMORY_REQUEST,
    COL_PRIORITY,
    COL_CPU_USAGE,
    COL_MEMORY_USAGE,
];

fn item_field() -> FieldRef {
    Arc::new(Field::new("item", DataType::Float32, false))
}

/// The Arrow schema of a workload file (without metadata).
pub fn schema() -> SchemaRef {
    let list = DataType::List(item_field());
    Arc::new(Schema::new(vec![
        Field::new(COL_ID, DataType::UInt32, false),
        Field::new(COL_ARRIVAL, DataType::UInt32, false),
        Field::new(COL_DEPARTURE, DataType::UInt32, false),
        Field::new(COL_CPU_REQUEST, DataType::Float32, false),
        Field::new(COL_MEMORY_REQUEST, DataType::Float32, false),
        Field::new(COL_PRIORITY, DataType::Utf8, false),
        Field::new(COL_TENANT, DataType::UInt32, true),
        Field::new(COL_VM_TYPE, DataType::UInt32, true),
        Field::new(COL_CPU_USAGE, list.clone(), false),
        Field::new(COL_MEMORY_USAGE, list, false),
    ]))
}

// ---------------------------------------------------------------- writing

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `w` to `path` as a workload Parquet file, atomically (see the
/// module docs). The workload is validated first: an invalid workload is
/// refused rather than written.
pub fn write_workload(path: &Path, w: &Workload) -> Result<()> {
    let name = path.display().to_string();
    w.validate()
        .map_err(|e| TraceError::file(&name, format!("refusing to write an invalid workload: {e}")))?;
    if w.step_seconds == 0 {
        return Err(TraceError::file(
            &name,
            "refusing to write a workload with a step of 0 seconds",
        ));
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| TraceError::file(&name, "not a file path (no file name)"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        file_name.to_string_lossy(),
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));

    let result = write_to_temp(&tmp, w, &name).and_then(|()| {
        fs::rename(&tmp, path).map_err(|e| {
            TraceError::file(
                &name,
                format!("cannot rename temporary file {} over it: {e}", tmp.display()),
            )
        })
    });
    match result {
        Ok(()) => {
            sync_dir(&dir);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Makes the rename durable where the platform allows it (best effort).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn write_to_temp(tmp: &Path, w: &Workload, name: &str) -> Result<()> {
    let file = File::create(tmp)
        .map_err(|e| TraceError::file(name, format!("cannot create temporary file {}: {e}", tmp.display())))?;
    let pq = |e: parquet::errors::ParquetError| TraceError::file(name, format!("writing Parquet: {e}"));

    let kv = (metadata(w, name)?.into_iter())
        .map(|(k, v)| KeyValue::new(k, v))
        .collect();
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(pq)?))
        .set_max_row_group_row_count(Some(ROWS_PER_GROUP))
        .set_key_value_metadata(Some(kv))
        .build();
    let schema = schema();
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(pq)?;
    for chunk in w.vms.chunks(ROWS_PER_GROUP) {
        let batch = to_batch(&schema, chunk).map_err(|e| TraceError::file(name, format!("building a batch: {e}")))?;
        writer.write(&batch).map_err(pq)?;
    }
    let file = writer.into_inner().map_err(pq)?;
    file.sync_all()
        .map_err(|e| TraceError::file(name, format!("cannot sync temporary file {}: {e}", tmp.display())))?;
    Ok(())
}

/// The file's key-value metadata (see the module docs).
fn metadata(w: &Workload, name: &str) -> Result<Vec<(String, String)>> {
    let provenance = serde_json::to_string(&w.provenance)
        .map_err(|e| TraceError::file(name, format!("cannot encode the provenance as JSON: {e}")))?;
    Ok(vec![
        (KEY_SCHEMA_VERSION.to_string(), SCHEMA_VERSION.to_string()),
        (KEY_STEP_SECONDS.to_string(), w.step_seconds.to_string()),
        (KEY_OBSERVED_FROM.to_string(), w.observed_from.0.to_string()),
        (KEY_PROVENANCE.to_string(), provenance),
    ])
}

/// The workload as Arrow record batches of at most [`ROWS_PER_GROUP`] VMs,
/// in the file's columns, with the file's key-value metadata on the schema:
/// what a file written by [`write_workload`] reads back as (for Python and
/// other in-memory consumers). `name` labels errors.
pub fn record_batches(w: &Workload, name: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let meta: HashMap<String, String> = metadata(w, name)?.into_iter().collect();
    let schema = Arc::new(schema().as_ref().clone().with_metadata(meta));
    let batches = (w.vms.chunks(ROWS_PER_GROUP))
        .map(|chunk| to_batch(&schema, chunk).map_err(|e| TraceError::file(name, format!("building a batch: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    Ok((schema, batches))
}

fn to_batch(schema: &SchemaRef, vms: &[Vm]) -> std::result::Result<RecordBatch, arrow_schema::ArrowError> {
    let n = vms.len();
    let steps: usize = vms.iter().map(|vm| vm.usage.cpu.len()).sum();
    let mut id = UInt32Builder::with_capacity(n);
    let mut arrival = UInt32Builder::with_capacity(n);
    let mut departure = UInt32Builder::with_capacity(n);
    let mut cpu_req = Float32Builder::with_capacity(n);
    let mut mem_req = Float32Builder::with_capacity(n);
    let mut priority = StringBuilder::with_capacity(n, n * 9);
    let mut tenant = UInt32Builder::with_capacity(n);
    let mut vm_type = UInt32Builder::with_capacity(n);
    let mut cpu_use = ListBuilder::with_capacity(Float32Builder::with_capacity(steps), n).with_field(item_field());
    let mut mem_use = ListBuilder::with_capacity(Float32Builder::with_capacity(steps), n).with_field(item_field());
    for vm in vms {
        id.append_value(vm.id.0);
        arrival.append_value(vm.arrival.0);
        departure.append_value(vm.departure.0);
        cpu_req.append_value(vm.request.cpu.0);
        mem_req.append_value(vm.request.memory.0);
        priority.append_value(vm.priority.as_str());
        tenant.append_option(vm.tenant.map(|t| t.0));
        vm_type.append_option(vm.vm_type.map(|t| t.0));
        cpu_use.values().append_slice(&vm.usage.cpu);
        cpu_use.append(true);
        mem_use.values().append_slice(&vm.usage.memory);
        mem_use.append(true);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(arrival.finish()),
        Arc::new(departure.finish()),
        Arc::new(cpu_req.finish()),
        Arc::new(mem_req.finish()),
        Arc::new(priority.finish()),
        Arc::new(tenant.finish()),
        Arc::new(vm_type.finish()),
        Arc::new(cpu_use.finish()),
        Arc::new(mem_use.finish()),
    ];
    RecordBatch::try_new(schema.clone(), columns)
}

// ---------------------------------------------------------------- reading

/// Options of [`read_workload_with`]: what to assume where a file written by
/// another tool lacks hearth's metadata.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Step length in seconds for a file without `hearth.step_seconds`. A
    /// file that has the key must agree with it.
    pub step_seconds: Option<u32>,
}

/// Reads a workload Parquet file written by [`write_workload`] (or by any
/// tool following the format in the module docs). Every error names the file
/// and what is wrong; a truncated or corrupted file is an error, not a panic.
pub fn read_workload(path: &Path) -> Result<Workload> {
    read_workload_with(path, &ReadOptions::default())
}

/// [`read_workload`], with what to assume where metadata is missing.
pub fn read_workload_with(path: &Path, opts: &ReadOptions) -> Result<Workload> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| TraceError::io(&name, e))?;
    // The Parquet decoder is not guaranteed panic-free on hostile bytes;
    // a panic inside it is reported as a corrupted file.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_from(file, &name, opts))) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown failure");
            Err(TraceError::file(
                &name,
                format!("corrupted Parquet file: the decoder failed: {what}"),
            ))
        }
    }
}

/// The hearth metadata of a file, with defaults for what other tools omit.
struct Meta {
    step_seconds: u32,
    observed_from: Option<u32>,
    provenance: Provenance,
}

fn read_meta(kv: &HashMap<&str, Option<&str>>, name: &str, opts: &ReadOptions) -> Result<Meta> {
    let meta = |key: &str| -> Result<Option<&str>> {
        match kv.get(key) {
            Some(Some(v)) => Ok(Some(v)),
            Some(None) => Err(TraceError::file(name, format!("metadata key `{key}` has no value"))),
            None => Ok(None),
        }
    };
    if let Some(version) = meta(KEY_SCHEMA_VERSION)? {
        if !SUPPORTED_SCHEMA_VERSIONS.contains(&version) {
            return Err(TraceError::file(
                name,
                format!(
                    "unsupported hearth schema version {version:?} (this build reads version{} {})",
                    if SUPPORTED_SCHEMA_VERSIONS.len() > 1 { "s" } else { "" },
                    SUPPORTED_SCHEMA_VERSIONS.join(", ")
                ),
            ));
        }
    }
    let step_seconds = step_seconds(meta(KEY_STEP_SECONDS)?, name, opts)?;
    let observed_from = match meta(KEY_OBSERVED_FROM)? {
        None => None,
        Some(raw) => Some(raw.trim().parse().map_err(|_| {
            TraceError::file(
                name,
                format!("metadata `{KEY_OBSERVED_FROM}` is not a non-negative whole number"),
            )
        })?),
    };
    let provenance = match meta(KEY_PROVENANCE)? {
        Some(raw) => serde_json::from_str(raw).map_err(|e| {
            TraceError::file(
                name,
                format!("metadata `{KEY_PROVENANCE}` is not valid provenance JSON: {e}"),
            )
        })?,
        None => Provenance {
            steps: vec![ProvenanceStep::new("read-external").with("file", name).with(
                "note",
                format!("no `{KEY_PROVENANCE}` metadata: written by another tool; its history is unknown"),
            )],
        },
    };
    Ok(Meta {
        step_seconds,
        observed_from,
        provenance,
    })
}

/// The step length from the metadata, or from the options when the key is missing.
fn step_seconds(raw: Option<&str>, name: &str, opts: &ReadOptions) -> Result<u32> {
    let from_file = match raw {
        None => None,
        Some(raw) => Some(raw.trim().parse().ok().filter(|&s: &u32| s > 0).ok_or_else(|| {
            TraceError::file(
                name,
                format!("metadata `{KEY_STEP_SECONDS}` is {raw:?}, not a positive whole number of seconds"),
            )
        })?),
    };
    match (from_file, opts.step_seconds) {
        (Some(f), Some(o)) if f != o => Err(TraceError::file(
            name,
            format!("the file's `{KEY_STEP_SECONDS}` is {f} s but a step of {o} s was given; drop the option or fix the file"),
        )),
        (Some(s), _) => Ok(s),
        (None, Some(0)) => Err(TraceError::Invalid("step length must be at least 1 second".into())),
        (None, Some(s)) => Ok(s),
        (None, None) => Err(TraceError::file(
            name,
            format!(
                "the step length is unknown: the Parquet metadata key `{KEY_STEP_SECONDS}` is missing. \
                 Add it to the file's key-value metadata with the step length in seconds as a string, \
                 e.g. `{KEY_STEP_SECONDS}` = \"300\" (pyarrow: `table.replace_schema_metadata({{**(table.schema.metadata or {{}}), \
                 b\"{KEY_STEP_SECONDS}\": b\"300\"}})`), or give it when reading (`--step-seconds 300`)"
            ),
        )),
    }
}

/// The store's columns, each with what it holds.
const KINDS: [(&str, Kind); 10] = [
    (COL_ID, Kind::WholeNumber),
    (COL_ARRIVAL, Kind::WholeNumber),
    (COL_DEPARTURE, Kind::WholeNumber),
    (COL_CPU_REQUEST, Kind::Number),
    (COL_MEMORY_REQUEST, Kind::Number),
    (COL_PRIORITY, Kind::Text),
    (COL_TENANT, Kind::WholeNumber),
    (COL_VM_TYPE, Kind::WholeNumber),
    (COL_CPU_USAGE, Kind::NumberList),
    (COL_MEMORY_USAGE, Kind::NumberList),
];

fn kind_of(col: &str) -> Kind {
    KINDS.iter().find(|(c, _)| *c == col).map_or(Kind::Number, |(_, k)| *k)
}

fn read_from(file: File, name: &str, opts: &ReadOptions) -> Result<Workload> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
        TraceError::file(
            name,
            format!("not a Parquet file, or a truncated or corrupted one: {e}"),
        )
    })?;
    let kv: HashMap<&str, Option<&str>> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| kv.iter().map(|k| (k.key.as_str(), k.value.as_deref())).collect())
        .unwrap_or_default();
    let meta = read_meta(&kv, name, opts)?;

    // Columns: each must be present at the top level with a type that reads as the store's.
    let arrow_schema = builder.schema().clone();
    let mut roots = Vec::with_capacity(COLUMNS.len());
    for col in COLUMNS {
        let (i, field) = arrow_schema.column_with_name(col).ok_or_else(|| {
            TraceError::file(
                name,
                format!("not a hearth workload: column `{col}` is missing (the columns are listed in the docs of hearth_trace::store)"),
            )
        })?;
        check_type(col, kind_of(col), field.data_type()).map_err(|reason| TraceError::file(name, reason))?;
        roots.push(i);
    }
    // Optional columns (absent in version 1 files).
    for col in [COL_TENANT, COL_VM_TYPE] {
        if let Some((i, field)) = arrow_schema.column_with_name(col) {
            check_type(col, Kind::WholeNumber, field.data_type()).map_err(|reason| TraceError::file(name, reason))?;
            roots.push(i);
        }
    }
    let total_rows = builder.metadata().file_metadata().num_rows().max(0) as usize;
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(ROWS_PER_GROUP)
        .build()
        .map_err(|e| TraceError::file(name, format!("cannot read the Parquet file: {e}")))?;

    let mut vms: Vec<Vm> = Vec::with_capacity(total_rows.min(1 << 24));
    for batch in reader {
        let batch = batch.map_err(|e| TraceError::file(name, format!("truncated or corrupted Parquet data: {e}")))?;
        decode_batch(&batch, vms.len(), &mut vms).map_err(|reason| TraceError::file(name, reason))?;
    }
    let observed_from = meta
        .observed_from
        .unwrap_or_else(|| vms.first().map_or(0, |vm| vm.arrival.0));
    let w = Workload {
        step_seconds: meta.step_seconds,
        vms,
        observed_from: Step(observed_from),
        provenance: meta.provenance,
    };
    w.validate()
        .map_err(|e| TraceError::file(name, format!("invalid workload: {e}")))?;
    Ok(w)
}

/// A column of a batch in the store's type (see [`conform`]).
fn column(batch: &RecordBatch, col: &str, base: usize) -> std::result::Result<ArrayRef, String> {
    let array = batch
        .column_by_name(col)
        .ok_or_else(|| format!("not a hearth workload: column `{col}` is missing"))?;
    conform(array, col, kind_of(col), base)
}

/// The row index (in the file) of the first null of `array`, if any.
fn first_null(array: &dyn Array, base: usize) -> Option<usize> {
    if array.null_count() == 0 {
        return None;
    }
    (0..array.len()).find(|&i| array.is_null(i)).map(|i| base + i)
}

fn no_nulls(array: &dyn Array, col: &str, base: usize) -> std::result::Result<(), String> {
    match first_null(array, base) {
        Some(row) => Err(format!("row {row}: column `{col}` is null")),
        None => Ok(()),
    }
}

/// A usage list column as (offsets, values), whichever offset width it has.
fn usage_lists<'a>(
    array: &'a ArrayRef,
    col: &str,
    base: usize,
) -> std::result::Result<(Vec<usize>, &'a [f32]), String> {
    fn split<'a, O: OffsetSizeTrait>(
        list: &'a GenericListArray<O>,
        col: &str,
        base: usize,
    ) -> std::result::Result<(Vec<usize>, &'a [f32]), String> {
        no_nulls(list, col, base)?;
        let values = list
            .values()
            .as_primitive_opt::<Float32Type>()
            .ok_or_else(|| format!("column `{col}` does not hold Float32 values"))?;
        let offsets: Vec<usize> = list.value_offsets().iter().map(|o| o.as_usize()).collect();
        if values.null_count() > 0 {
            for row in 0..list.len() {
                if (offsets[row]..offsets[row + 1]).any(|j| values.is_null(j)) {
                    return Err(format!("row {}: column `{col}` holds a null element", base + row));
                }
            }
        }
        // Slice to the part of the values the offsets cover.
        let (lo, hi) = (offsets[0], offsets[list.len()]);
        let vals = values
            .values()
            .get(lo..hi)
            .ok_or_else(|| format!("column `{col}`: list offsets run past the values"))?;
        let offsets: Vec<usize> = offsets.iter().map(|o| o - lo).collect();
        // A float64 beyond Float32's range narrows to infinity: name its row.
        if let Some(j) = vals.iter().position(|x| x.is_infinite()) {
            let row = offsets.partition_point(|&o| o <= j).saturating_sub(1);
            return Err(format!(
                "row {}: column `{col}` holds a value that is infinite or does not fit Float32",
                base + row
            ));
        }
        Ok((offsets, vals))
    }
    if let Some(l) = array.as_list_opt::<i32>() {
        split(l, col, base)
    } else if let Some(l) = array.as_list_opt::<i64>() {
        split(l, col, base)
    } else {
        Err(format!(
            "column `{col}` has type {}, expected List<Float32>",
            array.data_type()
        ))
    }
}

fn decode_batch(batch: &RecordBatch, base: usize, out: &mut Vec<Vm>) -> std::result::Result<(), String> {
    let columns: HashMap<&str, ArrayRef> = KINDS
        .iter()
        .filter(|(col, _)| batch.column_by_name(col).is_some())
        .map(|(col, _)| Ok((*col, column(batch, col, base)?)))
        .collect::<std::result::Result<_, String>>()?;
    let get = |col: &str| {
        columns
            .get(col)
            .ok_or_else(|| format!("not a hearth workload: column `{col}` is missing"))
    };
    let u32_col = |col: &str| -> std::result::Result<_, String> {
        let a = get(col)?;
        no_nulls(a.as_ref(), col, base)?;
        a.as_primitive_opt::<UInt32Type>()
            .ok_or_else(|| format!("column `{col}` has type {}, expected UInt32", a.data_type()))
    };
    let f32_col = |col: &str| -> std::result::Result<_, String> {
        let a = get(col)?;
        no_nulls(a.as_ref(), col, base)?;
        a.as_primitive_opt::<Float32Type>()
            .ok_or_else(|| format!("column `{col}` has type {}, expected Float32", a.data_type()))
    };
    let id = u32_col(COL_ID)?;
    let arrival = u32_col(COL_ARRIVAL)?;
    let departure = u32_col(COL_DEPARTURE)?;
    let cpu_req = f32_col(COL_CPU_REQUEST)?;
    let mem_req = f32_col(COL_MEMORY_REQUEST)?;
    let prio_array = get(COL_PRIORITY)?;
    no_nulls(prio_array.as_ref(), COL_PRIORITY, base)?;
    let priorities: Vec<Priority> = match prio_array.as_string_opt::<i32>() {
        Some(s) => parse_priorities(s.iter(), base)?,
        None => {
            return Err(format!(
                "column `{COL_PRIORITY}` has type {}, expected Utf8",
                prio_array.data_type()
            ))
        }
    };
    let optional_u32 = |col: &str| -> std::result::Result<Option<_>, String> {
        match columns.get(col) {
            None => Ok(None),
            Some(a) => a
                .as_primitive_opt::<UInt32Type>()
                .map(Some)
                .ok_or_else(|| format!("column `{col}` has type {}, expected UInt32", a.data_type())),
        }
    };
    let tenant = optional_u32(COL_TENANT)?;
    let vm_type = optional_u32(COL_VM_TYPE)?;
    let (cpu_off, cpu_vals) = usage_lists(get(COL_CPU_USAGE)?, COL_CPU_USAGE, base)?;
    let (mem_off, mem_vals) = usage_lists(get(COL_MEMORY_USAGE)?, COL_MEMORY_USAGE, base)?;

    out.reserve(batch.num_rows());
    for i in 0..batch.num_rows() {
        out.push(Vm {
            tenant: tenant.and_then(|a| a.is_valid(i).then(|| TenantId(a.value(i)))),
            vm_type: vm_type.and_then(|a| a.is_valid(i).then(|| VmTypeId(a.value(i)))),
            id: VmId(id.value(i)),
            arrival: Step(arrival.value(i)),
            departure: Step(departure.value(i)),
            request: Resources {
                cpu: Cores(cpu_req.value(i)),
                memory: Gib(mem_req.value(i)),
            },
            priority: priorities[i],
            usage: Usage {
                cpu: cpu_vals[cpu_off[i]..cpu_off[i + 1]].to_vec(),
                memory: mem_vals[mem_off[i]..mem_off[i + 1]].to_vec(),
            },
        });
    }
    Ok(())
}

fn parse_priorities<'a>(
    values: impl Iterator<Item = Option<&'a str>>,
    base: usize,
) -> std::result::Result<Vec<Priority>, String> {
    values
        .enumerate()
        .map(|(i, raw)| {
            let raw = raw.ok_or_else(|| format!("row {}: column `{COL_PRIORITY}` is null", base + i))?;
            Priority::parse(raw).ok_or_else(|| {
                format!(
                    "row {}: column `{COL_PRIORITY}`: {raw:?} is neither \"on-demand\" nor \"spot\"",
                    base + i
                )
            })
        })
        .collect()
}
