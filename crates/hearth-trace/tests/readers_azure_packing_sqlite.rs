//! The original SQLite form of the Azure packing trace 2020, on a small
//! database this test writes from the published schema
//! (`AzureTracesForPacking2020.md`): sizes from `vmType` fractions of
//! CoSpot's machine types, edges, bad rows, gzip, and agreement with the
//! CoSpot CSV form of the same VMs.

use flate2::write::GzEncoder;
use flate2::Compression;
use hearth_trace::formats::azure_packing_2020::read_server_types;
use hearth_trace::formats::azure_packing_2020::sqlite::MACHINE_TYPES;
use hearth_trace::{import, Format, ImportOptions, Imported, OnBadRow, Priority, Resources, Source, Step, TenantId};
use rusqlite::Connection;
use std::io::Write;
use std::path::{Path, PathBuf};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/azure-packing-2020");
const WINDOW_STEPS: u32 = 14 * 288;

/// `vmType` rows: (vmTypeId, machineId, core, memory), fractions of the
/// machine as the trace prints them.
const TYPES: [(i64, i64, f64, f64); 5] = [
    // Type 0 on machine 2 (2400, 768): (100, 14) units = 1 core 3.5 GiB.
    (0, 2, 0.0416666666666667, 0.0182291666666667),
    // Type 0 also on machine 0, whose capacity is unknown: not used.
    (0, 0, 0.0208333333333333, 0.00390625),
    // Type 1 on machine 16 (10400, 2250): (800, 112) = 8 cores 28 GiB.
    (1, 16, 0.0769230769230769, 0.0497777777777778),
    // Type 2 on machines 12 and 1: both (200, 28) = 2 cores 7 GiB.
    (2, 12, 0.05, 0.013671875),
    (2, 1, 0.0208333333333333, 0.0124444444444444),
];

/// `vm` rows: (vmId, tenantId, vmTypeId, priority, starttime, endtime).
type VmRow = (i64, i64, i64, i64, f64, Option<f64>);
const VMS: [VmRow; 4] = [
    (10, 100, 0, 0, -2.0, None),
    (11, 101, 1, 1, 0.5, Some(1.0)),
    (12, 100, 2, 0, 13.5, Some(20.0)),
    (13, 102, 2, 1, 1.0, Some(f64::INFINITY)),
];

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-packing-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Writes a database with the trace's two tables and the given rows.
fn write_db(path: &Path, types: &[(i64, i64, f64, f64)], vms: &[VmRow]) {
    let _ = std::fs::remove_file(path);
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE vm (vmId INTEGER, tenantId INTEGER, vmTypeId INTEGER, priority INTEGER, starttime REAL, endtime REAL);
         CREATE TABLE vmType (id INTEGER, vmTypeId INTEGER, machineId INTEGER, core REAL, memory REAL, hdd REAL, ssd REAL, nic REAL);",
    )
    .unwrap();
    for (id, t) in types.iter().enumerate() {
        conn.execute(
            "INSERT INTO vmType VALUES (?1, ?2, ?3, ?4, ?5, NULL, 0.01, 0.001)",
            rusqlite::params![id as i64 + 1, t.0, t.1, t.2, t.3],
        )
        .unwrap();
    }
    for v in vms {
        conn.execute(
            "INSERT INTO vm VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![v.0, v.1, v.2, v.3, v.4, v.5],
        )
        .unwrap();
    }
}

fn opts(policy: OnBadRow) -> ImportOptions {
    ImportOptions {
        on_bad_row: policy,
        ..ImportOptions::default()
    }
}

fn read_path(path: &Path, policy: OnBadRow) -> hearth_trace::Result<Imported> {
    import(
        Format::AzurePacking2020,
        vec![Source::open(path).unwrap()],
        &opts(policy),
    )
}

fn read_bytes(name: &str, bytes: Vec<u8>, policy: OnBadRow) -> hearth_trace::Result<Imported> {
    import(
        Format::AzurePacking2020,
        vec![Source::from_bytes(name, bytes).unwrap()],
        &opts(policy),
    )
}

fn error_of(result: hearth_trace::Result<Imported>) -> String {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn sqlite_vms_are_sized_from_machine_fractions() {
    let path = temp_path("sized.sqlite");
    write_db(&path, &TYPES, &VMS);
    let imported = read_path(&path, OnBadRow::Fail).unwrap();
    let vms = &imported.workload.vms;
    assert_eq!(vms.len(), 4);
    let by_arrival = |step: u32| vms.iter().find(|vm| vm.arrival == Step(step)).unwrap();
    let v10 = by_arrival(0);
    assert_eq!(v10.request, Resources::new(1.0, 3.5));
    assert_eq!(
        (v10.departure, v10.priority, v10.tenant),
        (Step(WINDOW_STEPS), Priority::OnDemand, Some(TenantId(0)))
    );
    let v11 = by_arrival(144);
    assert_eq!(
        (v11.request, v11.departure, v11.priority),
        (Resources::new(8.0, 28.0), Step(288), Priority::Spot)
    );
    let v12 = by_arrival(3888);
    assert_eq!(
        (v12.request, v12.departure, v12.tenant),
        (Resources::new(2.0, 7.0), Step(WINDOW_STEPS), Some(TenantId(0)))
    );
    let v13 = by_arrival(288);
    assert_eq!(
        (v13.departure, v13.vm_type, v13.tenant),
        (Step(WINDOW_STEPS), v12.vm_type, Some(TenantId(2)))
    );
    let details = &imported.workload.provenance.steps[0].details;
    assert_eq!(details["forms"], serde_json::json!(["sqlite"]));
    assert_eq!(details["vms_started_before_window"], 1);
    assert_eq!(details["vms_still_running_at_end"], 2, "NULL and inf");
    assert_eq!(details["vms_ended_after_window"], 1);
    assert_eq!(details["sqlite_vm_types_sized"], 3);
    assert_eq!(details["spot_vms"], 2);
}

#[test]
fn sqlite_and_csv_forms_of_the_same_vms_agree() {
    let path = temp_path("agree.sqlite");
    write_db(&path, &TYPES, &VMS);
    let from_sqlite = read_path(&path, OnBadRow::Fail).unwrap().workload;
    let csv = "vmId,tenantId,cores,ram,vmTypeId,starttime,endtime\n\
               10,100,100.0,14.0,0,-2.0,inf\n11,101,800.0,112.0,1,0.5,1.0\n\
               12,100,200.0,28.0,0,13.5,20.0\n13,102,200.0,28.0,1,1.0,inf\n";
    let from_csv = read_bytes("same.csv", csv.as_bytes().to_vec(), OnBadRow::Fail)
        .unwrap()
        .workload;
    assert_eq!(from_sqlite.vms, from_csv.vms);
}

#[test]
fn gzipped_sqlite_is_read_in_memory() {
    let path = temp_path("zipped.sqlite");
    write_db(&path, &TYPES, &VMS);
    let raw = std::fs::read(&path).unwrap();
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(&raw).unwrap();
    let zipped = read_bytes("trace.sqlite.gz", enc.finish().unwrap(), OnBadRow::Fail).unwrap();
    let plain = read_path(&path, OnBadRow::Fail).unwrap();
    assert_eq!(zipped.workload.vms, plain.workload.vms);
    let unzipped_in_memory = read_bytes("trace.sqlite", raw, OnBadRow::Fail).unwrap();
    assert_eq!(unzipped_in_memory.workload.vms, plain.workload.vms);
}

/// Issue 24's minimal input: in the published file, 15 of 488 VM types have
/// `vmType` rows only on machine types of unpublished capacity; the import
/// refused the whole file at the first such VM.
#[test]
fn vms_of_types_on_unpublished_machines_are_left_out_counted_and_warned() {
    let path = temp_path("unpublished.sqlite");
    let types = [
        (0, 2, 0.0416666666666667, 0.0182291666666667),
        (5, 3, 0.0416666666666667, 0.0182291666666667),
    ];
    let vms = [
        (20, 100, 0, 0, 1.0, Some(2.0)),
        (21, 101, 5, 0, 1.0, Some(2.0)),
        (22, 101, 5, 1, 1.5, Some(3.0)),
        (23, 102, 0, 1, 2.0, Some(4.0)),
    ];
    write_db(&path, &types, &vms);
    let imported = read_path(&path, OnBadRow::Fail).expect("the file is read, not refused");
    assert_eq!(imported.workload.vms.len(), 2);
    assert_eq!(imported.report.skipped_rows, 0);
    let dropped = &imported.report.dropped;
    assert_eq!(
        (dropped.len(), dropped[0].rows, dropped[0].of),
        (1, 2, 4),
        "{dropped:?}"
    );
    let warning = imported.report.warnings.join("\n");
    assert!(
        warning.contains("2 of 4 VMs left out") && warning.contains("type 5 (2 VMs, machine types 3)"),
        "{warning}"
    );
    let details = &imported.workload.provenance.steps[0].details;
    assert_eq!(details["sqlite_vms_of_unsized_types"], 2);
    assert!(details["warnings"].to_string().contains("machine types 3"));
}

#[test]
fn vms_of_types_without_vmtype_rows_are_bad_rows() {
    let path = temp_path("unsized.sqlite");
    let mut vms = VMS.to_vec();
    vms.insert(1, (14, 103, 7, 0, 1.0, Some(2.0)));
    write_db(&path, &TYPES, &vms);
    let err = error_of(read_path(&path, OnBadRow::Fail));
    let label = format!("{}[vm]:2: field `vmTypeId`", path.display());
    assert!(err.starts_with(&label) && err.contains("VM type 7"), "{err}");
    let skipped = read_path(&path, OnBadRow::Skip).unwrap();
    assert_eq!((skipped.workload.vms.len(), skipped.report.skipped_rows), (4, 1));
    assert_eq!(skipped.report.rows, 5);
}

#[test]
fn bad_sqlite_values_name_table_row_and_field() {
    let cases: [(VmRow, &str); 5] = [
        ((1, 1, 0, 2, 0.5, None), "field `priority`"),
        ((1, 1, 0, 0, 14.5, None), "field `starttime`"),
        ((1, 1, 0, 0, 3.0, Some(2.0)), "field `endtime`"),
        ((1, 1, 0, 0, f64::NAN, None), "field `starttime`"),
        ((1, 1, 0, 0, -3.0, Some(-1.0)), "field `endtime`"),
    ];
    for (i, (row, field)) in cases.into_iter().enumerate() {
        let path = temp_path(&format!("bad{i}.sqlite"));
        write_db(&path, &TYPES, &[row]);
        let err = error_of(read_path(&path, OnBadRow::Fail));
        assert!(
            err.starts_with(&format!("{}[vm]:1: {field}", path.display())),
            "{row:?}: {err}"
        );
    }
    let path = temp_path("bad-type.sqlite");
    write_db(&path, &[(0, 2, 1.5, 0.1)], &VMS[..1]);
    let err = error_of(read_path(&path, OnBadRow::Fail));
    assert!(
        err.starts_with(&format!("{}[vmType]:1: field `core`", path.display())),
        "{err}"
    );
}

#[test]
fn missing_tables_and_broken_files_are_clear_errors() {
    let path = temp_path("no-vm.sqlite");
    let _ = std::fs::remove_file(&path);
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE other (x INTEGER);")
        .unwrap();
    let err = error_of(read_path(&path, OnBadRow::Fail));
    assert!(err.contains("expected table `vmType`"), "{err}");
    let path = temp_path("empty-vm.sqlite");
    write_db(&path, &TYPES, &[]);
    assert!(error_of(read_path(&path, OnBadRow::Fail)).contains("holds no VMs"));
    // The magic and then garbage: refused, never a panic.
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xAB, 2000));
    let err = error_of(read_bytes("junk.sqlite", bytes, OnBadRow::Fail));
    assert!(err.starts_with("junk.sqlite"), "{err}");
}

#[test]
fn machine_capacities_match_the_shipped_cospot_file() {
    let source = Source::open(format!("{SAMPLES}/server_vm_cores_ram.json").as_ref()).unwrap();
    let types = read_server_types(source).unwrap();
    assert_eq!(types.len(), MACHINE_TYPES.len());
    for (t, (id, cores, ram)) in types.iter().zip(MACHINE_TYPES) {
        assert_eq!(i64::from(t.id), id);
        assert_eq!(t.capacity, Resources::new((cores / 100.0) as f32, (ram / 4.0) as f32));
    }
}

#[test]
fn fuzzed_sqlite_bytes_never_panic() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let path = temp_path("fuzz.sqlite");
    write_db(&path, &TYPES, &VMS);
    let seed = std::fs::read(&path).unwrap();
    let edit = (any::<prop::sample::Index>(), any::<u8>());
    let strategy = (
        prop::collection::vec(edit, 1..8),
        any::<prop::sample::Index>(),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(edits, cut, truncate)| {
            let mut b = seed.clone();
            for (at, byte) in edits {
                let i = at.index(b.len());
                b[i] = byte;
            }
            if truncate {
                b.truncate(cut.index(b.len()).max(16));
            }
            for policy in [OnBadRow::Fail, OnBadRow::Skip] {
                if let Ok(imported) = read_bytes("f.sqlite", b.clone(), policy) {
                    imported.workload.validate().expect("an accepted workload is valid");
                }
            }
            Ok(())
        })
        .unwrap();
}
