//! Reading a workload file: opening it safely, checking its columns'
//! types, and streaming its record batches into a validated workload.

use super::decode::{decode_batch, kind_of};
use super::metadata::{read_meta, ReadOptions};
use super::schema::{COLUMNS, COL_TENANT, COL_VM_TYPE, ROWS_PER_GROUP};
use crate::error::{Result, TraceError};
use crate::external::{check_type, Kind};
use crate::units::Step;
use crate::workload::{Vm, Workload};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

/// Reads a workload Parquet file written by [`write_workload`](super::write_workload)
/// (or by any tool following the format in the docs of [`crate::store`]). Every
/// error names the file and what is wrong; a truncated or corrupted file is an
/// error, not a panic.
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
