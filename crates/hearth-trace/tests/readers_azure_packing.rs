//! The reader of the Azure packing trace 2020: the shipped CoSpot sample
//! (counts, edges, D-series sizes), a fixture of edge cases, bad rows, gzip,
//! CoSpot's machine types, and a fuzz that must never panic.

use flate2::write::GzEncoder;
use flate2::Compression;
use hearth_trace::formats::azure_packing_2020::{read_server_types, WINDOW_DAYS};
use hearth_trace::{
    import, Format, ImportOptions, Imported, OnBadRow, Priority, Resources, Source, Step, TenantId, Vm, VmTypeId,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use std::collections::HashSet;
use std::io::Write;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/azure-packing-2020");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/azure-packing-2020");
const SAMPLE_CSV: &str = "relevant-vm-1pcnt_0.csv";
const HEADER: &str = "vmId,tenantId,cores,ram,vmTypeId,starttime,endtime\n";
/// Steps in the 14-day window at 300 s.
const WINDOW_STEPS: u32 = 14 * 288;

fn read_bytes(name: &str, bytes: impl Into<Vec<u8>>, policy: OnBadRow) -> hearth_trace::Result<Imported> {
    let opts = ImportOptions {
        on_bad_row: policy,
        ..ImportOptions::default()
    };
    let source = Source::from_bytes(name, bytes.into()).expect("in-memory source");
    import(Format::AzurePacking2020, vec![source], &opts)
}

fn sample() -> Vec<u8> {
    std::fs::read(format!("{SAMPLES}/{SAMPLE_CSV}")).expect("the sample is shipped")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

fn detail(imported: &Imported, key: &str) -> Value {
    imported.workload.provenance.steps[0].details[key].clone()
}

fn error_of(result: hearth_trace::Result<Imported>) -> String {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn one_row(row: &str) -> hearth_trace::Result<Imported> {
    read_bytes("t.csv", format!("{HEADER}{row}\n"), OnBadRow::Fail)
}

#[test]
fn the_shipped_sample_reads_with_its_real_counts() {
    let imported = read_bytes(SAMPLE_CSV, sample(), OnBadRow::Fail).unwrap();
    let w = &imported.workload;
    assert_eq!(w.vms.len(), 52_314);
    assert_eq!(imported.report.rows, 52_314);
    assert_eq!(w.step_seconds, 300);
    let spot = w.vms.iter().filter(|vm| vm.priority == Priority::Spot).count();
    assert_eq!(spot, 6_722);
    let share = spot as f64 / w.vms.len() as f64;
    assert!((0.10..0.14).contains(&share), "spot share {share}");
    let tenants: HashSet<TenantId> = w.vms.iter().map(|vm| vm.tenant.unwrap()).collect();
    assert_eq!(tenants.len(), 21_624);
    assert_eq!(tenants.iter().map(|t| t.0).max(), Some(21_623), "tenant ids are dense");
    assert_eq!(detail(&imported, "tenants"), 21_624);
    assert_eq!(detail(&imported, "vms_started_before_window"), 7_023);
    assert_eq!(detail(&imported, "vms_still_running_at_end"), 4_578);
    assert_eq!(detail(&imported, "vms_ended_after_window"), 2_402);
    assert_eq!(detail(&imported, "spot_vms"), 6_722);
    assert_eq!(w.end(), Step(WINDOW_STEPS));
    assert_eq!(w.vm_steps(), 28_164_392);
    assert_eq!(w.peak_alive(), (7_551, Step(103)));
    let at_start = w.vms.iter().filter(|vm| vm.arrival == Step(0)).count();
    assert_eq!(
        at_start, 7_030,
        "7,023 started before the trace plus 7 in its first step"
    );
}

#[test]
fn sample_flavours_are_azure_d_series_sizes() {
    let imported = read_bytes(SAMPLE_CSV, sample(), OnBadRow::Fail).unwrap();
    let w = &imported.workload;
    let count = |cores: f32, gib: f32| {
        w.vms
            .iter()
            .filter(|vm| vm.request == Resources::new(cores, gib))
            .count()
    };
    assert_eq!(count(1.0, 3.5), 8_127);
    assert_eq!(count(2.0, 7.0), 9_630);
    assert_eq!(count(8.0, 28.0), 4_659);
    assert_eq!(count(16.0, 112.0), 762);
    let types: HashSet<VmTypeId> = w.vms.iter().map(|vm| vm.vm_type.unwrap()).collect();
    assert_eq!(types.len(), 78);
    let listed = detail(&imported, "vm_types");
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 78);
    // The first row of the file is a (200, 28) VM: flavour 0 is 2 cores, 7 GiB.
    assert_eq!(listed[0]["cores"], 2.0);
    assert_eq!(listed[0]["memory_gib"], 7.0);
    let total: u64 = listed.iter().map(|t| t["vms"].as_u64().unwrap()).sum();
    assert_eq!(total, 52_314);
    // Every VM of a type has the type's size; usage is the request, flat.
    for vm in &w.vms {
        let t = &listed[vm.vm_type.unwrap().0 as usize];
        assert_eq!(vm.request.cpu.0 as f64, t["cores"].as_f64().unwrap());
        assert!(vm.usage.cpu.iter().all(|&c| c == vm.request.cpu.0));
        assert!(vm.usage.memory.iter().all(|&m| m == vm.request.memory.0));
    }
}

fn find(vms: &[Vm], arrival: u32, cores: f32) -> &Vm {
    vms.iter()
        .find(|vm| vm.arrival == Step(arrival) && vm.request.cpu.0 == cores)
        .unwrap_or_else(|| panic!("no VM arriving at {arrival} with {cores} cores"))
}

#[test]
fn fixture_edges_map_to_the_window() {
    let bytes = std::fs::read(format!("{FIXTURES}/edges.csv")).unwrap();
    let imported = read_bytes("edges.csv", bytes, OnBadRow::Fail).unwrap();
    let vms = &imported.workload.vms;
    assert_eq!(vms.len(), 6);
    // Started 3.5 days before the trace, still running: the whole window.
    // Sorted by arrival, then file order: the first 1-core VM at step 0 is row 1.
    let v1 = find(vms, 0, 1.0);
    assert_eq!((v1.departure, v1.request.memory.0), (Step(WINDOW_STEPS), 3.5));
    assert_eq!((v1.priority, v1.tenant), (Priority::OnDemand, Some(TenantId(0))));
    // 0.5 to 1.0 days: steps 144..288, spot, second tenant.
    let v2 = find(vms, 144, 2.0);
    assert_eq!(
        (v2.departure, v2.priority, v2.tenant),
        (Step(288), Priority::Spot, Some(TenantId(1)))
    );
    // Starts at 13.99 days, ends at 40: cut at the window's end.
    let v3 = find(vms, 4029, 8.0);
    assert_eq!((v3.departure, v3.tenant), (Step(WINDOW_STEPS), Some(TenantId(0))));
    // Ends as it starts: one step.
    let v4 = find(vms, 576, 16.0);
    assert_eq!((v4.departure, v4.request.memory.0), (Step(577), 112.0));
    // Started before, ends at 0.25 days = step 72 exactly.
    let v5 = vms.iter().find(|vm| vm.departure == Step(72)).unwrap();
    assert_eq!(
        (v5.arrival, v5.tenant, v5.vm_type),
        (Step(0), Some(TenantId(1)), v1.vm_type)
    );
    // An empty endtime is NULL: still running.
    let v6 = find(vms, 288, 0.42);
    assert_eq!(
        (v6.departure, v6.request.memory.0, v6.tenant),
        (Step(WINDOW_STEPS), 1.75, Some(TenantId(2)))
    );
    assert_eq!(detail(&imported, "vms_started_before_window"), 2);
    assert_eq!(detail(&imported, "vms_still_running_at_end"), 2);
    assert_eq!(detail(&imported, "vms_ended_after_window"), 1);
    assert_eq!(detail(&imported, "window_days"), WINDOW_DAYS);
    assert_eq!(detail(&imported, "vm_types").as_array().unwrap().len(), 5);
}

#[test]
fn columns_are_found_by_name_and_gzip_is_transparent() {
    let text = "endtime,starttime,vmTypeId,ram,cores,tenantId,vmId\n1.0,0.5,1,28.0,200.0,a,7\n";
    let plain = read_bytes("a.csv", text, OnBadRow::Fail).unwrap().workload;
    let vm = &plain.vms[0];
    assert_eq!((vm.arrival, vm.departure), (Step(144), Step(288)));
    assert_eq!((vm.request, vm.priority), (Resources::new(2.0, 7.0), Priority::Spot));
    let zipped = read_bytes("a.csv.gz", gzip(text.as_bytes()), OnBadRow::Fail)
        .unwrap()
        .workload;
    assert_eq!(zipped.vms, plain.vms);
    let sample_gz = read_bytes("s.csv.gz", gzip(&sample()), OnBadRow::Fail).unwrap();
    assert_eq!(sample_gz.workload.vms.len(), 52_314);
}

#[test]
fn bad_rows_name_file_line_and_field() {
    let cases = [
        ("1,a,-100.0,14.0,0,0.5,1.0", "field `cores`"),
        ("1,a,100.0,0,0,0.5,1.0", "field `ram`"),
        ("1,a,100.0,NaN,0,0.5,1.0", "field `ram`"),
        ("1,a,100.0,14.0,2,0.5,1.0", "field `vmTypeId`"),
        ("1,a,100.0,14.0,0.5,0.5,1.0", "field `vmTypeId`"),
        ("1,a,100.0,14.0,0,2.0,1.0", "field `endtime`"),
        ("1,a,100.0,14.0,0,-2.0,-1.0", "field `endtime`"),
        ("1,a,100.0,14.0,0,0.5,NaN", "field `endtime`"),
        ("1,a,100.0,14.0,0,0.5,-inf", "field `endtime`"),
        ("1,a,100.0,14.0,0,14.0,inf", "field `starttime`"),
        ("1,a,100.0,14.0,0,NaN,inf", "field `starttime`"),
        ("1,a,100.0,14.0,0,x,inf", "field `starttime`"),
        ("1,,100.0,14.0,0,0.5,inf", "field `tenantId`"),
        (",a,100.0,14.0,0,0.5,inf", "field `vmId`"),
        ("1,a,100.0,14.0,0,0.5", "field `endtime`"),
    ];
    for (row, field) in cases {
        let err = error_of(one_row(row));
        assert!(err.starts_with("t.csv:2: ") && err.contains(field), "{row}: {err}");
    }
    let twice = format!("{HEADER}1,a,100.0,14.0,0,0.5,inf\n1,b,100.0,14.0,0,0.6,inf\n");
    let err = error_of(read_bytes("t.csv", twice, OnBadRow::Fail));
    assert!(
        err.contains("t.csv:3: field `vmId`") && err.contains("first at t.csv:2"),
        "{err}"
    );
    let err = error_of(read_bytes("t.csv", "vmId,tenantId,cores\n1,a,100\n", OnBadRow::Fail));
    assert!(err.starts_with("t.csv:1: field `ram`"), "{err}");
    let err = error_of(read_bytes("t.csv", HEADER, OnBadRow::Fail));
    assert!(err.contains("no VMs"), "{err}");
}

#[test]
fn skipped_bad_rows_are_counted_and_good_rows_kept() {
    let text = format!("{HEADER}1,a,100.0,14.0,0,0.5,inf\n2,a,100.0,14.0,7,0.5,inf\n3,b,200.0,28.0,1,1.0,2.0\n");
    let imported = read_bytes("t.csv", text, OnBadRow::Skip).unwrap();
    assert_eq!(imported.workload.vms.len(), 2);
    assert_eq!(imported.report.skipped_rows, 1);
    assert!(imported.report.skipped_examples[0].starts_with("t.csv:3: field `vmTypeId`"));
    // The skipped row gave out no tenant or type id: ids stay dense.
    let tenants: Vec<u32> = imported.workload.vms.iter().map(|vm| vm.tenant.unwrap().0).collect();
    assert_eq!(tenants, [0, 1]);
    assert_eq!(detail(&imported, "bad_rows_skipped"), 1);
}

#[test]
fn machine_types_are_refused_as_a_workload() {
    let json = std::fs::read(format!("{SAMPLES}/server_vm_cores_ram.json")).unwrap();
    let err = error_of(read_bytes("server_vm_cores_ram.json", json, OnBadRow::Fail));
    assert!(err.contains("--nodes"), "{err}");
}

#[test]
fn cospot_machine_types_read_in_cores_and_gib() {
    let source = Source::open(format!("{SAMPLES}/server_vm_cores_ram.json").as_ref()).unwrap();
    let types = read_server_types(source).unwrap();
    let ids: Vec<u32> = types.iter().map(|t| t.id).collect();
    assert_eq!(ids, [1, 2, 4, 10, 12, 16]);
    let capacity = |id: u32| types.iter().find(|t| t.id == id).unwrap().capacity;
    assert_eq!(capacity(2), Resources::new(24.0, 192.0));
    assert_eq!(capacity(1), Resources::new(96.0, 562.5));
    assert_eq!(capacity(16), Resources::new(104.0, 562.5));
}

#[test]
fn bad_machine_types_are_clear_errors() {
    let read = |text: &str| read_server_types(Source::from_bytes("m.json", text.to_string()).unwrap());
    let err = |text: &str| read(text).map(|_| ()).unwrap_err().to_string();
    assert!(err("[{\"server_cores[2]\": 2400.0}]").contains("no `server_ram[2]`"));
    assert!(err("[{\"server_ram[3]\": 24.0}]").contains("no `server_cores[3]`"));
    assert!(err("[{\"server_cores[x]\": 1}, {\"server_ram[x]\": 1}]").contains("key `server_cores[x]`"));
    assert!(err("[{\"disk[1]\": 1}]").contains("key `disk[1]`"));
    assert!(err("[{\"server_cores[1]\": -1}, {\"server_ram[1]\": 1}]").contains("not a positive number"));
    assert!(err("[{\"vm_cores[1]\": 100}]").contains("no machine types"));
    assert!(err("[{\"server_cores[1]\": ").starts_with("m.json:1: not valid JSON"));
    assert!(err("42").contains("expected a JSON array"));
    let one = read("{\"server_cores[7]\": 800, \"server_ram[7]\": 64}").unwrap();
    assert_eq!((one[0].id, one[0].capacity), (7, Resources::new(8.0, 16.0)));
}

/// The first lines of the sample with a few bytes replaced, inserted or
/// removed, sometimes gzipped, sometimes cut short.
fn mutated_sample() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let head: Vec<u8> = sample()
        .split_inclusive(|&b| b == b'\n')
        .take(40)
        .flatten()
        .copied()
        .collect();
    let edit = (0u8..3, any::<prop::sample::Index>(), any::<u8>());
    (
        prop::collection::vec(edit, 1..6),
        any::<prop::sample::Index>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(edits, cut, truncate, zipped)| {
            let mut b = head.clone();
            for (op, at, byte) in edits {
                let i = at.index(b.len() + 1);
                match op {
                    0 if i < b.len() => b[i] = byte,
                    1 if i < b.len() => {
                        b.remove(i);
                    }
                    _ => b.insert(i, byte),
                }
            }
            if truncate {
                b.truncate(cut.index(b.len() + 1));
            }
            (b, zipped)
        })
}

#[test]
fn fuzzed_input_never_panics() {
    let mut runner = TestRunner::new(Config {
        cases: 600,
        failure_persistence: None,
        ..Config::default()
    });
    let check = |bytes: Vec<u8>, zipped: bool| {
        let bytes = if zipped { gzip(&bytes) } else { bytes };
        for policy in [OnBadRow::Fail, OnBadRow::Skip] {
            if let Ok(imported) = read_bytes("f.csv", bytes.clone(), policy) {
                imported.workload.validate().expect("an accepted workload is valid");
                assert!(imported.workload.end() <= Step(WINDOW_STEPS));
            }
        }
        Ok(())
    };
    runner.run(&mutated_sample(), |(b, z)| check(b, z)).unwrap();
    let arbitrary = (prop::collection::vec(any::<u8>(), 0..400), any::<bool>());
    runner.run(&arbitrary, |(b, z)| check(b, z)).unwrap();
}
