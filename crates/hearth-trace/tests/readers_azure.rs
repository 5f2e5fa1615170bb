//! Readers of the Azure traces (VM V1/V2, Functions 2019, Functions 2021) on
//! fixtures written in the publishers' formats (see tests/fixtures/azure-*/README.md).

use hearth_trace::{import, Format, ImportOptions, Imported, OnBadRow, Source, Vm};
use proptest::prelude::*;
use std::path::PathBuf;

const VM_DIR: &str = "azure-vm";
const VM_FILES: [&str; 3] = [
    "vmtable.csv",
    "vm_cpu_readings-file-1-of-2.csv",
    "vm_cpu_readings-file-2-of-2.csv",
];
const F19_DIR: &str = "azure-functions-2019";
const F19_FILES: [&str; 5] = [
    "invocations_per_function_md.anon.d01.csv",
    "invocations_per_function_md.anon.d02.csv",
    "function_durations_percentiles.anon.d01.csv",
    "function_durations_percentiles.anon.d02.csv",
    "app_memory_percentiles.anon.d01.csv",
];
const F21_DIR: &str = "azure-functions-2021";
const F21_FILE: &str = "AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt";

fn fixture(dir: &str, name: &str) -> Vec<u8> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", dir, name]
        .iter()
        .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture files of a format, as (name, bytes), with `replace` swapping
/// in other bytes for the named file.
fn files(dir: &str, names: &[&str], replace: Option<(&str, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .map(|&n| match &replace {
            Some((r, bytes)) if *r == n => (n.to_string(), bytes.clone()),
            _ => (n.to_string(), fixture(dir, n)),
        })
        .collect()
}

fn read(format: Format, files: Vec<(String, Vec<u8>)>, policy: OnBadRow) -> hearth_trace::Result<Imported> {
    let sources = files
        .into_iter()
        .map(|(n, b)| Source::from_bytes(n, b))
        .collect::<hearth_trace::Result<Vec<_>>>()?;
    let opts = ImportOptions {
        on_bad_row: policy,
        ..ImportOptions::default()
    };
    import(format, sources, &opts)
}

fn ok(format: Format, files: Vec<(String, Vec<u8>)>) -> Imported {
    read(format, files, OnBadRow::Fail).unwrap_or_else(|e| panic!("{e}"))
}

fn err(format: Format, files: Vec<(String, Vec<u8>)>) -> String {
    match read(format, files, OnBadRow::Fail) {
        Ok(_) => panic!("corrupt input was accepted"),
        Err(e) => e.to_string(),
    }
}

/// The fixture with `from` replaced by `to` on the given 1-based line.
fn edit_line(dir: &str, name: &str, line: usize, from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture(dir, name)).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                l.replacen(from, to, 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_ne!(
        lines.join("\n") + "\n",
        text,
        "edit of {name} line {line} changed nothing"
    );
    (lines.join("\n") + "\n").into_bytes()
}

/// The fixture with the last field of the given line removed.
fn drop_last_field(dir: &str, name: &str, line: usize) -> Vec<u8> {
    let text = String::from_utf8(fixture(dir, name)).unwrap();
    let l = text.lines().nth(line - 1).unwrap();
    let cut = &l[..l.rfind(',').unwrap()];
    text.replacen(l, cut, 1).into_bytes()
}

fn assert_close(actual: &[f32], expected: &[f32], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: {actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!(
            (a - e).abs() <= 1e-5 * e.abs().max(1.0),
            "{what}: {actual:?} vs {expected:?}"
        );
    }
}

fn check_vm(vm: &Vm, arrival: u32, departure: u32, request: (f32, f32), cpu: &[f32], memory: f32) {
    let what = format!("VM {}", vm.id.0);
    assert_eq!((vm.arrival.0, vm.departure.0), (arrival, departure), "{what} life");
    assert_close(
        &[vm.request.cpu.0, vm.request.memory.0],
        &[request.0, request.1],
        &format!("{what} request"),
    );
    assert_close(&vm.usage.cpu, cpu, &format!("{what} cpu"));
    assert_close(&vm.usage.memory, &vec![memory; cpu.len()], &format!("{what} memory"));
}

fn detail(imported: &Imported, key: &str) -> serde_json::Value {
    imported.workload.provenance.steps[0]
        .details
        .get(key)
        .cloned()
        .unwrap_or_else(|| panic!("no provenance {key}"))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

// ------------------------------------------------------------------ azure-vm

#[test]
fn azure_vm_reads_fixture() {
    let imported = ok(Format::AzureVm, files(VM_DIR, &VM_FILES, None));
    let w = &imported.workload;
    assert_eq!(w.step_seconds, 300);
    assert_eq!(w.vms.len(), 6);
    let v = &w.vms;
    check_vm(&v[0], 0, 4, (2.0, 4.0), &[0.4, 1.0, 0.21, 0.2], 4.0); // step 2 filled with avgcpu 10.5%
    check_vm(&v[1], 0, 2, (4.0, 8.0), &[0.5, 4.0], 8.0); // created at 150 s
    check_vm(&v[2], 0, 2, (8.0, 32.0), &[0.08, 0.088], 32.0); // duplicate reading ignored
    check_vm(&v[3], 1, 2, (32.0, 128.0), &[8.0], 128.0); // >24 cores, >64 GB
    check_vm(&v[4], 2, 5, (1.0, 1.75), &[0.4, 0.4, 0.4], 1.75); // V1-style exact size, no readings
    check_vm(
        &v[5],
        6,
        8,
        (24.0, 64.0),
        &[0.333_333_33 * 24.0, 0.291_666_67 * 24.0],
        64.0,
    );
    assert!(v.iter().all(|vm| vm.priority == hearth_trace::Priority::OnDemand));
    assert_eq!(imported.report.files, 3);
    assert_eq!(imported.report.rows, 19);
    assert_eq!(imported.report.skipped_rows, 0);
    assert_eq!(detail(&imported, "format"), "azure-vm");
    assert_eq!(detail(&imported, "readings_used"), 10);
    assert_eq!(detail(&imported, "steps_filled_with_vmtable_avgcpu"), 4);
    assert_eq!(detail(&imported, "readings_ignored_unknown_vm"), 1);
    assert_eq!(detail(&imported, "readings_ignored_outside_vm_life"), 1);
    assert_eq!(detail(&imported, "readings_ignored_duplicate_step"), 1);
}

#[test]
fn azure_vm_gzip_reads_as_plain() {
    let plain = ok(Format::AzureVm, files(VM_DIR, &VM_FILES, None));
    let mut gz = files(VM_DIR, &VM_FILES[1..], None);
    gz.push(("vmtable.csv.gz".into(), fixture(VM_DIR, "vmtable.csv.gz")));
    let gzipped = ok(Format::AzureVm, gz);
    assert_eq!(plain.workload.vms, gzipped.workload.vms);
    assert_eq!(plain.report.rows, gzipped.report.rows);
}

#[test]
fn azure_vm_without_readings_fills_every_step() {
    let imported = ok(Format::AzureVm, files(VM_DIR, &VM_FILES[..1], None));
    check_vm(&imported.workload.vms[0], 0, 4, (2.0, 4.0), &[0.21; 4], 4.0);
    assert_eq!(detail(&imported, "steps_filled_with_vmtable_avgcpu"), 14);
}

#[test]
fn azure_vm_rejects_a_wrong_number() {
    let bad = edit_line(VM_DIR, "vmtable.csv", 3, ",40.0,", ",4o.0,");
    let e = err(Format::AzureVm, files(VM_DIR, &VM_FILES, Some(("vmtable.csv", bad))));
    assert!(
        e.contains("vmtable.csv:3: field `avgcpu`") && e.contains("\"4o.0\""),
        "{e}"
    );

    let bad = edit_line(VM_DIR, "vm_cpu_readings-file-2-of-2.csv", 2, "900,", "-900,");
    let e = err(
        Format::AzureVm,
        files(VM_DIR, &VM_FILES, Some(("vm_cpu_readings-file-2-of-2.csv", bad))),
    );
    assert!(
        e.contains("vm_cpu_readings-file-2-of-2.csv:2: field `timestamp`"),
        "{e}"
    );

    let bad = edit_line(VM_DIR, "vmtable.csv", 2, ",>24,", ",>48,");
    let e = err(Format::AzureVm, files(VM_DIR, &VM_FILES, Some(("vmtable.csv", bad))));
    assert!(
        e.contains("vmtable.csv:2: field `vmcorecountbucket`") && e.contains("`>24`"),
        "{e}"
    );

    let bad = edit_line(VM_DIR, "vmtable.csv", 6, ",1800,2400,", ",1800,1700,");
    let e = err(Format::AzureVm, files(VM_DIR, &VM_FILES, Some(("vmtable.csv", bad))));
    assert!(
        e.contains("vmtable.csv:6: field `vmdeleted`") && e.contains("before vmcreated"),
        "{e}"
    );
}

#[test]
fn azure_vm_rejects_a_missing_column() {
    let bad = drop_last_field(VM_DIR, "vmtable.csv", 4);
    let e = err(Format::AzureVm, files(VM_DIR, &VM_FILES, Some(("vmtable.csv", bad))));
    assert!(e.contains("vmtable.csv:4: field `vmmemorybucket`: missing"), "{e}");

    let bad = drop_last_field(VM_DIR, "vm_cpu_readings-file-1-of-2.csv", 5);
    let e = err(
        Format::AzureVm,
        files(VM_DIR, &VM_FILES, Some(("vm_cpu_readings-file-1-of-2.csv", bad))),
    );
    assert!(
        e.contains("vm_cpu_readings-file-1-of-2.csv:5: field `avgcpu`: missing"),
        "{e}"
    );
}

#[test]
fn azure_vm_rejects_a_truncated_gzip() {
    let gz = gzip(&fixture(VM_DIR, "vm_cpu_readings-file-1-of-2.csv"));
    let cut = gz[..gz.len() * 2 / 3].to_vec();
    let mut input = files(VM_DIR, &VM_FILES[..1], None);
    input.push(("vm_cpu_readings-file-1-of-2.csv.gz".into(), cut));
    for policy in [OnBadRow::Fail, OnBadRow::Skip] {
        let e = read(Format::AzureVm, input.clone(), policy)
            .expect_err("truncated gzip accepted")
            .to_string();
        assert!(e.starts_with("vm_cpu_readings-file-1-of-2.csv.gz:"), "{e}");
        assert!(e.contains("truncated or corrupt"), "{e}");
    }
}

#[test]
fn azure_vm_skip_counts_bad_rows() {
    let bad = edit_line(VM_DIR, "vmtable.csv", 3, ",40.0,", ",forty,");
    let mut input = files(VM_DIR, &VM_FILES, Some(("vmtable.csv", bad)));
    let readings = edit_line(VM_DIR, "vm_cpu_readings-file-1-of-2.csv", 2, ",12.5", ",");
    input[1].1 = readings;
    let imported = read(Format::AzureVm, input, OnBadRow::Skip).unwrap();
    assert_eq!(imported.report.skipped_rows, 2);
    assert_eq!(imported.report.rows, 19);
    assert_eq!(imported.workload.vms.len(), 5);
    assert!(imported.report.skipped_examples[0].contains("vmtable.csv:3: field `avgcpu`"));
    assert!(imported.report.skipped_examples[1].contains("vm_cpu_readings-file-1-of-2.csv:2: field `avgcpu`"));
    assert_eq!(detail(&imported, "bad_rows_skipped"), 2);
}

#[test]
fn azure_vm_checks_file_roles() {
    let mut input = files(VM_DIR, &VM_FILES, None);
    input.push(("deployments.csv".into(), b"x,1\n".to_vec()));
    let e = err(Format::AzureVm, input);
    assert!(
        e.contains("deployments.csv") && e.contains("vmtable") && e.contains("vm_cpu_readings"),
        "{e}"
    );
    let e = err(Format::AzureVm, files(VM_DIR, &VM_FILES[1..], None));
    assert!(e.contains("no VM table"), "{e}");
}

#[test]
fn azure_vm_rejects_a_vm_listed_twice() {
    let text = String::from_utf8(fixture(VM_DIR, "vmtable.csv")).unwrap();
    let first = text.lines().next().unwrap().to_string();
    let doubled = format!("{text}{first}\n").into_bytes();
    let e = err(
        Format::AzureVm,
        files(VM_DIR, &VM_FILES, Some(("vmtable.csv", doubled))),
    );
    assert!(
        e.contains("vmtable.csv:7: field `vmid`: VM listed twice (first at line 1)"),
        "{e}"
    );
}

// ------------------------------------------------------ azure-functions-2019

#[test]
fn azure_functions_2019_reads_fixture() {
    let imported = ok(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES, None));
    let w = &imported.workload;
    assert_eq!(w.step_seconds, 300);
    let mut vms = w.vms.clone();
    vms.sort_by_key(|v| (v.arrival, v.departure));
    assert_eq!(vms.len(), 6);
    let app1 = 256.0 / 1024.0 / 2.0; // two functions with invocations
    let app2 = 512.0 / 1024.0; // its second function never ran
    let app3 = (256.0 + 512.0) / 2.0 / 1024.0 / 2.0; // median app memory, two functions
                                                     // F1: minutes 0..2 with 2 invocations of 1.5 s, until 180 s + 600 s keep-alive.
    check_vm(&vms[0], 0, 3, (1.0, app1), &[0.03, 0.0, 0.0], app1);
    // F1 again at minute 20: the 17-minute gap outlived the keep-alive.
    check_vm(&vms[1], 4, 7, (1.0, app1), &[0.005, 0.0, 0.0], app1);
    // F4: 1200 invocations of 3 s in minutes 100 and 104.
    check_vm(&vms[2], 20, 23, (12.0, app3), &[12.0, 0.0, 0.0], app3);
    // F3: no duration row on day 1: the day's median, 3 s.
    check_vm(&vms[3], 120, 123, (1.0, app2), &[0.1, 0.0, 0.0], app2);
    // F2: minutes 1435..1439 of 60 s joined across midnight with 2 of 30 s on day 2.
    check_vm(&vms[4], 287, 291, (1.0, app1), &[1.0, 0.2, 0.0, 0.0], app1);
    // F5: day 2 only, no duration row: day 2's median, 30 s.
    check_vm(&vms[5], 288, 291, (1.0, app3), &[0.3, 0.0, 0.0], app3);
    assert_eq!(imported.report.files, 5);
    assert_eq!(imported.report.rows, 7 + 4 + 2);
    assert_eq!(detail(&imported, "functions"), 5);
    assert_eq!(detail(&imported, "function_days_filled_with_median_duration"), 3);
    assert_eq!(detail(&imported, "apps_filled_with_median_memory"), 1);
    assert_eq!(detail(&imported, "days"), serde_json::json!([1, 2]));
}

#[test]
fn azure_functions_2019_step_is_an_option() {
    let sources = files(F19_DIR, &F19_FILES, None)
        .into_iter()
        .map(|(n, b)| Source::from_bytes(n, b).unwrap())
        .collect();
    let opts = ImportOptions {
        step_seconds: 60,
        ..ImportOptions::default()
    };
    let w = import(Format::AzureFunctions2019, sources, &opts).unwrap().workload;
    assert_eq!(w.step_seconds, 60);
    let first = &w.vms[0]; // F1's first period: minutes 0..2, then 10 minutes kept alive
    let mut cpu = vec![0.0; 13];
    cpu[..3].copy_from_slice(&[0.05, 0.05, 0.05]);
    check_vm(first, 0, 13, (1.0, 0.125), &cpu, 0.125);
}

#[test]
fn azure_functions_2019_gzip_reads_as_plain() {
    let plain = ok(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES, None));
    let name = "function_durations_percentiles.anon.d01.csv";
    let mut input: Vec<_> = files(F19_DIR, &F19_FILES, None)
        .into_iter()
        .filter(|(n, _)| n != name)
        .collect();
    input.push((format!("{name}.gz"), fixture(F19_DIR, &format!("{name}.gz"))));
    let gzipped = ok(Format::AzureFunctions2019, input);
    assert_eq!(plain.workload.vms, gzipped.workload.vms);
}

#[test]
fn azure_functions_2019_rejects_bad_input() {
    let inv = "invocations_per_function_md.anon.d01.csv";
    let bad = edit_line(F19_DIR, inv, 5, "event,0,", "event,x,");
    let e = err(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES, Some((inv, bad))));
    assert!(e.contains(&format!("{inv}:5: field `1`")) && e.contains("\"x\""), "{e}");

    let bad = drop_last_field(F19_DIR, inv, 3);
    let e = err(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES, Some((inv, bad))));
    assert!(
        e.contains(&format!(
            "{inv}:3: row has 1443 fields; field `1440` (column 1444) is missing"
        )),
        "{e}"
    );

    let dur = "function_durations_percentiles.anon.d01.csv";
    let bad = edit_line(F19_DIR, dur, 3, ",60000,", ",-60000,");
    let e = err(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES, Some((dur, bad))));
    assert!(e.contains(&format!("{dur}:3: field `Average`")), "{e}");

    let memory = "app_memory_percentiles.anon.d01.csv";
    let bad = edit_line(F19_DIR, memory, 1, "AverageAllocatedMb,", "AllocatedMb,");
    let e = err(
        Format::AzureFunctions2019,
        files(F19_DIR, &F19_FILES, Some((memory, bad))),
    );
    assert!(e.contains(&format!("{memory}:1: field `AverageAllocatedMb`")), "{e}");

    let bad = edit_line(F19_DIR, inv, 1, ",Trigger,", ",Trig,");
    let e = err(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES, Some((inv, bad))));
    assert!(e.contains(&format!("{inv}:1: field `Trigger`")), "{e}");
}

#[test]
fn azure_functions_2019_rejects_a_truncated_gzip() {
    let inv = "invocations_per_function_md.anon.d01.csv";
    let gz = gzip(&fixture(F19_DIR, inv));
    let mut input: Vec<_> = files(F19_DIR, &F19_FILES, None)
        .into_iter()
        .filter(|(n, _)| n != inv)
        .collect();
    input.push((format!("{inv}.gz"), gz[..gz.len() / 2].to_vec()));
    let e = err(Format::AzureFunctions2019, input);
    assert!(
        e.starts_with(&format!("{inv}.gz:")) && e.contains("truncated or corrupt"),
        "{e}"
    );
}

#[test]
fn azure_functions_2019_skip_counts_bad_rows() {
    let inv = "invocations_per_function_md.anon.d01.csv";
    let bad = edit_line(F19_DIR, inv, 6, "orchestration,", "orchestration,-1,");
    let imported = read(
        Format::AzureFunctions2019,
        files(F19_DIR, &F19_FILES, Some((inv, bad))),
        OnBadRow::Skip,
    )
    .unwrap();
    assert_eq!(imported.report.skipped_rows, 1);
    assert_eq!(imported.report.rows, 13);
    assert_eq!(imported.workload.vms.len(), 5); // F4's microVM is gone
    assert!(
        imported.report.skipped_examples[0].contains(&format!("{inv}:6: field `1`")),
        "{:?}",
        imported.report
    );
}

#[test]
fn azure_functions_2019_checks_file_roles() {
    let e = err(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES[..4], None));
    assert!(e.contains("app_memory_percentiles.anon.d"), "{e}");
    let mut input = files(F19_DIR, &F19_FILES, None);
    input[0].0 = "invocations_per_function_md.anon.day1.csv".into();
    let e = err(Format::AzureFunctions2019, input);
    assert!(
        e.contains("invocations_per_function_md.anon.day1.csv") && e.contains("dNN"),
        "{e}"
    );
    let mut input = files(F19_DIR, &F19_FILES, None);
    input[1].0 = input[0].0.clone();
    let e = err(Format::AzureFunctions2019, input);
    assert!(e.contains("second file for day 01"), "{e}");
}

#[test]
fn azure_functions_2019_rejects_a_function_listed_twice() {
    let inv = "invocations_per_function_md.anon.d02.csv";
    let text = String::from_utf8(fixture(F19_DIR, inv)).unwrap();
    let row = text.lines().nth(1).unwrap().to_string();
    let doubled = format!("{text}{row}\n").into_bytes();
    let e = err(
        Format::AzureFunctions2019,
        files(F19_DIR, &F19_FILES, Some((inv, doubled))),
    );
    assert!(
        e.contains(&format!(
            "{inv}:4: field `HashFunction`: function listed twice for day 02"
        )),
        "{e}"
    );
}

// ------------------------------------------------------ azure-functions-2021

fn f21(bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    vec![(F21_FILE.to_string(), bytes)]
}

#[test]
fn azure_functions_2021_reads_fixture() {
    let imported = ok(Format::AzureFunctions2021, f21(fixture(F21_DIR, F21_FILE)));
    let w = &imported.workload;
    assert_eq!(w.step_seconds, 300);
    let mut vms = w.vms.clone();
    vms.sort_by_key(|v| (v.arrival, v.departure));
    assert_eq!(vms.len(), 5);
    let m = 0.125;
    // app X2 f1: one zero-length invocation at 60 s, kept alive to 660 s.
    check_vm(&vms[0], 0, 3, (1.0, m), &[0.0; 3], m);
    // app X2 f9: invocations at 99 s and 1199 s, listed apart, joined by one at 649 s.
    let s = 1.0 / 300.0;
    check_vm(&vms[1], 0, 6, (1.0, m), &[s, 0.0, s, s, 0.0, 0.0], m);
    // app X1 f1: 990..1000.5 s, then 1300..1500 s with two short ones, kept alive to 2100 s.
    check_vm(&vms[2], 3, 7, (1.0, m), &[10.5 / 300.0, 200.263 / 300.0, 0.0, 0.0], m);
    // app X1 f2: 2700..3700 s and 2700..3000 s concurrently: two cores at the peak.
    check_vm(&vms[3], 9, 15, (2.0, m), &[2.0, 1.0, 1.0, 100.0 / 300.0, 0.0, 0.0], m);
    // app X1 f1 again, after a gap longer than the keep-alive.
    check_vm(&vms[4], 17, 20, (1.0, m), &[0.134 / 300.0, 0.0, 0.0], m);
    assert_eq!(imported.report.rows, 12);
    assert_eq!(detail(&imported, "functions"), 4);
    assert_eq!(detail(&imported, "memory_gib"), 0.125);
}

#[test]
fn azure_functions_2021_order_of_rows_does_not_matter() {
    let text = String::from_utf8(fixture(F21_DIR, F21_FILE)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let reversed = ok(Format::AzureFunctions2021, f21((lines.join("\n") + "\n").into_bytes()));
    let plain = ok(Format::AzureFunctions2021, f21(fixture(F21_DIR, F21_FILE)));
    assert_eq!(plain.workload.vms, reversed.workload.vms);
}

#[test]
fn azure_functions_2021_gzip_reads_as_plain() {
    let plain = ok(Format::AzureFunctions2021, f21(fixture(F21_DIR, F21_FILE)));
    let gz = vec![(format!("{F21_FILE}.gz"), fixture(F21_DIR, &format!("{F21_FILE}.gz")))];
    assert_eq!(plain.workload.vms, ok(Format::AzureFunctions2021, gz).workload.vms);
}

#[test]
fn azure_functions_2021_rejects_bad_input() {
    let bad = edit_line(F21_DIR, F21_FILE, 3, ",100.0,1.0", ",100.0,100.5");
    let e = err(Format::AzureFunctions2021, f21(bad));
    assert!(
        e.contains(&format!("{F21_FILE}:3: field `duration`")) && e.contains("before the trace"),
        "{e}"
    );

    let bad = edit_line(F21_DIR, F21_FILE, 4, ",3700.0,", ",3700.0.0,");
    let e = err(Format::AzureFunctions2021, f21(bad));
    assert!(e.contains(&format!("{F21_FILE}:4: field `end_timestamp`")), "{e}");

    let bad = drop_last_field(F21_DIR, F21_FILE, 6);
    let e = err(Format::AzureFunctions2021, f21(bad));
    assert!(
        e.contains(&format!(
            "{F21_FILE}:6: row has 3 fields; field `duration` (column 4) is missing"
        )),
        "{e}"
    );

    let bad = edit_line(F21_DIR, F21_FILE, 1, "end_timestamp", "end");
    let e = err(Format::AzureFunctions2021, f21(bad));
    assert!(e.contains(&format!("{F21_FILE}:1: field `end_timestamp`")), "{e}");

    let gz = gzip(&fixture(F21_DIR, F21_FILE));
    let e = err(
        Format::AzureFunctions2021,
        vec![(format!("{F21_FILE}.gz"), gz[..gz.len() / 2].to_vec())],
    );
    assert!(
        e.starts_with(&format!("{F21_FILE}.gz:")) && e.contains("truncated or corrupt"),
        "{e}"
    );

    let e = err(
        Format::AzureFunctions2021,
        vec![("invocations.csv".into(), fixture(F21_DIR, F21_FILE))],
    );
    assert!(
        e.contains("invocations.csv") && e.contains("AzureFunctionsInvocationTrace"),
        "{e}"
    );
}

#[test]
fn azure_functions_2021_skip_counts_bad_rows() {
    let bad = edit_line(F21_DIR, F21_FILE, 6, ",60.0,", ",sixty,");
    let imported = read(Format::AzureFunctions2021, f21(bad), OnBadRow::Skip).unwrap();
    assert_eq!(imported.report.skipped_rows, 1);
    assert_eq!(imported.report.rows, 12);
    assert_eq!(imported.workload.vms.len(), 4); // app X2 f1 had only that invocation
    assert!(imported.report.skipped_examples[0].contains(&format!("{F21_FILE}:6: field `end_timestamp`")));
}

// ------------------------------------------------------------------ fuzzing

/// Byte flips and maybe a truncation applied to valid bytes.
fn mutate(mut bytes: Vec<u8>, flips: &[(usize, u8)], keep: Option<usize>) -> Vec<u8> {
    let len = bytes.len().max(1);
    for &(at, b) in flips {
        if let Some(x) = bytes.get_mut(at % len) {
            *x = b;
        }
    }
    if let Some(keep) = keep {
        bytes.truncate(keep % (len + 1));
    }
    bytes
}

/// Reads under both policies; any outcome but a panic is fine.
fn no_panic(format: Format, input: Vec<(String, Vec<u8>)>) {
    for policy in [OnBadRow::Fail, OnBadRow::Skip] {
        if let Ok(imported) = read(format, input.clone(), policy) {
            imported.workload.validate().unwrap();
        }
    }
}

fn flips() -> impl Strategy<Value = Vec<(usize, u8)>> {
    let byte = prop_oneof![proptest::sample::select(b"0123456789.,-\n>e\"".to_vec()), any::<u8>()];
    proptest::collection::vec((any::<usize>(), byte), 0..6)
}

/// Cases per property; 8 properties, so 8 × CASES inputs run in all.
const CASES: u32 = 1000;

proptest! {
    #![proptest_config(ProptestConfig {
        // Integration tests have no source file to persist failures beside.
        failure_persistence: None,
        ..ProptestConfig::with_cases(CASES)
    })]

    #[test]
    fn fuzz_azure_vm_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600), table in any::<bool>()) {
        let name = if table { "vmtable.csv" } else { "vm_cpu_readings-file-1-of-2.csv" };
        no_panic(Format::AzureVm, files(VM_DIR, &VM_FILES, Some((name, bytes))));
    }

    #[test]
    fn fuzz_azure_vm_mutated(which in 0usize..3, f in flips(), keep in proptest::option::of(any::<usize>())) {
        let name = VM_FILES[which];
        let bytes = mutate(fixture(VM_DIR, name), &f, keep);
        no_panic(Format::AzureVm, files(VM_DIR, &VM_FILES, Some((name, bytes))));
    }

    #[test]
    fn fuzz_azure_vm_mutated_gzip(f in flips(), keep in proptest::option::of(any::<usize>())) {
        let bytes = mutate(fixture(VM_DIR, "vmtable.csv.gz"), &f, keep);
        no_panic(Format::AzureVm, vec![("vmtable.csv.gz".into(), bytes)]);
    }

    #[test]
    fn fuzz_azure_functions_2019_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600), which in 0usize..5) {
        no_panic(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES, Some((F19_FILES[which], bytes))));
    }

    #[test]
    fn fuzz_azure_functions_2019_mutated(which in 0usize..5, f in flips(), keep in proptest::option::of(any::<usize>())) {
        let name = F19_FILES[which];
        let bytes = mutate(fixture(F19_DIR, name), &f, keep);
        no_panic(Format::AzureFunctions2019, files(F19_DIR, &F19_FILES, Some((name, bytes))));
    }

    #[test]
    fn fuzz_azure_functions_2021_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        no_panic(Format::AzureFunctions2021, f21(bytes));
    }

    #[test]
    fn fuzz_azure_functions_2021_mutated(f in flips(), keep in proptest::option::of(any::<usize>())) {
        no_panic(Format::AzureFunctions2021, f21(mutate(fixture(F21_DIR, F21_FILE), &f, keep)));
    }

    #[test]
    fn fuzz_azure_functions_2021_mutated_gzip(f in flips(), keep in proptest::option::of(any::<usize>())) {
        let name = format!("{F21_FILE}.gz");
        no_panic(Format::AzureFunctions2021, vec![(name.clone(), mutate(fixture(F21_DIR, &name), &f, keep))]);
    }
}
