//! The Parquet workload store: exact round trips, refusal of files that are
//! not hearth workloads, truncated and corrupted files, atomic writes.

use arrow_array::builder::{Float32Builder, ListBuilder, StringBuilder, UInt32Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use hearth_trace::store::{self, KEY_OBSERVED_FROM, KEY_PROVENANCE, KEY_SCHEMA_VERSION, KEY_STEP_SECONDS};
use hearth_trace::{
    read_workload, write_workload, Priority, Provenance, ProvenanceStep, Resources, Step, Usage, Vm, VmId, Workload,
};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "hearth-store-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vm(arrival: u32, cpu_req: f32, mem_req: f32, priority: Priority, cpu: Vec<f32>, memory: Vec<f32>) -> Vm {
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(0),
        arrival: Step(arrival),
        departure: Step(arrival + cpu.len() as u32),
        request: Resources::new(cpu_req, mem_req),
        priority,
        usage: Usage { cpu, memory },
    }
}

fn sample() -> Workload {
    let vms = vec![
        vm(
            5,
            2.0,
            4.0,
            Priority::OnDemand,
            vec![0.1, 1.0 / 3.0, 1.999_999_9],
            vec![1.5, 1.25, 3.75],
        ),
        vm(
            2,
            0.5,
            0.25,
            Priority::Spot,
            vec![f32::MIN_POSITIVE, 1e-45],
            vec![0.0, -0.0],
        ),
        vm(2, 0.0, 0.0, Priority::OnDemand, vec![0.0], vec![0.0]),
        vm(
            9,
            1e-30,
            1e30,
            Priority::Spot,
            vec![3.4e38, 7.0, 0.125, 9.5],
            vec![1e30, 2e-38, 1.0, 1.0],
        ),
        vm(7, 96.0, 768.0, Priority::Spot, vec![95.99; 6], vec![700.0; 6]),
    ];
    let provenance = Provenance {
        steps: vec![
            ProvenanceStep::new("import")
                .with("format", "bitbrains")
                .with("files", serde_json::json!(["a.csv", "b.csv.gz"]))
                .with("skipped_rows", 3),
            ProvenanceStep::new("compose")
                .with("seed", 42)
                .with("scale", 1.5)
                .with("note", "ünïcode \"quoted\""),
        ],
    };
    let mut w = Workload::new(300, vms, provenance).unwrap();
    w.observed_from = Step(1);
    w
}

/// Equality including the bits of every f32 (so -0.0 ≠ 0.0, NaN payloads count).
fn assert_identical(a: &Workload, b: &Workload) {
    assert_eq!(a.step_seconds, b.step_seconds);
    assert_eq!(a.observed_from, b.observed_from);
    assert_eq!(a.provenance, b.provenance);
    assert_eq!(a.vms.len(), b.vms.len());
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for (x, y) in a.vms.iter().zip(&b.vms) {
        assert_eq!(x.id, y.id);
        assert_eq!(x.arrival, y.arrival);
        assert_eq!(x.departure, y.departure);
        assert_eq!(x.priority, y.priority);
        assert_eq!(x.request.cpu.0.to_bits(), y.request.cpu.0.to_bits());
        assert_eq!(x.request.memory.0.to_bits(), y.request.memory.0.to_bits());
        assert_eq!(bits(&x.usage.cpu), bits(&y.usage.cpu), "cpu usage of VM {}", x.id.0);
        assert_eq!(
            bits(&x.usage.memory),
            bits(&y.usage.memory),
            "memory usage of VM {}",
            x.id.0
        );
    }
    assert_eq!(a, b);
}

fn err_text(path: &Path) -> String {
    match read_workload(path) {
        Ok(_) => panic!("reading {} should fail", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn round_trip_is_exact() {
    let dir = TempDir::new("round");
    let path = dir.path("w.parquet");
    let w = sample();
    write_workload(&path, &w).unwrap();
    let back = read_workload(&path).unwrap();
    assert_identical(&w, &back);
    assert_eq!(back.vms.iter().filter(|v| v.priority == Priority::Spot).count(), 3);
    // Only the target is left: no temporary file.
    assert_eq!(dir.entries(), vec!["w.parquet".to_string()]);
}

#[test]
fn empty_workload_round_trips() {
    let dir = TempDir::new("empty");
    let path = dir.path("empty.parquet");
    let w = Workload::new(60, vec![], Provenance::default()).unwrap();
    write_workload(&path, &w).unwrap();
    assert_identical(&w, &read_workload(&path).unwrap());
}

#[test]
fn many_row_groups_round_trip() {
    let dir = TempDir::new("groups");
    let path = dir.path("big.parquet");
    let n = 2 * store::ROWS_PER_GROUP + 123;
    let vms = (0..n)
        .map(|i| {
            let life = 1 + (i % 5);
            let cpu = (0..life).map(|k| (i * 7 + k) as f32 * 0.01).collect();
            let mem = (0..life).map(|k| (i + k) as f32 * 0.5).collect();
            let p = if i % 3 == 0 { Priority::Spot } else { Priority::OnDemand };
            vm((i / 10) as u32, 1.0 + (i % 4) as f32, 2.0, p, cpu, mem)
        })
        .collect();
    let w = Workload::new(300, vms, Provenance::default()).unwrap();
    write_workload(&path, &w).unwrap();
    let meta = parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    use parquet::file::reader::FileReader;
    assert_eq!(meta.metadata().num_row_groups(), 3);
    assert_identical(&w, &read_workload(&path).unwrap());
}

#[test]
fn overwrites_an_existing_file() {
    let dir = TempDir::new("overwrite");
    let path = dir.path("w.parquet");
    std::fs::write(&path, b"old contents").unwrap();
    let w = sample();
    write_workload(&path, &w).unwrap();
    assert_identical(&w, &read_workload(&path).unwrap());
    assert_eq!(dir.entries(), vec!["w.parquet".to_string()]);
}

#[test]
fn not_parquet_is_an_error_naming_the_file() {
    let dir = TempDir::new("notpq");
    let path = dir.path("trace.csv");
    std::fs::write(&path, "id,arrival\n1,2\n3,4\n".repeat(10)).unwrap();
    let e = err_text(&path);
    assert!(e.contains("trace.csv"), "{e}");
    assert!(e.contains("not a Parquet file"), "{e}");

    let empty = dir.path("empty.parquet");
    std::fs::write(&empty, b"").unwrap();
    let e = err_text(&empty);
    assert!(e.contains("empty.parquet") && e.contains("not a Parquet file"), "{e}");

    let e = err_text(&dir.path("missing.parquet"));
    assert!(e.contains("missing.parquet"), "{e}");
}

/// Writes a Parquet file with the given columns and key-value metadata.
fn write_raw(path: &Path, columns: Vec<(&str, ArrayRef, bool)>, kv: Vec<(&str, &str)>) {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, a, nullable)| Field::new(*name, a.data_type().clone(), *nullable))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(schema.clone(), columns.into_iter().map(|(_, a, _)| a).collect()).unwrap();
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(
            kv.into_iter()
                .map(|(k, v)| KeyValue::new(k.into(), v.to_string()))
                .collect(),
        ))
        .build();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn u32s(v: &[Option<u32>]) -> ArrayRef {
    let mut b = UInt32Builder::new();
    for x in v {
        b.append_option(*x);
    }
    Arc::new(b.finish())
}

fn f32s(v: &[Option<f32>]) -> ArrayRef {
    let mut b = Float32Builder::new();
    for x in v {
        b.append_option(*x);
    }
    Arc::new(b.finish())
}

fn strs(v: &[Option<&str>]) -> ArrayRef {
    let mut b = StringBuilder::new();
    for x in v {
        b.append_option(*x);
    }
    Arc::new(b.finish())
}

fn lists(v: &[Vec<f32>]) -> ArrayRef {
    let item = Arc::new(Field::new("item", DataType::Float32, false));
    let mut b = ListBuilder::new(Float32Builder::new()).with_field(item);
    for l in v {
        b.values().append_slice(l);
        b.append(true);
    }
    Arc::new(b.finish())
}

fn good_meta() -> Vec<(&'static str, &'static str)> {
    vec![
        (KEY_SCHEMA_VERSION, "1"),
        (KEY_STEP_SECONDS, "300"),
        (KEY_OBSERVED_FROM, "0"),
        (KEY_PROVENANCE, "[]"),
    ]
}

/// Three VMs as raw columns; `edit` may change any column before writing.
fn three_vms(edit: impl FnOnce(&mut Vec<(&'static str, ArrayRef, bool)>)) -> Vec<(&'static str, ArrayRef, bool)> {
    let mut cols = vec![
        ("id", u32s(&[Some(0), Some(1), Some(2)]), false),
        ("arrival_step", u32s(&[Some(0), Some(1), Some(1)]), false),
        ("departure_step", u32s(&[Some(1), Some(3), Some(2)]), false),
        ("cpu_request_cores", f32s(&[Some(1.0), Some(2.0), Some(0.5)]), false),
        ("memory_request_gib", f32s(&[Some(2.0), Some(4.0), Some(1.0)]), false),
        (
            "priority",
            strs(&[Some("on-demand"), Some("spot"), Some("spot")]),
            false,
        ),
        (
            "cpu_usage_cores",
            lists(&[vec![0.5], vec![1.0, 1.5], vec![0.25]]),
            false,
        ),
        (
            "memory_usage_gib",
            lists(&[vec![1.0], vec![2.0, 3.0], vec![0.5]]),
            false,
        ),
    ];
    edit(&mut cols);
    cols
}

fn set(cols: &mut [(&'static str, ArrayRef, bool)], name: &str, a: ArrayRef, nullable: bool) {
    let c = cols.iter_mut().find(|c| c.0 == name).unwrap();
    c.1 = a;
    c.2 = nullable;
}

#[test]
fn hand_written_file_in_the_documented_format_is_read() {
    let dir = TempDir::new("raw");
    let path = dir.path("raw.parquet");
    // Extra columns and keys are ignored.
    let mut cols = three_vms(|_| {});
    cols.push(("comment", strs(&[Some("a"), Some("b"), Some("c")]), false));
    let mut meta = good_meta();
    meta.push(("other.key", "x"));
    write_raw(&path, cols, meta);
    let w = read_workload(&path).unwrap();
    assert_eq!(w.vms.len(), 3);
    assert_eq!(w.step_seconds, 300);
    assert_eq!(w.vms[1].priority, Priority::Spot);
    assert_eq!(w.vms[1].usage.cpu, vec![1.0, 1.5]);
}

#[test]
fn parquet_without_step_length_is_refused_naming_the_key() {
    let dir = TempDir::new("nometa");
    let path = dir.path("plain.parquet");
    write_raw(&path, three_vms(|_| {}), vec![]);
    let e = err_text(&path);
    assert!(e.contains("plain.parquet"), "{e}");
    assert!(e.contains(KEY_STEP_SECONDS) && e.contains("\"300\""), "{e}");

    // The other keys have defaults (tests/store_interop.rs checks them).
    for missing in [KEY_SCHEMA_VERSION, KEY_OBSERVED_FROM, KEY_PROVENANCE] {
        let meta: Vec<_> = good_meta().into_iter().filter(|(k, _)| *k != missing).collect();
        write_raw(&path, three_vms(|_| {}), meta);
        assert!(read_workload(&path).is_ok(), "{missing}");
    }
}

#[test]
fn bad_metadata_values_are_named() {
    let dir = TempDir::new("badmeta");
    let path = dir.path("w.parquet");
    let with = |key: &'static str, value: &'static str| {
        good_meta()
            .into_iter()
            .map(|(k, v)| if k == key { (k, value) } else { (k, v) })
            .collect::<Vec<_>>()
    };
    write_raw(&path, three_vms(|_| {}), with(KEY_SCHEMA_VERSION, "3"));
    let e = err_text(&path);
    assert!(
        e.contains("unsupported") && e.contains("\"3\"") && e.contains("versions 1, 2"),
        "{e}"
    );

    write_raw(&path, three_vms(|_| {}), with(KEY_STEP_SECONDS, "0"));
    assert!(err_text(&path).contains(KEY_STEP_SECONDS));
    write_raw(&path, three_vms(|_| {}), with(KEY_OBSERVED_FROM, "-1"));
    assert!(err_text(&path).contains(KEY_OBSERVED_FROM));
    write_raw(&path, three_vms(|_| {}), with(KEY_PROVENANCE, "{not json"));
    assert!(err_text(&path).contains(KEY_PROVENANCE));
}

#[test]
fn missing_or_mistyped_columns_are_named() {
    let dir = TempDir::new("cols");
    let path = dir.path("w.parquet");
    write_raw(&path, three_vms(|c| c.retain(|c| c.0 != "priority")), good_meta());
    let e = err_text(&path);
    assert!(e.contains("column `priority` is missing"), "{e}");

    write_raw(
        &path,
        three_vms(|c| set(c, "arrival_step", f32s(&[Some(0.0), Some(1.0), Some(1.0)]), false)),
        good_meta(),
    );
    let e = err_text(&path);
    assert!(
        e.contains("column `arrival_step` has type Float32, expected UInt32"),
        "{e}"
    );
}

#[test]
fn null_and_invalid_values_name_column_and_row() {
    let dir = TempDir::new("nulls");
    let path = dir.path("w.parquet");
    write_raw(
        &path,
        three_vms(|c| set(c, "cpu_request_cores", f32s(&[Some(1.0), None, Some(0.5)]), true)),
        good_meta(),
    );
    let e = err_text(&path);
    assert!(e.contains("row 1") && e.contains("`cpu_request_cores` is null"), "{e}");

    write_raw(
        &path,
        three_vms(|c| set(c, "priority", strs(&[Some("on-demand"), Some("spot"), None]), true)),
        good_meta(),
    );
    let e = err_text(&path);
    assert!(e.contains("row 2") && e.contains("`priority` is null"), "{e}");

    write_raw(
        &path,
        three_vms(|c| {
            set(
                c,
                "priority",
                strs(&[Some("on-demand"), Some("spot"), Some("preemptible")]),
                false,
            )
        }),
        good_meta(),
    );
    let e = err_text(&path);
    assert!(e.contains("row 2") && e.contains("\"preemptible\""), "{e}");

    // A null element inside a usage list.
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    let mut b = ListBuilder::new(Float32Builder::new()).with_field(item);
    b.values().append_value(0.5);
    b.append(true);
    b.values().append_value(1.0);
    b.values().append_null();
    b.append(true);
    b.values().append_value(0.25);
    b.append(true);
    write_raw(
        &path,
        three_vms(|c| set(c, "memory_usage_gib", Arc::new(b.finish()), false)),
        good_meta(),
    );
    let e = err_text(&path);
    assert!(
        e.contains("row 1") && e.contains("`memory_usage_gib` holds a null element"),
        "{e}"
    );
}

#[test]
fn vm_invariants_are_checked() {
    let dir = TempDir::new("invariants");
    let path = dir.path("w.parquet");
    // Departure not after arrival.
    write_raw(
        &path,
        three_vms(|c| set(c, "departure_step", u32s(&[Some(1), Some(1), Some(2)]), false)),
        good_meta(),
    );
    let e = err_text(&path);
    assert!(
        e.contains("w.parquet") && e.contains("invalid workload") && e.contains("VM 1"),
        "{e}"
    );
    // Usage series of the wrong length.
    write_raw(
        &path,
        three_vms(|c| set(c, "cpu_usage_cores", lists(&[vec![0.5], vec![1.0], vec![0.25]]), false)),
        good_meta(),
    );
    let e = err_text(&path);
    assert!(e.contains("invalid workload") && e.contains("usage series"), "{e}");
    // Ids not dense.
    write_raw(
        &path,
        three_vms(|c| set(c, "id", u32s(&[Some(0), Some(2), Some(1)]), false)),
        good_meta(),
    );
    assert!(err_text(&path).contains("has id"));
    // Negative usage.
    write_raw(
        &path,
        three_vms(|c| {
            set(
                c,
                "cpu_usage_cores",
                lists(&[vec![0.5], vec![1.0, -1.0], vec![0.25]]),
                false,
            )
        }),
        good_meta(),
    );
    assert!(err_text(&path).contains("negative"));
}

#[test]
fn truncated_files_are_errors() {
    let dir = TempDir::new("trunc");
    let good = dir.path("good.parquet");
    write_workload(&good, &sample()).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path("cut.parquet");
    for len in (0..bytes.len()).rev() {
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let e = err_text(&cut);
        assert!(e.contains("cut.parquet"), "{len}: {e}");
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let dir = TempDir::new("corrupt");
    let good = dir.path("good.parquet");
    write_workload(&good, &sample()).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let bad = dir.path("bad.parquet");
    // Every byte in turn, flipped: reading may fail or (for bytes of
    // uncompressed-and-unchecked values) succeed, but must return.
    let mut failures = 0;
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0xff;
        std::fs::write(&bad, &b).unwrap();
        if read_workload(&bad).is_err() {
            failures += 1;
        }
    }
    assert!(failures > 0);
}

#[test]
fn failed_write_leaves_target_untouched() {
    let dir = TempDir::new("failed");
    let w = sample();

    // The target directory does not exist: an error, nothing created.
    let nowhere = dir.path("no-such-dir").join("w.parquet");
    let e = write_workload(&nowhere, &w).unwrap_err().to_string();
    assert!(e.contains("w.parquet"), "{e}");
    assert!(!nowhere.exists());
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());

    // The target is a directory: the rename fails, the temporary file goes.
    let target = dir.path("target.parquet");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("inside"), b"keep").unwrap();
    assert!(write_workload(&target, &w).is_err());
    assert!(target.is_dir());
    assert_eq!(std::fs::read(target.join("inside")).unwrap(), b"keep");
    assert_eq!(dir.entries(), vec!["target.parquet".to_string()]);

    // An invalid workload is refused and an existing file stays as it was.
    let path = dir.path("w.parquet");
    write_workload(&path, &w).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut broken = w.clone();
    broken.vms[0].usage.cpu.pop();
    let e = write_workload(&path, &broken).unwrap_err().to_string();
    assert!(e.contains("invalid workload"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        dir.entries(),
        vec!["target.parquet".to_string(), "w.parquet".to_string()]
    );
}

fn arb_f32() -> impl Strategy<Value = f32> {
    // Every finite non-negative f32 bit pattern (0x7f80_0000 is +inf),
    // with small everyday values more often.
    prop_oneof![
        (0u32..0x7f80_0000).prop_map(f32::from_bits),
        (0u32..1000).prop_map(|x| x as f32 / 100.0),
    ]
}

fn arb_vm() -> impl Strategy<Value = Vm> {
    (0u32..200, 1usize..12, arb_f32(), arb_f32(), any::<bool>())
        .prop_flat_map(|(arrival, life, cpu_req, mem_req, spot)| {
            (
                Just((arrival, cpu_req, mem_req, spot)),
                prop::collection::vec(arb_f32(), life),
                prop::collection::vec(arb_f32(), life),
            )
        })
        .prop_map(|((arrival, cpu_req, mem_req, spot), cpu, mem)| {
            let p = if spot { Priority::Spot } else { Priority::OnDemand };
            vm(arrival, cpu_req, mem_req, p, cpu, mem)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn random_workloads_round_trip(
        vms in prop::collection::vec(arb_vm(), 0..40),
        step_seconds in 1u32..100_000,
        observed_back in 0u32..10,
        seed in any::<u64>(),
    ) {
        let provenance = Provenance { steps: vec![ProvenanceStep::new("random").with("seed", seed)] };
        let mut w = Workload::new(step_seconds, vms, provenance).unwrap();
        w.observed_from = Step(w.observed_from.0.saturating_sub(observed_back));
        let dir = TempDir::new("prop");
        let path = dir.path("w.parquet");
        write_workload(&path, &w).unwrap();
        let back = read_workload(&path).unwrap();
        assert_identical(&w, &back);
    }
}

#[test]
fn tenants_and_vm_types_round_trip_with_nulls() {
    let dir = TempDir::new("tenants");
    let path = dir.path("w.parquet");
    let mut w = sample();
    w.vms[0].tenant = Some(hearth_trace::TenantId(7));
    w.vms[0].vm_type = Some(hearth_trace::VmTypeId(3));
    w.vms[1].tenant = Some(hearth_trace::TenantId(0));
    write_workload(&path, &w).unwrap();
    let back = read_workload(&path).unwrap();
    assert_eq!(back, w);
    assert!(back.vms.iter().any(|vm| vm.tenant.is_none()), "nulls stay null");
}
