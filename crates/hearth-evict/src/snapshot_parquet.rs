//! Snapshot files as Parquet, for real use: the Arrow schema written, and a
//! reader that accepts any column type that carries the values (see the
//! table in [`crate::snapshot_file`]) and names the row group and row of
//! every bad value.

use crate::error::{EvictError, Result};
use crate::snapshot_rows::{Assembler, Place};
use crate::snapshot_set::{
    all_columns, rows_of, SnapshotSet, COL_CLUSTER, COL_HOUR, COL_NODE, KEY_SCHEMA_VERSION, MEASURES, ROWS_PER_GROUP,
    SCHEMA_VERSION,
};
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
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

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

pub(crate) fn parquet_bytes(set: &SnapshotSet, name: &str) -> Result<Vec<u8>> {
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

pub(crate) fn read_parquet(path: &Path, name: &str) -> Result<SnapshotSet> {
    let open = || File::open(path).map_err(|e| EvictError::snapshot(name, "file", format!("cannot open: {e}")));
    let not_parquet = |e: parquet::errors::ParquetError| {
        EvictError::snapshot(name, "file", format!("not a readable Parquet file: {e}"))
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(open()?).map_err(not_parquet)?;
    check_version(&builder, name)?;
    let wanted = wanted_columns(&builder, name)?;
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

/// Refuses a file whose schema version, when it names one, is not ours.
fn check_version(builder: &ParquetRecordBatchReaderBuilder<File>, name: &str) -> Result<()> {
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
    Ok(())
}

/// The indices of the schema's columns in the file, each checked to hold a
/// type read as that column; nested columns are refused.
fn wanted_columns(builder: &ParquetRecordBatchReaderBuilder<File>, name: &str) -> Result<Vec<usize>> {
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
    Ok(wanted)
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
