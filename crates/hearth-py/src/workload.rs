//! Workloads as Arrow tables: the columns and metadata of hearth's workload
//! file (hearth-trace's `store.rs` documents them), in memory.

use crate::boundary::guarded;
use anyhow::Context;
use arrow::pyarrow::{PyArrowType, Table};
use hearth_trace::{read_workload_with, record_batches, write_workload as write_file, ReadOptions};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use pyo3::prelude::*;
use std::path::{Path, PathBuf};

/// Reads a workload file (any file `hearth trace info` reads) into one Arrow table.
#[pyfunction]
#[pyo3(signature = (path, step_seconds=None))]
pub fn read_workload(py: Python<'_>, path: PathBuf, step_seconds: Option<u32>) -> PyResult<PyArrowType<Table>> {
    let table = guarded(py, || {
        let w = read_workload_with(&path, &ReadOptions { step_seconds })?;
        let (schema, batches) = record_batches(&w, &path.display().to_string())?;
        Ok(Table::try_new(batches, schema)?)
    })?;
    Ok(PyArrowType(table))
}

/// Validates an Arrow table as a workload, as reading a file does, and
/// writes it as hearth's workload file (atomically).
#[pyfunction]
#[pyo3(signature = (table, path, step_seconds=None))]
pub fn write_workload(
    py: Python<'_>,
    table: PyArrowType<Table>,
    path: PathBuf,
    step_seconds: Option<u32>,
) -> PyResult<()> {
    let table = table.0;
    guarded(py, || {
        let staged = staging_path(&path);
        let result = stage(&table, &staged).and_then(|()| {
            let w = read_workload_with(&staged, &ReadOptions { step_seconds }).map_err(|e| {
                anyhow::anyhow!("{}", e.to_string().replace(&staged.display().to_string(), "the table"))
            })?;
            Ok(write_file(&path, &w)?)
        });
        let _ = std::fs::remove_file(&staged);
        result
    })
}

/// Beside the target, so a failure leaves nothing elsewhere and the rename stays on one file system.
fn staging_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "workload".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.from-arrow-{}.parquet", std::process::id()))
}

/// The table as a plain Parquet file, its schema's metadata as the file's
/// key-value metadata (where hearth's reader looks for `hearth.*` keys).
fn stage(table: &Table, staged: &Path) -> anyhow::Result<()> {
    let schema = table.schema();
    let kv: Vec<KeyValue> = (schema.metadata().iter())
        .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
        .collect();
    let props = WriterProperties::builder().set_key_value_metadata(Some(kv)).build();
    let file = std::fs::File::create(staged).with_context(|| format!("creating {}", staged.display()))?;
    let mut writer = ArrowWriter::try_new(file, schema, Some(props))?;
    for batch in table.record_batches() {
        writer.write(batch)?;
    }
    writer.close()?;
    Ok(())
}
