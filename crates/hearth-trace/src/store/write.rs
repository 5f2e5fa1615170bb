//! Writing a workload file (atomically: temporary file, fsync, rename), and
//! the same record batches in memory.

use super::metadata::metadata;
use super::schema::{item_field, schema, ROWS_PER_GROUP};
use crate::error::{Result, TraceError};
use crate::workload::{Vm, Workload};
use arrow_array::builder::{Float32Builder, ListBuilder, StringBuilder, UInt32Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::collections::HashMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `w` to `path` as a workload Parquet file, atomically (see the docs
/// of [`crate::store`]). The workload is validated first: an invalid workload
/// is refused rather than written.
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
