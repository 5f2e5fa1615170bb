//! The readers of the real traces shipped under `data/samples/`: exact values
//! read from the samples, errors on corrupted input, the bad-row policy and
//! gzip transparency.

use flate2::write::GzEncoder;
use flate2::Compression;
use hearth_trace::formats::{alibaba_openb, skypilot};
use hearth_trace::{
    import, import_paths, Format, ImportOptions, Imported, OnBadRow, Priority, Resources, Source, Step, Vm, Workload,
};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::PathBuf;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples");

fn sample(path: &str) -> PathBuf {
    PathBuf::from(SAMPLES).join(path)
}

fn sample_bytes(path: &str) -> Vec<u8> {
    std::fs::read(sample(path)).expect("sample file is present")
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("sample is valid gzip");
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

fn source(name: &str, bytes: impl Into<Vec<u8>>) -> Source {
    Source::from_bytes(name, bytes.into()).expect("in-memory source")
}

fn skip() -> ImportOptions {
    ImportOptions {
        on_bad_row: OnBadRow::Skip,
        ..ImportOptions::default()
    }
}

fn read_one(
    format: Format,
    name: &str,
    bytes: impl Into<Vec<u8>>,
    opts: &ImportOptions,
) -> hearth_trace::Result<Imported> {
    import(format, vec![source(name, bytes)], opts)
}

fn error_of(result: hearth_trace::Result<Imported>) -> String {
    match result {
        Ok(_) => panic!("corrupted input was accepted"),
        Err(e) => e.to_string(),
    }
}

fn provenance(w: &Workload, key: &str) -> Value {
    let step = w.provenance.steps.last().expect("import recorded");
    step.details
        .get(key)
        .cloned()
        .unwrap_or_else(|| panic!("provenance has no `{key}`"))
}

fn close(a: f32, b: f64) -> bool {
    (f64::from(a) - b).abs() <= 1e-5 * b.abs().max(1.0)
}

fn find(w: &Workload, arrival: u32) -> &Vm {
    w.vms
        .iter()
        .find(|vm| vm.arrival == Step(arrival))
        .expect("a VM arrives at that step")
}

// ---------------------------------------------------------------- PlanetLab

const PLANETLAB_DAY: &str = "planetlab/20110303";
const PLANETLAB_VM: &str = "planetlab/20110303/146-179_surfsnel_dsl_internl_net_colostate_557";

#[test]
fn planetlab_sample_reads_every_vm_day() {
    let opts = ImportOptions {
        unsized_vm: Resources::new(2.0, 4.0),
        ..ImportOptions::default()
    };
    let imported = import_paths(Format::Planetlab, &[sample(PLANETLAB_DAY)], &opts).unwrap();
    let (w, report) = (&imported.workload, &imported.report);
    assert_eq!((report.files, report.rows, report.skipped_rows), (250, 250 * 288, 0));
    assert_eq!(
        (w.step_seconds, w.vms.len(), w.end(), w.observed_from),
        (300, 250, Step(288), Step(0))
    );
    assert!(w
        .vms
        .iter()
        .all(|vm| vm.arrival == Step(0) && vm.departure == Step(288)));
    assert!(w
        .vms
        .iter()
        .all(|vm| vm.request == Resources::new(2.0, 4.0) && vm.priority == Priority::OnDemand));
    assert!(w.vms.iter().all(|vm| vm.usage.memory.iter().all(|&m| m == 0.0)));
    // Files are read in name order: the first is ..._colostate_557, starting 24, 34, 29 percent.
    let first = &w.vms[0].usage.cpu;
    assert!(close(first[0], 0.48) && close(first[1], 0.68) && close(first[2], 0.58));
    let total: f64 = w.vms.iter().flat_map(|vm| &vm.usage.cpu).map(|&c| f64::from(c)).sum();
    assert!((total - 778_289.0 / 100.0 * 2.0).abs() < 0.5, "total CPU {total}");
    assert_eq!(provenance(w, "format"), "planetlab");
    assert!(provenance(w, "memory_usage")
        .as_str()
        .unwrap()
        .contains("records no memory"));
}

#[test]
fn planetlab_reads_file_names_with_spaces() {
    let path = sample("planetlab/20110303/aladdin_planetlab_extranet_uni-passau_de_ rnp_dcc_ufjf");
    let imported = import_paths(Format::Planetlab, &[path], &ImportOptions::default()).unwrap();
    let vm = &imported.workload.vms[0];
    assert_eq!((vm.arrival, vm.departure), (Step(0), Step(288)));
    assert!(close(vm.usage.cpu[0], 0.62) && close(vm.usage.cpu[1], 0.76));
    let total: f64 = vm.usage.cpu.iter().map(|&c| f64::from(c)).sum();
    assert!((total - 214.33).abs() < 0.01);
}

#[test]
fn planetlab_days_of_several_folders_are_separate_vms_from_step_0() {
    let day = sample_bytes(PLANETLAB_VM);
    let sources = vec![source("20110303/vm", day.clone()), source("20110304/vm", day)];
    let w = import(Format::Planetlab, sources, &ImportOptions::default())
        .unwrap()
        .workload;
    assert_eq!(w.vms.len(), 2);
    assert!(w
        .vms
        .iter()
        .all(|vm| vm.arrival == Step(0) && vm.departure == Step(288)));
}

#[test]
fn planetlab_rejects_bad_percentages_naming_file_line_and_field() {
    let opts = ImportOptions::default();
    let err = error_of(read_one(Format::Planetlab, "day/vm-a", "10\n150\n20\n", &opts));
    assert!(
        err.contains("day/vm-a:2: field `cpu_percent`") && err.contains("0..=100"),
        "{err}"
    );
    let err = error_of(read_one(Format::Planetlab, "day/vm-b", "10\n20\nten\n", &opts));
    assert!(
        err.contains("day/vm-b:3: field `cpu_percent`") && err.contains("\"ten\""),
        "{err}"
    );
    let err = error_of(read_one(Format::Planetlab, "day/vm-c", "10\n\n20\n", &opts));
    assert!(err.contains("day/vm-c:2: field `cpu_percent`: empty line"), "{err}");
    let err = error_of(read_one(Format::Planetlab, "day/vm-d", "", &opts));
    assert!(err.contains("day/vm-d: no CPU samples"), "{err}");
}

#[test]
fn planetlab_ignores_trailing_blank_lines() {
    let w = read_one(Format::Planetlab, "vm", "10\n20\n\n \n", &ImportOptions::default())
        .unwrap()
        .workload;
    assert_eq!(w.vms[0].departure, Step(2));
}

#[test]
fn planetlab_skip_counts_bad_lines_and_keeps_time_aligned() {
    let imported = read_one(Format::Planetlab, "vm", "x\n10\n-5\n30\n", &skip()).unwrap();
    assert_eq!((imported.report.rows, imported.report.skipped_rows), (4, 2));
    let vm = &imported.workload.vms[0];
    let cpu: Vec<f32> = vm.usage.cpu.clone();
    assert_eq!(cpu, vec![0.1, 0.1, 0.1, 0.3]);
    assert_eq!(provenance(&imported.workload, "steps_filled_for_bad_lines"), 2);
    // A file with no good line at all is dropped, and counted.
    let imported = import(
        Format::Planetlab,
        vec![source("bad", "x\n"), source("good", "5\n")],
        &skip(),
    )
    .unwrap();
    assert_eq!(imported.workload.vms.len(), 1);
    assert_eq!(provenance(&imported.workload, "vms_dropped_without_valid_lines"), 1);
}

#[test]
fn planetlab_gzipped_reads_the_same_as_plain() {
    let plain = sample_bytes(PLANETLAB_VM);
    let opts = ImportOptions::default();
    let a = read_one(Format::Planetlab, "vm", plain.clone(), &opts)
        .unwrap()
        .workload;
    let b = read_one(Format::Planetlab, "vm.gz", gzip(&plain), &opts)
        .unwrap()
        .workload;
    assert_eq!(a.vms, b.vms);
    let mut cut = gzip(&plain);
    cut.truncate(cut.len() / 2);
    let err = error_of(read_one(Format::Planetlab, "day/vm.gz", cut, &opts));
    assert!(err.contains("day/vm.gz:") && err.contains("truncated"), "{err}");
}

// ---------------------------------------------------------------- Bitbrains

const BITBRAINS_DIR: &str = "bitbrains-rnd/2013-7";

/// The header and the first `rows` data rows of VM 1, uncompressed.
fn bitbrains_head(rows: usize) -> String {
    let text = String::from_utf8(gunzip(&sample_bytes("bitbrains-rnd/2013-7/1.csv.gz"))).unwrap();
    text.lines().take(rows + 1).map(|l| format!("{l}\n")).collect()
}

/// `text` with field `field` (0-based) of line `line` (1-based) replaced.
fn with_field(text: &str, line: usize, field: usize, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut fields: Vec<String> = lines[line - 1].split(";\t").map(str::to_string).collect();
    fields[field] = value.to_string();
    lines[line - 1] = fields.join(";\t");
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn bitbrains_sample_reads_with_exact_values() {
    let imported = import_paths(Format::Bitbrains, &[sample(BITBRAINS_DIR)], &ImportOptions::default()).unwrap();
    let (w, report) = (&imported.workload, &imported.report);
    assert_eq!((report.files, report.rows, report.skipped_rows), (100, 85_964, 0));
    // 12 of the 100 VMs are never provisioned (0 cores, 0 memory in every row).
    assert_eq!(
        (w.step_seconds, w.vms.len(), w.vm_steps(), w.end()),
        (300, 88, 75_772, Step(8640))
    );
    assert_eq!(provenance(w, "vms_dropped_unprovisioned"), 12);
    assert_eq!(provenance(w, "steps_filled"), 176);
    assert_eq!(provenance(w, "vms_with_changing_request"), 26);
    assert_eq!(provenance(w, "epoch_unix_seconds"), 1_372_629_804.0);
    assert_eq!(w.vms.iter().filter(|vm| vm.arrival == Step(0)).count(), 86);
    // VM 82 starts 6,556.65 steps after the others; 864 rows with a 2,400 s gap.
    let vm82 = find(w, 6557);
    assert_eq!(vm82.departure, Step(6557 + 871));
    assert_eq!(vm82.request, Resources::new(8.0, 31.769_531));
    // VM 14 starts 8,211.8 steps in, with 428 rows, the first 8 unprovisioned.
    let vm14 = find(w, 8212);
    assert_eq!((vm14.departure, vm14.request), (Step(8640), Resources::new(1.0, 2.0)));
    assert_eq!(vm14.usage.cpu[0], 0.0);
}

#[test]
fn bitbrains_converts_units_of_one_vm() {
    let path = sample("bitbrains-rnd/2013-7/1.csv.gz");
    let imported = import_paths(Format::Bitbrains, &[path], &ImportOptions::default()).unwrap();
    let vm = &imported.workload.vms[0];
    assert_eq!((vm.arrival, vm.departure), (Step(0), Step(864)));
    // Provisioned memory drifts from 8,218,624 KB up to 8 GiB: the request is the largest.
    assert_eq!(vm.request, Resources::new(2.0, 8.0));
    // Row 1: 87.7799835 MHz of 5851.9989 MHz on 2 cores; 1,034,592.8 KB used.
    assert!(close(vm.usage.cpu[0], 87.779_983_5 / 5_851.998_9 * 2.0));
    assert!(close(vm.usage.memory[0], 1_034_592.8 / 1_048_576.0));
    assert!(close(vm.usage.cpu[1], 29.259_994_5 / 5_851.998_9 * 2.0));
    assert_eq!(provenance(&imported.workload, "vms_with_changing_request"), 1);
}

#[test]
fn bitbrains_fills_gaps_by_repeating_the_previous_row() {
    let text = bitbrains_head(3);
    // Move row 3 two steps later: a 900 s gap after row 2 misses 2 samples.
    let ts: u64 = 1_372_630_404 + 600;
    let gapped = with_field(&text, 4, 0, &ts.to_string());
    let imported = read_one(Format::Bitbrains, "vm.csv", gapped, &ImportOptions::default()).unwrap();
    let vm = &imported.workload.vms[0];
    assert_eq!(vm.departure, Step(5));
    assert_eq!(vm.usage.cpu[1], vm.usage.cpu[2]);
    assert_eq!(vm.usage.cpu[2], vm.usage.cpu[3]);
    assert_ne!(vm.usage.cpu[3], vm.usage.cpu[4]);
    assert_eq!(provenance(&imported.workload, "steps_filled"), 2);
}

#[test]
fn bitbrains_rejects_corrupted_input_naming_file_line_and_field() {
    let text = bitbrains_head(10);
    let opts = ImportOptions::default();
    let err = error_of(read_one(
        Format::Bitbrains,
        "2013-7/1.csv",
        with_field(&text, 4, 3, "8x7"),
        &opts,
    ));
    assert!(
        err.contains("2013-7/1.csv:4: field `CPU usage [MHZ]`") && err.contains("\"8x7\""),
        "{err}"
    );
    let err = error_of(read_one(
        Format::Bitbrains,
        "1.csv",
        with_field(&text, 1, 6, "Memory used"),
        &opts,
    ));
    assert!(
        err.contains("1.csv:1: field `Memory usage [KB]`: missing from the header"),
        "{err}"
    );
    let err = error_of(read_one(
        Format::Bitbrains,
        "1.csv",
        with_field(&text, 5, 0, "1372629804"),
        &opts,
    ));
    assert!(
        err.contains("1.csv:5: field `Timestamp [ms]`") && err.contains("time order"),
        "{err}"
    );
    let err = error_of(read_one(
        Format::Bitbrains,
        "1.csv",
        with_field(&text, 6, 2, "0.0"),
        &opts,
    ));
    assert!(err.contains("1.csv:6: field `CPU capacity provisioned [MHZ]`"), "{err}");
    let err = error_of(read_one(
        Format::Bitbrains,
        "1.csv",
        with_field(&text, 7, 5, "-1"),
        &opts,
    ));
    assert!(
        err.contains("1.csv:7: field `Memory capacity provisioned [KB]`"),
        "{err}"
    );
    let short: String = text
        .lines()
        .take(3)
        .map(|l| format!("{l}\n"))
        .chain(["1372630404;\t2\n".into()])
        .collect();
    let err = error_of(read_one(Format::Bitbrains, "1.csv", short, &opts));
    assert!(
        err.contains("1.csv:4:") && err.contains("`CPU capacity provisioned [MHZ]` (column 3) is missing"),
        "{err}"
    );
    let err = error_of(read_one(Format::Bitbrains, "1.csv", bitbrains_head(0), &opts));
    assert!(err.contains("1.csv: no data rows"), "{err}");
}

#[test]
fn bitbrains_rejects_a_truncated_gzip() {
    let mut cut = sample_bytes("bitbrains-rnd/2013-7/1.csv.gz");
    cut.truncate(cut.len() / 2);
    let err = error_of(read_one(Format::Bitbrains, "2013-7/1.csv.gz", cut, &skip()));
    assert!(err.contains("2013-7/1.csv.gz:") && err.contains("truncated"), "{err}");
}

#[test]
fn bitbrains_skip_counts_bad_rows_and_keeps_time_aligned() {
    let text = with_field(&with_field(&bitbrains_head(10), 4, 3, "bad"), 8, 6, "");
    let imported = read_one(Format::Bitbrains, "1.csv", text, &skip()).unwrap();
    assert_eq!((imported.report.rows, imported.report.skipped_rows), (10, 2));
    assert_eq!(imported.report.skipped_examples.len(), 2);
    assert!(imported.report.skipped_examples[0].contains("1.csv:4: field `CPU usage [MHZ]`"));
    let vm = &imported.workload.vms[0];
    // The skipped rows' steps repeat the rows before them.
    assert_eq!(vm.departure, Step(10));
    assert_eq!(vm.usage.cpu[2], vm.usage.cpu[1]);
    assert_eq!(vm.usage.memory[6], vm.usage.memory[5]);
}

#[test]
fn bitbrains_gzipped_reads_the_same_as_plain() {
    let gz = sample_bytes("bitbrains-rnd/2013-7/82.csv.gz");
    let opts = ImportOptions::default();
    let a = read_one(Format::Bitbrains, "82.csv.gz", gz.clone(), &opts).unwrap();
    let b = read_one(Format::Bitbrains, "82.csv", gunzip(&gz), &opts).unwrap();
    assert_eq!(a.workload.vms, b.workload.vms);
    assert_eq!(a.report.rows, 864);
    // Alone, VM 82 sets the epoch: it arrives at 0; its 2,400 s gap fills 7 steps.
    assert_eq!(a.workload.vms[0].departure, Step(871));
    assert_eq!(provenance(&a.workload, "steps_filled"), 7);
}

// ------------------------------------------------------------ Alibaba openb

const OPENB_PODS: &str = "alibaba-openb-2023/openb_pod_list_default.csv";
const OPENB_NODES: &str = "alibaba-openb-2023/openb_node_list_all_node.csv";
const OPENB_HEADER: &str =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";

fn pods(rows: &[&str]) -> String {
    let mut text = OPENB_HEADER.to_string();
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

#[test]
fn openb_sample_reads_with_exact_values() {
    let imported = import_paths(Format::AlibabaOpenb, &[sample(OPENB_PODS)], &ImportOptions::default()).unwrap();
    let (w, report) = (&imported.workload, &imported.report);
    assert_eq!((report.files, report.rows, report.skipped_rows), (1, 8152, 0));
    assert_eq!(
        (w.step_seconds, w.vms.len(), w.vm_steps(), w.end()),
        (300, 8152, 710_245, Step(43_010))
    );
    assert_eq!(w.vms.iter().filter(|vm| vm.priority == Priority::Spot).count(), 3398);
    // The earliest deletion is at 9,964,972 s: observation starts at step 33,216.
    assert_eq!(w.observed_from, Step(33_216));
    assert_eq!(provenance(w, "pods_created_before_observation"), 33);
    assert_eq!(provenance(w, "unscheduled_pods_kept"), 897);
    assert_eq!(provenance(w, "gpu_pods_kept"), 7064);
    // openb-pod-0000: 12 cores, 16 GiB, LS, created at 0, deleted at 12,537,496 s.
    let pod0 = &w.vms[0];
    assert_eq!((pod0.arrival, pod0.departure), (Step(0), Step(41_792)));
    assert_eq!(
        (pod0.request, pod0.priority),
        (Resources::new(12.0, 16.0), Priority::OnDemand)
    );
    assert!(pod0.usage.cpu.iter().all(|&c| c == 12.0) && pod0.usage.memory.iter().all(|&m| m == 16.0));
    // openb-pod-0022: BE, created 9,679,175 s, deleted 9,973,826 s.
    let pod22 = find(w, 32_263);
    assert_eq!((pod22.departure, pod22.priority), (Step(33_247), Priority::Spot));
    assert_eq!(pod22.request, Resources::new(4.0, 15_258.0 / 1024.0));
    // openb-pod-7285 is deleted the second it is created: it still lives one step.
    let pod7285 = find(w, 42_580);
    assert_eq!((pod7285.departure, pod7285.request.cpu.0), (Step(42_581), 8.0));
    assert_eq!(provenance(w, "format"), "alibaba-openb");
}

#[test]
fn openb_node_list_reads_capacities() {
    let nodes =
        alibaba_openb::read_nodes(Source::open(&sample(OPENB_NODES)).unwrap(), &ImportOptions::default()).unwrap();
    assert_eq!(nodes.len(), 1523);
    assert_eq!(nodes[0], Resources::new(32.0, 256.0));
    assert_eq!(nodes[1522], Resources::new(96.0, 384.0));
    let cores: f64 = nodes.iter().map(|n| f64::from(n.cpu.0)).sum();
    let memory: f64 = nodes.iter().map(|n| f64::from(n.memory.0)).sum();
    assert_eq!((cores, memory), (125_514.0, 612_028_416.0 / 1024.0));
    let bad = "sn,cpu_milli,memory_mib,gpu,model\nn0,32000,262144,0,\nn1,32k,262144,0,\n";
    let err = alibaba_openb::read_nodes(source("nodes.csv", bad), &skip())
        .unwrap_err()
        .to_string();
    assert!(err.contains("nodes.csv:3: field `cpu_milli`"), "{err}");
}

#[test]
fn openb_refuses_node_lists_and_unknown_file_names() {
    let opts = ImportOptions::default();
    let err = error_of(read_one(
        Format::AlibabaOpenb,
        "x/openb_node_list_all_node.csv",
        sample_bytes(OPENB_NODES),
        &opts,
    ));
    assert!(
        err.contains("openb_node_list_all_node.csv") && err.contains("--nodes"),
        "{err}"
    );
    let err = error_of(read_one(Format::AlibabaOpenb, "pods.csv", pods(&[]), &opts));
    assert!(
        err.contains("pods.csv: not an openb file name") && err.contains("pod_list"),
        "{err}"
    );
}

#[test]
fn openb_rejects_corrupted_input_naming_file_line_and_field() {
    let opts = ImportOptions::default();
    let good = "p0,1000,1024,0,0,,LS,Running,0,600,0";
    let cases = [
        ("p1,1000,1024,0,0,,XX,Running,0,600,0", "field `qos`"),
        ("p1,1000,1024,0,0,,BE,Running,900,600,900", "field `deletion_time`"),
        ("p1,1O00,1024,0,0,,BE,Running,0,600,0", "field `cpu_milli`"),
        ("p1,1000,1024,0,0,,BE,Running,0,600,soon", "field `scheduled_time`"),
        (
            "p1,1000,1024,0,0,,BE,Running,0",
            "`deletion_time` (column 10) is missing",
        ),
    ];
    for (row, expected) in cases {
        let err = error_of(read_one(
            Format::AlibabaOpenb,
            "t/openb_pod_list_x.csv",
            pods(&[good, row]),
            &opts,
        ));
        assert!(
            err.contains("t/openb_pod_list_x.csv:3:") && err.contains(expected),
            "{err}"
        );
    }
    let err = error_of(read_one(Format::AlibabaOpenb, "openb_pod_list_x.csv", pods(&[]), &opts));
    assert!(err.contains("openb_pod_list_x.csv: no pods"), "{err}");
    let header_without_qos = pods(&[good]).replace(",qos,", ",class,");
    let err = error_of(read_one(
        Format::AlibabaOpenb,
        "openb_pod_list_x.csv",
        header_without_qos,
        &opts,
    ));
    assert!(
        err.contains("openb_pod_list_x.csv:1: field `qos`: missing from the header"),
        "{err}"
    );
}

#[test]
fn openb_skip_counts_bad_rows_and_keeps_unscheduled_pods() {
    let rows = [
        "p0,1000,1024,0,0,,LS,Running,0,600,0",
        "p1,2500,2048,1,500,,BE,Pending,300,301,",
        "p2,1000,1024,0,0,,Lazy,Running,0,600,0",
        "p3,1000,1024,0,0,,BE,Running,900,600,900",
    ];
    let imported = read_one(Format::AlibabaOpenb, "openb_pod_list_t.csv", pods(&rows), &skip()).unwrap();
    assert_eq!((imported.report.rows, imported.report.skipped_rows), (4, 2));
    let w = &imported.workload;
    assert_eq!(w.vms.len(), 2);
    let p1 = find(w, 1);
    assert_eq!(
        (p1.departure, p1.priority, p1.request),
        (Step(2), Priority::Spot, Resources::new(2.5, 2.0))
    );
    assert_eq!(provenance(w, "unscheduled_pods_kept"), 1);
    assert_eq!(provenance(w, "gpu_pods_kept"), 1);
    // The earliest deletion, at 301 s, opens the observation window at step 1.
    assert_eq!(w.observed_from, Step(1));
}

#[test]
fn openb_gzipped_reads_the_same_as_plain() {
    let plain = sample_bytes(OPENB_PODS);
    let opts = ImportOptions::default();
    let a = read_one(Format::AlibabaOpenb, "openb_pod_list_default.csv", plain.clone(), &opts).unwrap();
    let gz = gzip(&plain);
    let b = read_one(Format::AlibabaOpenb, "openb_pod_list_default.csv.gz", gz.clone(), &opts).unwrap();
    assert_eq!(a.workload.vms, b.workload.vms);
    assert_eq!(a.workload.observed_from, b.workload.observed_from);
    let mut cut = gz;
    cut.truncate(cut.len() / 2);
    let err = error_of(read_one(
        Format::AlibabaOpenb,
        "openb_pod_list_default.csv.gz",
        cut,
        &skip(),
    ));
    assert!(
        err.contains("openb_pod_list_default.csv.gz:") && err.contains("truncated"),
        "{err}"
    );
}

#[test]
fn openb_steps_follow_the_step_option() {
    let opts = ImportOptions {
        step_seconds: 60,
        ..ImportOptions::default()
    };
    let w = read_one(
        Format::AlibabaOpenb,
        "openb_pod_list_t.csv",
        pods(&["p,1000,1024,0,0,,LS,Running,90,150,90"]),
        &opts,
    )
    .unwrap()
    .workload;
    assert_eq!(
        (w.step_seconds, w.vms[0].arrival, w.vms[0].departure),
        (60, Step(1), Step(3))
    );
}

// ----------------------------------------------------------------- SkyPilot

const SKY_AVAILABILITY: &str = "skypilot-spot/availability/1-node/aws-02-15-2023/us-east-1a_v100_1.json";
const SKY_PREEMPTION: &str = "skypilot-spot/preemption/4-node/aws-08-03-2023/us-east-2a_v100_1.json";

#[test]
fn skypilot_samples_read_with_exact_values() {
    let t = skypilot::read(Source::open(&sample(SKY_AVAILABILITY)).unwrap()).unwrap();
    assert!(t.name.ends_with("us-east-1a_v100_1.json"));
    assert_eq!((t.gap_seconds, t.counts.len()), (195, 20_158));
    assert_eq!((t.counts[0], t.counts.iter().max().copied()), (0, Some(1)));
    assert_eq!(t.preemptions().iter().sum::<u32>(), 253);

    let t = skypilot::read(Source::open(&sample(SKY_PREEMPTION)).unwrap()).unwrap();
    assert_eq!((t.gap_seconds, t.counts.len(), t.counts[0]), (300, 5131, 4));
    let lost = t.preemptions();
    assert_eq!(lost.len(), 5131);
    assert_eq!(
        (lost.iter().sum::<u32>(), lost.iter().filter(|&&n| n > 0).count()),
        (75, 60)
    );
}

#[test]
fn skypilot_preemptions_are_drops_in_count() {
    let t = skypilot::SpotTrace {
        name: "t".into(),
        gap_seconds: 60,
        counts: vec![3, 3, 1, 2, 0, 4],
    };
    assert_eq!(t.preemptions(), vec![0, 0, 2, 0, 2, 0]);
    let empty = skypilot::SpotTrace { counts: vec![], ..t };
    assert!(empty.preemptions().is_empty());
}

#[test]
fn skypilot_rejects_corrupted_input_naming_file_line_and_field() {
    let read = |name: &str, text: &str| skypilot::read(source(name, text.to_string())).unwrap_err().to_string();
    let err = read(
        "aws/zone.json",
        "{\"metadata\": {\"gap_seconds\": 300},\n \"data\": [1, 2,\n 3 4]}",
    );
    assert!(err.starts_with("aws/zone.json:3:"), "{err}");
    let err = read(
        "z.json",
        "{\"metadata\": {\"gap_seconds\": 300},\n \"data\": [1, 2, -3]}",
    );
    assert!(err.contains("z.json:2: field `data[2]`") && err.contains("-3"), "{err}");
    let err = read("z.json", "{\"metadata\": {\"gap_seconds\": 300}, \"data\": [1, 2.5]}");
    assert!(err.contains("z.json:1: field `data[1]`"), "{err}");
    let err = read("z.json", "{\"metadata\": {\"gap\": 300}, \"data\": [1]}");
    assert!(err.contains("z.json:1: field `metadata.gap_seconds`: missing"), "{err}");
    let err = read("z.json", "{\"metadata\": {\"gap_seconds\": 0}, \"data\": [1]}");
    assert!(
        err.contains("z.json:1: field `metadata.gap_seconds`: 0 seconds"),
        "{err}"
    );
    let err = read("z.json", "{\"metadata\": {\"gap_seconds\": \"300\"}, \"data\": [1]}");
    assert!(err.contains("field `metadata.gap_seconds`"), "{err}");
    let err = read("z.json", "{\"metadata\": {\"gap_seconds\": 300}}");
    assert!(err.contains("z.json:1: field `data`: missing"), "{err}");
    let err = read("z.json", "{\"metadata\": {\"gap_seconds\": 300}, \"data\": [1]} 7");
    assert!(err.contains("z.json:1:"), "{err}");
}

#[test]
fn skypilot_gzipped_reads_the_same_as_plain() {
    let plain = sample_bytes(SKY_PREEMPTION);
    let a = skypilot::read(source("p.json", plain.clone())).unwrap();
    let b = skypilot::read(source("p.json", gzip(&plain))).unwrap();
    assert_eq!(a, b);
    let mut cut = gzip(&plain);
    cut.truncate(cut.len() - 20);
    let err = skypilot::read(source("p.json.gz", cut)).unwrap_err().to_string();
    assert!(err.starts_with("p.json.gz:"), "{err}");
}
