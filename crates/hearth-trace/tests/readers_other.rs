//! Readers of the Google 2019, Alibaba 2018 and Huawei-East-1 traces, on
//! hand-written fixtures in each publisher's documented layout.

use hearth_trace::formats::alibaba_2018::ALIBABA_MACHINE_MEMORY_GIB;
use hearth_trace::formats::google_2019::GOOGLE_MACHINE;
use hearth_trace::{import, Format, ImportOptions, Imported, OnBadRow, Priority, Resources, Result, Source, Vm};
use proptest::prelude::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const G_EVENTS: &str = "instance_events-000000000000.csv";
const G_USAGE: &str = "instance_usage-000000000000.csv";
const A_META: &str = "container_meta.csv";
const A_USAGE: &str = "container_usage.csv";
const A_MACHINES: &str = "machine_meta.csv";
const HUAWEI: &str = "Huawei-East-1.csv";

fn fixture(format: &str, file: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{format}/{file}")).expect("fixture exists")
}

fn text(format: &str, file: &str) -> String {
    String::from_utf8(fixture(format, file)).expect("fixture is UTF-8")
}

fn run(format: Format, files: Vec<(&str, Vec<u8>)>, policy: OnBadRow) -> Result<Imported> {
    let sources = files
        .into_iter()
        .map(|(name, bytes)| Source::from_bytes(format!("fixtures/{name}"), bytes))
        .collect::<Result<Vec<_>>>()?;
    let opts = ImportOptions {
        on_bad_row: policy,
        ..ImportOptions::default()
    };
    import(format, sources, &opts)
}

/// Replaces the 1-based `line` of `text` by `f` of it.
fn edit_line(text: &str, line: usize, f: impl Fn(&str) -> String) -> Vec<u8> {
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { f(l) } else { l.to_string() })
        .collect();
    (lines.join("\n") + "\n").into_bytes()
}

/// Replaces field `field` (0-based) of a CSV line.
fn set_field(line: &str, field: usize, value: &str) -> String {
    let mut parts: Vec<&str> = line.split(',').collect();
    parts[field] = value;
    parts.join(",")
}

fn assert_close(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "series {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-4, "series {got:?} vs {want:?}");
    }
}

fn assert_vm(vm: &Vm, arrival: u32, departure: u32, request: (f32, f32), priority: Priority, cpu: &[f32], mem: &[f32]) {
    assert_eq!((vm.arrival.0, vm.departure.0), (arrival, departure), "VM {}", vm.id.0);
    assert_eq!(vm.request, Resources::new(request.0, request.1), "VM {}", vm.id.0);
    assert_eq!(vm.priority, priority, "VM {}", vm.id.0);
    assert_close(&vm.usage.cpu, cpu);
    assert_close(&vm.usage.memory, mem);
}

fn detail(imported: &Imported, key: &str) -> serde_json::Value {
    let step = imported.workload.provenance.steps.last().expect("a provenance step");
    step.details
        .get(key)
        .cloned()
        .unwrap_or_else(|| panic!("provenance has no {key}"))
}

fn assert_error(result: Result<Imported>, parts: &[&str]) {
    let message = result.expect_err("the input must be rejected").to_string();
    for part in parts {
        assert!(message.contains(part), "error {message:?} lacks {part:?}");
    }
}

// ---- google-2019 ----

fn google(events: Vec<u8>, usage: Vec<u8>, policy: OnBadRow) -> Result<Imported> {
    run(Format::Google2019, vec![(G_EVENTS, events), (G_USAGE, usage)], policy)
}

fn google_fixture() -> (String, String) {
    (text("google-2019", G_EVENTS), text("google-2019", G_USAGE))
}

fn check_google(imported: &Imported) {
    let vms = &imported.workload.vms;
    assert_eq!(vms.len(), 3);
    let (c, m) = GOOGLE_MACHINE;
    let mut d_cpu = vec![0.0; 10];
    let mut d_mem = vec![0.0; 10];
    d_cpu[0] = 0.00390625 * c;
    d_mem[0] = 0.001953125 * m;
    assert_vm(&vms[0], 0, 10, (0.5, 1.0), Priority::OnDemand, &d_cpu, &d_mem);
    assert_vm(
        &vms[1],
        2,
        5,
        (4.0, 8.0),
        Priority::OnDemand,
        &[2.0, 3.0, 2.0],
        &[4.0, 6.0, 4.0],
    );
    assert_vm(
        &vms[2],
        3,
        7,
        (1.0, 2.0),
        Priority::Spot,
        &[0.5, 1.0, 0.0, 0.0],
        &[1.0, 2.0, 0.0, 0.0],
    );
    assert_eq!(imported.report.rows, 25);
    assert_eq!(imported.report.files, 2);
    let counts = [
        ("format", serde_json::json!("google-2019")),
        ("instances_never_scheduled_dropped", 1.into()),
        ("alloc_instances_dropped", 1.into()),
        ("instances_still_running_at_end", 1.into()),
        ("later_runs_after_reschedule_ignored", 1.into()),
        ("usage_rows_of_unknown_or_dropped_instances", 2.into()),
        ("usage_rows_outside_first_run", 1.into()),
        ("usage_rows_without_average_ignored", 1.into()),
        ("steps_without_usage_set_to_zero", 11.into()),
        ("spot_vms", 1.into()),
    ];
    for (key, want) in counts {
        assert_eq!(detail(imported, key), want, "{key}");
    }
}

#[test]
fn google_reads_fixture() {
    let (events, usage) = google_fixture();
    check_google(&google(events.into_bytes(), usage.into_bytes(), OnBadRow::Fail).unwrap());
}

#[test]
fn google_accepts_underscore_column_names() {
    let (events, usage) = google_fixture();
    let events = events.replacen("resource_request.", "resource_request_", 2);
    let usage = usage.replacen("average_usage.", "average_usage_", 2);
    check_google(&google(events.into_bytes(), usage.into_bytes(), OnBadRow::Fail).unwrap());
}

#[test]
fn google_gzip_reads_as_plain() {
    let gz = fixture("google-2019", &format!("gz/{G_EVENTS}.gz"));
    let plain = google(
        fixture("google-2019", G_EVENTS),
        fixture("google-2019", G_USAGE),
        OnBadRow::Fail,
    )
    .unwrap();
    let zipped = run(
        Format::Google2019,
        vec![
            (&format!("{G_EVENTS}.gz"), gz),
            (G_USAGE, fixture("google-2019", G_USAGE)),
        ],
        OnBadRow::Fail,
    )
    .unwrap();
    assert_eq!(plain.workload.vms, zipped.workload.vms);
}

#[test]
fn google_rejects_wrong_number() {
    let (events, usage) = google_fixture();
    let bad = edit_line(&events, 5, |l| set_field(l, 1, "three"));
    assert_error(
        google(bad, usage.clone().into_bytes(), OnBadRow::Fail),
        &[G_EVENTS, ":5:", "`type`"],
    );
    let bad = edit_line(&usage, 4, |l| set_field(l, 8, "-0.5"));
    assert_error(
        google(events.into_bytes(), bad, OnBadRow::Fail),
        &[G_USAGE, ":4:", "`average_usage.cpus`"],
    );
}

#[test]
fn google_rejects_times_out_of_range() {
    let (events, usage) = google_fixture();
    let bad = edit_line(&events, 3, |l| set_field(l, 0, "99999999999999999"));
    assert_error(
        google(bad, usage.clone().into_bytes(), OnBadRow::Fail),
        &[G_EVENTS, ":3:", "`time`"],
    );
    let bad = edit_line(&usage, 5, |l| set_field(l, 1, "600000000"));
    assert_error(
        google(events.into_bytes(), bad, OnBadRow::Fail),
        &[G_USAGE, ":5:", "`end_time`"],
    );
}

#[test]
fn google_rejects_missing_column() {
    let (events, usage) = google_fixture();
    let bad = events.replacen(",priority,", ",prio,", 1);
    assert_error(
        google(bad.into_bytes(), usage.into_bytes(), OnBadRow::Fail),
        &[G_EVENTS, ":1:", "`priority`"],
    );
}

#[test]
fn google_skip_counts_bad_rows() {
    let (events, usage) = google_fixture();
    let bad = edit_line(&events, 7, |l| set_field(l, 1, "11"));
    let bad = edit_line(std::str::from_utf8(&bad).unwrap(), 8, |l| set_field(l, 2, "x"));
    let imported = google(bad, usage.into_bytes(), OnBadRow::Skip).unwrap();
    assert_eq!(imported.report.skipped_rows, 2);
    assert_eq!(imported.report.skipped_examples.len(), 2);
    assert_eq!(imported.report.rows, 25);
    // Lines 7 and 8 are instance 375000003's events: it is gone entirely.
    assert_eq!(detail(&imported, "instances_never_scheduled_dropped"), 0);
    assert_eq!(imported.workload.vms.len(), 3);
}

#[test]
fn google_rejects_truncated_gzip() {
    let gz = fixture("google-2019", &format!("gz/{G_EVENTS}.gz"));
    let cut = gz[..gz.len() / 2].to_vec();
    let result = run(
        Format::Google2019,
        vec![
            (&format!("{G_EVENTS}.gz"), cut),
            (G_USAGE, fixture("google-2019", G_USAGE)),
        ],
        OnBadRow::Skip,
    );
    assert_error(result, &[&format!("{G_EVENTS}.gz")]);
}

#[test]
fn google_needs_both_roles_and_known_names() {
    let events = fixture("google-2019", G_EVENTS);
    assert_error(
        run(Format::Google2019, vec![(G_EVENTS, events.clone())], OnBadRow::Fail),
        &["instance usage"],
    );
    let files = vec![(G_EVENTS, events), ("machine_events.csv", Vec::new())];
    assert_error(
        run(Format::Google2019, files, OnBadRow::Fail),
        &["machine_events.csv", "instance_usage*.csv"],
    );
}

// ---- alibaba-2018 ----

fn alibaba(meta: Vec<u8>, usage: Vec<u8>, policy: OnBadRow) -> Result<Imported> {
    let machines = fixture("alibaba-2018", A_MACHINES);
    run(
        Format::Alibaba2018,
        vec![(A_MACHINES, machines), (A_META, meta), (A_USAGE, usage)],
        policy,
    )
}

fn check_alibaba(imported: &Imported) {
    let vms = &imported.workload.vms;
    assert_eq!(vms.len(), 3);
    let gib = |normalised: f32| normalised / 100.0 * ALIBABA_MACHINE_MEMORY_GIB;
    let (m1, m2) = (gib(3.125), gib(6.25));
    let c1 = [1.6, 1.6, 1.0];
    assert_vm(
        &vms[0],
        0,
        3,
        (4.0, m1),
        Priority::OnDemand,
        &c1,
        &[0.8 * m1, 0.8 * m1, 0.75 * m1],
    );
    let c2 = [0.8, 0.8, 0.8, 1.6];
    assert_vm(&vms[1], 1, 5, (8.0, m2), Priority::OnDemand, &c2, &[0.5 * m2; 4]);
    assert_vm(&vms[2], 5, 6, (1.0, gib(1.5625)), Priority::OnDemand, &[0.0], &[0.0]);
    assert_eq!(imported.report.rows, 14);
    assert_eq!(imported.report.files, 3);
    let counts = [
        ("format", serde_json::json!("alibaba-2018")),
        ("usage_samples_used", 5.into()),
        ("usage_rows_of_containers_without_meta_dropped", 1.into()),
        ("usage_rows_before_first_meta_row_dropped", 1.into()),
        ("steps_without_samples_filled", 3.into()),
        ("vms_without_samples_zero_usage", 1.into()),
        ("machine_meta_rows", 3.into()),
        ("machines", 2.into()),
        ("max_machine_cpu_num", 96.into()),
    ];
    for (key, want) in counts {
        assert_eq!(detail(imported, key), want, "{key}");
    }
}

#[test]
fn alibaba_reads_fixture() {
    let imported = alibaba(
        fixture("alibaba-2018", A_META),
        fixture("alibaba-2018", A_USAGE),
        OnBadRow::Fail,
    );
    check_alibaba(&imported.unwrap());
}

#[test]
fn alibaba_gzip_reads_as_plain() {
    let gz = fixture("alibaba-2018", &format!("gz/{A_USAGE}.gz"));
    let files = vec![
        (A_META, fixture("alibaba-2018", A_META)),
        ("container_usage.csv.gz", gz),
    ];
    let zipped = run(Format::Alibaba2018, files, OnBadRow::Fail).unwrap();
    let plain = alibaba(
        fixture("alibaba-2018", A_META),
        fixture("alibaba-2018", A_USAGE),
        OnBadRow::Fail,
    )
    .unwrap();
    assert_eq!(plain.workload.vms, zipped.workload.vms);
}

#[test]
fn alibaba_rejects_wrong_number_and_missing_column() {
    let (meta, usage) = (text("alibaba-2018", A_META), text("alibaba-2018", A_USAGE));
    let bad = edit_line(&meta, 2, |l| set_field(l, 5, "8OO"));
    assert_error(
        alibaba(bad, usage.clone().into_bytes(), OnBadRow::Fail),
        &[A_META, ":2:", "`cpu_request`"],
    );
    let bad = edit_line(&usage, 3, |l| l.rsplit_once(',').unwrap().0.to_string());
    assert_error(
        alibaba(meta.clone().into_bytes(), bad, OnBadRow::Fail),
        &[A_USAGE, ":3:", "`disk_io_percent`"],
    );
    let bad = edit_line(&usage, 4, |l| set_field(l, 3, ""));
    assert_error(
        alibaba(meta.into_bytes(), bad, OnBadRow::Fail),
        &[A_USAGE, ":4:", "`cpu_util_percent`"],
    );
}

#[test]
fn alibaba_skip_counts_bad_rows() {
    let (meta, usage) = (text("alibaba-2018", A_META), text("alibaba-2018", A_USAGE));
    let bad = edit_line(&usage, 6, |l| set_field(l, 2, "soon"));
    let bad = edit_line(std::str::from_utf8(&bad).unwrap(), 2, |l| set_field(l, 4, "many"));
    let imported = alibaba(meta.into_bytes(), bad, OnBadRow::Skip).unwrap();
    assert_eq!(imported.report.skipped_rows, 2);
    assert_eq!(detail(&imported, "usage_rows_of_containers_without_meta_dropped"), 0);
    assert_eq!(detail(&imported, "usage_rows_before_first_meta_row_dropped"), 0);
}

#[test]
fn alibaba_rejects_truncated_gzip_and_unknown_files() {
    let gz = fixture("alibaba-2018", &format!("gz/{A_USAGE}.gz"));
    let cut = gz[..gz.len() - 12].to_vec();
    let files = vec![
        (A_META, fixture("alibaba-2018", A_META)),
        ("container_usage.csv.gz", cut),
    ];
    assert_error(
        run(Format::Alibaba2018, files, OnBadRow::Fail),
        &["container_usage.csv.gz"],
    );
    let files = vec![
        (A_META, fixture("alibaba-2018", A_META)),
        ("batch_task.csv", Vec::new()),
    ];
    assert_error(
        run(Format::Alibaba2018, files, OnBadRow::Fail),
        &["batch_task.csv", "container_usage*.csv"],
    );
    let files = vec![(A_META, fixture("alibaba-2018", A_META))];
    assert_error(run(Format::Alibaba2018, files, OnBadRow::Fail), &["no container_usage"]);
}

// ---- huawei ----

fn huawei(bytes: Vec<u8>, policy: OnBadRow) -> Result<Imported> {
    run(Format::Huawei, vec![(HUAWEI, bytes)], policy)
}

fn check_huawei(imported: &Imported) {
    let vms = &imported.workload.vms;
    let want: [(u32, u32, (f32, f32)); 7] = [
        (0, 4, (4.0, 16.0)),
        (0, 1, (8.0, 32.0)),
        (0, 6, (16.0, 32.0)),
        (0, 4, (1.0, 1.0)),
        (0, 7, (2.0, 4.0)),
        (4, 5, (2.0, 8.0)),
        (6, 7, (4.0, 8.0)),
    ];
    assert_eq!(vms.len(), want.len());
    for (vm, (a, d, r)) in vms.iter().zip(want) {
        let life = (d - a) as usize;
        assert_vm(vm, a, d, r, Priority::OnDemand, &vec![r.0; life], &vec![r.1; life]);
    }
    assert_eq!(imported.report.rows, 12);
    assert_eq!(detail(imported, "vms_never_deleted"), 2);
    assert_eq!(detail(imported, "vms_lengthened_to_one_step"), 1);
}

#[test]
fn huawei_reads_fixture() {
    check_huawei(&huawei(fixture("huawei", HUAWEI), OnBadRow::Fail).unwrap());
}

#[test]
fn huawei_gzip_reads_as_plain() {
    let gz = fixture("huawei", &format!("gz/{HUAWEI}.gz"));
    let imported = run(Format::Huawei, vec![("Huawei-East-1.csv.gz", gz)], OnBadRow::Fail).unwrap();
    check_huawei(&imported);
}

#[test]
fn huawei_rejects_bad_rows() {
    let t = text("huawei", HUAWEI);
    assert_error(
        huawei(edit_line(&t, 3, |l| set_field(l, 4, "2")), OnBadRow::Fail),
        &[HUAWEI, ":3:", "`type`"],
    );
    assert_error(
        huawei(edit_line(&t, 4, |l| set_field(l, 1, "1x6")), OnBadRow::Fail),
        &[HUAWEI, ":4:", "`cpu`"],
    );
    let orphan = edit_line(&t, 7, |l| set_field(l, 0, "42"));
    assert_error(huawei(orphan, OnBadRow::Fail), &[HUAWEI, ":7:", "`vmid`", "not alive"]);
    let early = edit_line(&t, 8, |l| set_field(l, 3, "-1"));
    assert_error(huawei(early, OnBadRow::Fail), &[HUAWEI, ":8:", "`time`"]);
    let header = t.replacen("time", "timestamp", 1).into_bytes();
    assert_error(huawei(header, OnBadRow::Fail), &[HUAWEI, ":1:", "`time`"]);
}

#[test]
fn huawei_skip_counts_bad_rows() {
    let t = text("huawei", HUAWEI);
    let bad = edit_line(&t, 7, |l| set_field(l, 0, "42"));
    let imported = huawei(bad, OnBadRow::Skip).unwrap();
    // VM 1's deletion is the bad row; then VM 1's second creation is one
    // too, as VM 1 is still alive: VM 1 lives to the end, and once.
    assert_eq!(imported.report.skipped_rows, 2);
    assert_eq!(imported.workload.vms.len(), 6);
    assert_eq!(detail(&imported, "vms_never_deleted"), 2);
}

#[test]
fn huawei_rejects_truncated_gzip_and_other_names() {
    let gz = fixture("huawei", &format!("gz/{HUAWEI}.gz"));
    let cut = gz[..gz.len() * 2 / 3].to_vec();
    assert_error(
        run(Format::Huawei, vec![("Huawei-East-1.csv.gz", cut)], OnBadRow::Skip),
        &["Huawei-East-1.csv.gz"],
    );
    let files = vec![("Huawei-East-1.parquet", Vec::new())];
    assert_error(
        run(Format::Huawei, files, OnBadRow::Fail),
        &["Huawei-East-1.parquet", "*.csv"],
    );
}

// ---- fuzz: no input makes a reader panic ----

const CASES: u32 = 2000;

/// Every role of every format, with its fixture (file name, format, bytes).
fn roles() -> Vec<(Format, &'static str, Vec<u8>)> {
    vec![
        (Format::Google2019, G_EVENTS, fixture("google-2019", G_EVENTS)),
        (Format::Google2019, G_USAGE, fixture("google-2019", G_USAGE)),
        (Format::Alibaba2018, A_META, fixture("alibaba-2018", A_META)),
        (Format::Alibaba2018, A_USAGE, fixture("alibaba-2018", A_USAGE)),
        (Format::Alibaba2018, A_MACHINES, fixture("alibaba-2018", A_MACHINES)),
        (Format::Huawei, HUAWEI, fixture("huawei", HUAWEI)),
        (
            Format::Huawei,
            "Huawei-East-1.csv.gz",
            fixture("huawei", &format!("gz/{HUAWEI}.gz")),
        ),
    ]
}

/// Reads the format with role `which` replaced by `bytes` and its other
/// roles from their fixtures (a gzip copy stands for its plain role), under
/// both bad-row policies: a panic fails, and so does an accepted workload
/// that breaks the workload's invariants.
fn read_with(which: usize, bytes: Vec<u8>) {
    let all = roles();
    let (format, name, _) = &all[which];
    let same_role = |other: &str| other.trim_end_matches(".gz") == name.trim_end_matches(".gz");
    let mut files: Vec<(&str, Vec<u8>)> = all
        .iter()
        .filter(|r| r.0 == *format && !same_role(r.1))
        .map(|r| (r.1, r.2.clone()))
        .collect();
    files.push((name, bytes));
    for policy in [OnBadRow::Fail, OnBadRow::Skip] {
        if let Ok(imported) = run(*format, files.clone(), policy) {
            imported.workload.validate().expect("an accepted workload is valid");
        }
    }
}

fn mutate(mut bytes: Vec<u8>, flips: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let n = bytes.len().max(1);
    for &(at, value) in flips {
        if let Some(b) = bytes.get_mut(at % n) {
            *b = value;
        }
    }
    if let Some(at) = cut {
        bytes.truncate(at % n);
    }
    bytes
}

/// Bytes that look like the published rows: digits, separators, newlines.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"0123456789,.\n-_ec".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..400)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn fuzz_arbitrary_bytes(which in 0..7usize, raw in prop::collection::vec(any::<u8>(), 0..300), gz in any::<bool>()) {
        let bytes = if gz { [vec![0x1f, 0x8b], raw].concat() } else { raw };
        read_with(which, bytes);
    }

    #[test]
    fn fuzz_csv_like_bytes(which in 0..6usize, body in csvish()) {
        let header: Vec<u8> = roles()[which].2.split(|&b| b == b'\n').next().unwrap_or_default().to_vec();
        read_with(which, [header, b"\n".to_vec(), body].concat());
    }

    #[test]
    fn fuzz_mutated_fixtures(
        which in 0..7usize,
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in prop::option::of(any::<usize>()),
    ) {
        let bytes = mutate(roles()[which].2.clone(), &flips, cut);
        read_with(which, bytes);
    }
}
