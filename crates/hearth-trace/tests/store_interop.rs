//! Workload Parquet written by other tools, as pyarrow, pandas, polars and
//! Spark write it with default settings: every standard codec, 64-bit ids
//! and sizes, large strings and lists, nullable columns without nulls, and
//! no hearth metadata.

use arrow_array::builder::{
    Float64Builder, Int32Builder, Int64Builder, LargeListBuilder, LargeStringBuilder, ListBuilder,
    StringDictionaryBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use hearth_trace::store::{KEY_OBSERVED_FROM, KEY_PROVENANCE, KEY_SCHEMA_VERSION, KEY_STEP_SECONDS};
use hearth_trace::{read_workload, read_workload_with, Priority, ReadOptions, Step};
use parquet::arrow::ArrowWriter;
use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn temp_path(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{tag}.parquet"))
}

fn i64s(v: &[i64]) -> ArrayRef {
    let mut b = Int64Builder::new();
    b.append_slice(v);
    Arc::new(b.finish())
}

fn i32s(v: &[i32]) -> ArrayRef {
    let mut b = Int32Builder::new();
    b.append_slice(v);
    Arc::new(b.finish())
}

fn f64s(v: &[f64]) -> ArrayRef {
    let mut b = Float64Builder::new();
    b.append_slice(v);
    Arc::new(b.finish())
}

fn large_strs(v: &[&str]) -> ArrayRef {
    let mut b = LargeStringBuilder::new();
    for s in v {
        b.append_value(s);
    }
    Arc::new(b.finish())
}

/// pandas/pyarrow: `large_list<item: double>`, items nullable.
fn large_lists(v: &[Vec<f64>]) -> ArrayRef {
    let mut b = LargeListBuilder::new(Float64Builder::new());
    for l in v {
        b.values().append_slice(l);
        b.append(true);
    }
    Arc::new(b.finish())
}

/// Spark: `array<double>`, written as a list whose item is `element`, nullable.
fn spark_lists(v: &[Vec<f64>]) -> ArrayRef {
    let item = Arc::new(Field::new("element", DataType::Float64, true));
    let mut b = ListBuilder::new(Float64Builder::new()).with_field(item);
    for l in v {
        b.values().append_slice(l);
        b.append(true);
    }
    Arc::new(b.finish())
}

/// Three VMs typed as pandas writes a DataFrame: int64, float64, large strings and lists.
fn pandas_columns() -> Vec<(&'static str, ArrayRef)> {
    vec![
        ("id", i64s(&[0, 1, 2])),
        ("arrival_step", i64s(&[4, 5, 5])),
        ("departure_step", i64s(&[5, 7, 6])),
        ("cpu_request_cores", f64s(&[1.0, 2.0, 0.5])),
        ("memory_request_gib", f64s(&[2.0, 4.0, 1.0])),
        ("priority", large_strs(&["on-demand", "spot", "spot"])),
        ("cpu_usage_cores", large_lists(&[vec![0.5], vec![1.0, 1.5], vec![0.25]])),
        ("memory_usage_gib", large_lists(&[vec![1.0], vec![2.0, 3.0], vec![0.5]])),
    ]
}

/// Writes the columns, every field nullable (as pyarrow declares them).
fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, codec: Compression, kv: Vec<(&str, &str)>) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns.into_iter().map(|(_, a)| a).collect()).unwrap();
    let kv = (!kv.is_empty()).then(|| {
        kv.into_iter()
            .map(|(k, v)| KeyValue::new(k.into(), v.to_string()))
            .collect()
    });
    let props = WriterProperties::builder()
        .set_compression(codec)
        .set_key_value_metadata(kv)
        .build();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn with_step() -> ReadOptions {
    ReadOptions {
        step_seconds: Some(300),
    }
}

fn err_of(path: &Path, opts: &ReadOptions) -> String {
    match read_workload_with(path, opts) {
        Ok(_) => panic!("{} was read without error", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_standard_codec_is_read() {
    let codecs = [
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::LZ4_RAW,
        Compression::LZ4,
        Compression::BROTLI(BrotliLevel::default()),
        Compression::ZSTD(ZstdLevel::default()),
        Compression::UNCOMPRESSED,
    ];
    for codec in codecs {
        let path = temp_path(&format!("codec-{codec}"));
        write(&path, pandas_columns(), codec, vec![(KEY_STEP_SECONDS, "60")]);
        let w = read_workload(&path).unwrap_or_else(|e| panic!("{codec}: {e}"));
        assert_eq!(w.step_seconds, 60, "{codec}");
        assert_eq!(w.vms[1].usage.cpu, vec![1.0, 1.5], "{codec}");
    }
}

#[test]
fn pandas_types_without_metadata_read_with_a_given_step() {
    let path = temp_path("pandas");
    write(&path, pandas_columns(), Compression::SNAPPY, vec![]);
    let w = read_workload_with(&path, &with_step()).unwrap();
    assert_eq!(w.step_seconds, 300);
    assert_eq!(w.vms.len(), 3);
    assert_eq!(w.vms[2].arrival, Step(5));
    assert_eq!(w.vms[1].priority, Priority::Spot);
    assert_eq!(w.vms[1].request.cpu.0, 2.0);
    assert_eq!(w.vms[1].usage.memory, vec![2.0, 3.0]);
    // Missing observation start: the first arrival.
    assert_eq!(w.observed_from, Step(4));
    // Missing provenance: one step saying where the file came from.
    assert_eq!(w.provenance.steps.len(), 1);
    assert_eq!(w.provenance.steps[0].action, "read-external");
    let file = w.provenance.steps[0].details["file"].as_str().unwrap();
    assert!(file.ends_with("pandas.parquet"), "{file}");
}

#[test]
fn spark_and_polars_encodings_are_read() {
    let path = temp_path("spark");
    let mut cols = pandas_columns();
    cols[0].1 = i32s(&[0, 1, 2]);
    cols[1].1 = i32s(&[4, 5, 5]);
    cols[2].1 = i32s(&[5, 7, 6]);
    let mut dict = StringDictionaryBuilder::<Int32Type>::new();
    for s in ["on-demand", "spot", "spot"] {
        dict.append_value(s);
    }
    cols[5].1 = Arc::new(dict.finish());
    cols[6].1 = spark_lists(&[vec![0.5], vec![1.0, 1.5], vec![0.25]]);
    cols[7].1 = spark_lists(&[vec![1.0], vec![2.0, 3.0], vec![0.5]]);
    cols.push(("tenant", i64s(&[7, 7, 9])));
    write(&path, cols, Compression::SNAPPY, vec![(KEY_STEP_SECONDS, "300")]);
    let w = read_workload(&path).unwrap();
    assert_eq!(w.vms[0].priority, Priority::OnDemand);
    assert_eq!(w.vms[2].tenant.map(|t| t.0), Some(9));
    assert_eq!(w.vms[1].usage.cpu, vec![1.0, 1.5]);
}

#[test]
fn missing_step_length_says_what_to_add() {
    let path = temp_path("nostep");
    write(&path, pandas_columns(), Compression::SNAPPY, vec![]);
    let e = err_of(&path, &ReadOptions::default());
    assert!(e.contains("nostep.parquet"), "{e}");
    assert!(e.contains(KEY_STEP_SECONDS) && e.contains("\"300\""), "{e}");
    assert!(e.contains("--step-seconds"), "{e}");
}

#[test]
fn a_given_step_that_disagrees_with_the_file_is_refused() {
    let path = temp_path("conflict");
    write(
        &path,
        pandas_columns(),
        Compression::SNAPPY,
        vec![(KEY_STEP_SECONDS, "60")],
    );
    let e = err_of(&path, &with_step());
    assert!(e.contains("60 s") && e.contains("300 s"), "{e}");
}

#[test]
fn missing_schema_version_reads_as_the_current_schema() {
    let path = temp_path("noversion");
    let meta = vec![
        (KEY_STEP_SECONDS, "300"),
        (KEY_OBSERVED_FROM, "2"),
        (KEY_PROVENANCE, "[]"),
    ];
    write(&path, pandas_columns(), Compression::SNAPPY, meta);
    let w = read_workload(&path).unwrap();
    assert_eq!(w.observed_from, Step(2));
    assert!(w.provenance.steps.is_empty());
    // A version that is given must still be one this build reads.
    let meta = vec![(KEY_STEP_SECONDS, "300"), (KEY_SCHEMA_VERSION, "9")];
    write(&path, pandas_columns(), Compression::SNAPPY, meta);
    assert!(err_of(&path, &ReadOptions::default()).contains("unsupported"));
}

/// Writes pandas columns with one column replaced and returns the error.
fn error_with(tag: &str, col: usize, array: ArrayRef) -> String {
    let path = temp_path(tag);
    let mut cols = pandas_columns();
    cols[col].1 = array;
    write(&path, cols, Compression::SNAPPY, vec![(KEY_STEP_SECONDS, "300")]);
    err_of(&path, &ReadOptions::default())
}

#[test]
fn values_out_of_range_name_row_and_column() {
    let e = error_with("negative-id", 0, i64s(&[0, -1, 2]));
    assert!(
        e.contains("row 1") && e.contains("column `id`") && e.contains("-1"),
        "{e}"
    );
    let e = error_with("huge-step", 2, i64s(&[5, 7, 1 << 33]));
    assert!(e.contains("row 2") && e.contains("column `departure_step`"), "{e}");
    let e = error_with("huge-request", 4, f64s(&[2.0, 1e300, 1.0]));
    assert!(e.contains("row 1") && e.contains("column `memory_request_gib`"), "{e}");
    let e = error_with("huge-usage", 6, large_lists(&[vec![0.5], vec![1.0, 1.5], vec![1e300]]));
    assert!(e.contains("row 2") && e.contains("column `cpu_usage_cores`"), "{e}");
}

#[test]
fn nullable_columns_that_hold_a_null_are_refused() {
    let mut b = Int64Builder::new();
    b.append_value(4);
    b.append_null();
    b.append_value(5);
    let e = error_with("null-arrival", 1, Arc::new(b.finish()));
    assert!(
        e.contains("row 1") && e.contains("column `arrival_step` is null"),
        "{e}"
    );
}
