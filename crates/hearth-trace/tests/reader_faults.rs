//! Faults found by importing real trace files, each as its minimal input:
//! repeated timestamps, imports that drop most of their input, provenance
//! that disagrees with the data, and values outside their unit's range.

use hearth_trace::{import, Format, ImportOptions, Imported, OnBadRow, Source};

fn read(format: Format, files: &[(&str, String)]) -> hearth_trace::Result<Imported> {
    let sources = files
        .iter()
        .map(|(name, text)| Source::from_bytes(*name, text.clone().into_bytes()))
        .collect::<hearth_trace::Result<Vec<_>>>()?;
    import(format, sources, &ImportOptions::default())
}

fn ok(format: Format, files: &[(&str, String)]) -> Imported {
    read(format, files).unwrap_or_else(|e| panic!("{e}"))
}

fn err(format: Format, files: &[(&str, String)]) -> String {
    match read(format, files) {
        Ok(_) => panic!("bad input was accepted"),
        Err(e) => e.to_string(),
    }
}

fn detail(imported: &Imported, key: &str) -> serde_json::Value {
    let step = imported.workload.provenance.steps.last().unwrap();
    step.details
        .get(key)
        .cloned()
        .unwrap_or_else(|| panic!("no provenance detail {key}"))
}

// ---------------------------------------------------------------- Bitbrains

const BITBRAINS_HEADER: &str = "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\t\
CPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\t\
Disk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]";

/// A GWA-T-12 row: time, cores, MHz provisioned and used, KB provisioned and used.
fn bitbrains_row(t: u64, cores: u32, mhz: f64, used_mhz: f64, kb: f64, used_kb: f64) -> String {
    format!("{t};\t{cores};\t{mhz};\t{used_mhz};\t0.0;\t{kb};\t{used_kb};\t0.0;\t0.0;\t0.0;\t0.0")
}

/// Six rows 300 s apart, then a timestamp on two rows and the next on three
/// (the VM switched off: 0 cores), as in real Bitbrains months.
fn bitbrains_repeating() -> String {
    let mut rows = vec![BITBRAINS_HEADER.to_string()];
    for i in 0..6 {
        rows.push(bitbrains_row(
            1_000 + 300 * i,
            2,
            2000.0,
            1000.0,
            1_048_576.0,
            524_288.0,
        ));
    }
    rows.push(bitbrains_row(2_800, 0, 0.0, 0.0, 1_048_576.0, 104_857.6));
    rows.push(bitbrains_row(2_800, 0, 0.0, 0.0, 1_048_576.0, 209_715.2));
    for used_kb in [0.0, 314_572.8, 0.0] {
        rows.push(bitbrains_row(3_100, 0, 0.0, 0.0, 0.0, used_kb));
    }
    rows.join("\n") + "\n"
}

#[test]
fn bitbrains_rows_repeating_a_timestamp_merge_into_one_sample() {
    let imported = ok(Format::Bitbrains, &[("1.csv", bitbrains_repeating())]);
    let vm = &imported.workload.vms[0];
    // Six steps, then one step per distinct timestamp.
    assert_eq!(vm.lifetime(), 8);
    assert_eq!(vm.usage.cpu[5], 1.0);
    assert_eq!(&vm.usage.cpu[6..], &[0.0, 0.0]);
    // Each merged value is the largest of its rows'.
    assert!((vm.usage.memory[6] - 0.2).abs() < 1e-6, "{:?}", vm.usage.memory);
    assert!((vm.usage.memory[7] - 0.3).abs() < 1e-6, "{:?}", vm.usage.memory);
    assert_eq!(detail(&imported, "rows_merged_same_timestamp"), 3);
    assert_eq!(imported.report.rows, 11);
    assert_eq!(imported.report.skipped_rows, 0);
    assert!(imported.report.warnings.is_empty(), "{:?}", imported.report.warnings);
}

#[test]
fn bitbrains_rows_out_of_time_order_are_still_refused() {
    let mut text = bitbrains_repeating();
    text.push_str(&bitbrains_row(2_500, 0, 0.0, 0.0, 0.0, 0.0));
    let e = err(Format::Bitbrains, &[("1.csv", text)]);
    assert!(
        e.contains("1.csv:13") && e.contains("Timestamp [ms]") && e.contains("before"),
        "{e}"
    );
}

/// Issue 24: a GWA-T-12 directory re-saved by a spreadsheet with `,` as the
/// separator was refused with "missing from the header", never naming the
/// separator as the cause.
#[test]
fn bitbrains_file_resaved_with_commas_names_the_separator() {
    let resaved = bitbrains_repeating().replace(";\t", ",");
    let e = err(Format::Bitbrains, &[("1.csv", resaved)]);
    assert!(e.starts_with("1.csv:1:"), "{e}");
    assert!(
        e.contains("splits on `;` (the separator this format expects)")
            && e.contains("appears to use `,` (10 of them)"),
        "{e}"
    );
}

/// The same rule in a comma-separated reader given a `;`-separated file.
#[test]
fn openb_pod_list_saved_with_semicolons_names_the_separator() {
    let text = "name;cpu_milli;memory_mib;num_gpu;gpu_milli;gpu_spec;qos;pod_phase;creation_time;deletion_time;scheduled_time\n\
                p0;1000;1024;0;0;;LS;Running;0;100;1\n";
    let e = err(Format::AlibabaOpenb, &[("openb_pod_list.csv", text.to_string())]);
    assert!(
        e.contains("expects) into 1 column(s), but the line appears to use `;`"),
        "{e}"
    );
}

#[test]
fn bitbrains_cpu_use_far_over_capacity_is_a_field_error() {
    let text = [
        BITBRAINS_HEADER.to_string(),
        bitbrains_row(1_000, 2, 2000.0, 2400.0, 1_048_576.0, 0.0),
        bitbrains_row(1_300, 2, 2000.0, 6000.0, 1_048_576.0, 0.0),
    ]
    .join("\n");
    let e = err(Format::Bitbrains, &[("1.csv", text)]);
    assert!(e.contains("1.csv:3") && e.contains("`CPU usage [MHZ]`"), "{e}");
}

// ---------------------------------------------------------------- Azure VM

const VMTABLE: &str = "vmA,subX,depX,0,1200,80.0,20.0,60.0,Interactive,2,4\n";

#[test]
fn azure_vm_import_dropping_most_readings_warns() {
    let readings = (
        "vm_cpu_readings-file-1-of-1.csv",
        "0,otherVm,1.0,90.0,30.0\n".to_string(),
    );
    let imported = ok(Format::AzureVm, &[("vmtable.csv", VMTABLE.to_string()), readings]);
    let warnings = &imported.report.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("azure-vm")
            && warnings[0].contains("1 of 1")
            && warnings[0].contains("not in the vmtable"),
        "{warnings:?}"
    );
    assert_eq!(imported.report.dropped.len(), 1);
    assert_eq!((imported.report.dropped[0].rows, imported.report.dropped[0].of), (1, 1));

    // The same VM with its own reading: nothing dropped, nothing to warn of.
    let readings = ("vm_cpu_readings-file-1-of-1.csv", "0,vmA,1.0,90.0,30.0\n".to_string());
    let imported = ok(Format::AzureVm, &[("vmtable.csv", VMTABLE.to_string()), readings]);
    assert!(imported.report.warnings.is_empty(), "{:?}", imported.report.warnings);
}

#[test]
fn azure_vm_readings_repeating_a_step_keep_the_first() {
    let text = "0,vmA,1.0,90.0,30.0\n0,vmA,1.0,90.0,70.0\n300,vmA,1.0,90.0,50.0\n".to_string();
    let readings = ("vm_cpu_readings-file-1-of-1.csv", text);
    let imported = ok(Format::AzureVm, &[("vmtable.csv", VMTABLE.to_string()), readings]);
    let vm = &imported.workload.vms[0];
    assert!((vm.usage.cpu[0] - 0.6).abs() < 1e-6, "{:?}", vm.usage.cpu);
    assert!((vm.usage.cpu[1] - 1.0).abs() < 1e-6, "{:?}", vm.usage.cpu);
    assert_eq!(detail(&imported, "readings_ignored_duplicate_step"), 1);
}

#[test]
fn azure_vm_percentage_over_100_is_a_field_error() {
    let readings = ("vm_cpu_readings-file-1-of-1.csv", "0,vmA,1.0,150.0,30.0\n".to_string());
    let e = err(Format::AzureVm, &[("vmtable.csv", VMTABLE.to_string()), readings]);
    assert!(
        e.contains("vm_cpu_readings-file-1-of-1.csv:1") && e.contains("`maxcpu`"),
        "{e}"
    );
    let table = VMTABLE.replace("20.0", "2000.0");
    let e = err(Format::AzureVm, &[("vmtable.csv", table)]);
    assert!(
        e.contains("vmtable.csv:1") && e.contains("`avgcpu`") && e.contains("percentage"),
        "{e}"
    );
}

// ---------------------------------------------------------------- Azure Functions 2019

const F19_APP: &str = "app1";

fn f19_invocations(minute_counts: &[(usize, u32)]) -> String {
    let mut header = vec![
        "HashOwner".to_string(),
        "HashApp".into(),
        "HashFunction".into(),
        "Trigger".into(),
    ];
    header.extend((1..=1440).map(|m| m.to_string()));
    let mut counts = vec![0u32; 1440];
    for &(m, n) in minute_counts {
        counts[m] = n;
    }
    let row: Vec<String> = ["own", F19_APP, "fn1", "http"]
        .iter()
        .map(|s| s.to_string())
        .chain(counts.iter().map(|n| n.to_string()))
        .collect();
    format!("{}\n{}\n", header.join(","), row.join(","))
}

fn f19_files(durations: &str) -> Vec<(&'static str, String)> {
    let header = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum";
    let memory = format!("HashOwner,HashApp,SampleCount,AverageAllocatedMb\nown,{F19_APP},10,256\n");
    vec![
        ("invocations_per_function_md.anon.d01.csv", f19_invocations(&[(0, 3)])),
        (
            "function_durations_percentiles.anon.d01.csv",
            format!("{header}\n{durations}"),
        ),
        ("app_memory_percentiles.anon.d01.csv", memory),
    ]
}

#[test]
fn azure_functions_2019_duplicate_duration_row_is_the_one_ignored() {
    let durations = format!("own,{F19_APP},fn1,1000,1,1000,1000\nown,{F19_APP},fn1,9000,1,9000,9000\n");
    let imported = ok(Format::AzureFunctions2019, &f19_files(&durations));
    let vm = &imported.workload.vms[0];
    // 3 invocations of the first row's 1 s in a 300 s step.
    assert!((vm.usage.cpu[0] - 3.0 / 300.0).abs() < 1e-6, "{:?}", vm.usage.cpu);
    assert_eq!(detail(&imported, "duplicate_duration_rows_ignored"), 1);
    let rule = detail(&imported, "duplicates").to_string();
    assert!(rule.contains("first row is used"), "{rule}");
}

#[test]
fn azure_functions_2019_negative_duration_is_a_field_error() {
    let durations = format!("own,{F19_APP},fn1,-5,1,1,1\n");
    let e = err(Format::AzureFunctions2019, &f19_files(&durations));
    assert!(
        e.contains("function_durations_percentiles.anon.d01.csv:2") && e.contains("`Average`"),
        "{e}"
    );
}

// ---------------------------------------------------------------- the other readers

#[test]
fn planetlab_fraction_instead_of_percentage_is_a_field_error() {
    let e = err(Format::Planetlab, &[("node_slice", "12\n0.35\n".to_string())]);
    assert!(
        e.contains("node_slice:2") && e.contains("`cpu_percent`") && e.contains("0-1 share"),
        "{e}"
    );
}

#[test]
fn alibaba_openb_negative_size_is_a_field_error() {
    let header =
        "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time";
    let text = format!("{header}\npod-0,-4000,1024,0,0,,LS,Running,0,600,0\n");
    let e = err(Format::AlibabaOpenb, &[("openb_pod_list_default.csv", text)]);
    assert!(
        e.contains("openb_pod_list_default.csv:2") && e.contains("`cpu_milli`"),
        "{e}"
    );
}

#[test]
fn azure_functions_2021_negative_duration_is_a_field_error() {
    let text = "app,func,end_timestamp,duration\na,f,100.0,1.0\na,f,200.0,-3.0\n".to_string();
    let e = err(
        Format::AzureFunctions2021,
        &[("AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt", text)],
    );
    assert!(e.contains(":3") && e.contains("`duration`"), "{e}");
}

#[test]
fn google_2019_usage_over_the_largest_machine_is_a_field_error() {
    let events = "time,type,collection_id,instance_index,priority,resource_request.cpus,resource_request.memory\n\
                  1000000,3,1,0,200,0.25,0.125\n"
        .to_string();
    let usage = "start_time,end_time,collection_id,instance_index,average_usage.cpus,average_usage.memory\n\
                 1000000,301000000,1,0,1.5,0.1\n"
        .to_string();
    let e = err(
        Format::Google2019,
        &[("instance_events-0.csv", events), ("instance_usage-0.csv", usage)],
    );
    assert!(
        e.contains("instance_usage-0.csv:2") && e.contains("`average_usage.cpus`"),
        "{e}"
    );
}

#[test]
fn alibaba_2018_memory_percentage_over_100_is_a_field_error() {
    let meta = "c_1,m_1,0,app_1,started,400,400,3.125\n".to_string();
    let usage = "c_1,m_1,10,50,80,,,,,,\nc_1,m_1,20,50,150,,,,,,\n".to_string();
    let e = err(
        Format::Alibaba2018,
        &[("container_meta.csv", meta), ("container_usage.csv", usage)],
    );
    assert!(
        e.contains("container_usage.csv:2") && e.contains("`mem_util_percent`"),
        "{e}"
    );
}

#[test]
fn huawei_negative_memory_is_a_field_error() {
    let text = "vmid,cpu,memory,time,type\n0,4,16,0.0,0\n1,2,-4,2.0,0\n".to_string();
    let e = err(Format::Huawei, &[("Huawei-East-1.csv", text)]);
    assert!(e.contains("Huawei-East-1.csv:3") && e.contains("`memory`"), "{e}");
}

#[test]
fn skipping_most_rows_as_bad_rows_warns() {
    let sources = vec![Source::from_bytes("node_slice", b"12\nx\ny\nz\n".to_vec()).unwrap()];
    let opts = ImportOptions {
        on_bad_row: OnBadRow::Skip,
        ..ImportOptions::default()
    };
    let imported = import(Format::Planetlab, sources, &opts).unwrap();
    let warnings = &imported.report.warnings;
    assert!(
        warnings.len() == 1 && warnings[0].contains("3 of 4 rows") && warnings[0].contains("skipped"),
        "{warnings:?}"
    );
}
