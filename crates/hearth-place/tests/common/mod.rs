//! Workloads the integration tests share: small compositions of the
//! shipped samples.

use hearth_trace::{compose, import_paths, ComposeOptions, Format, ImportOptions, SizeSource, Workload};
use std::path::PathBuf;

pub fn sample(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/")).join(rel)
}

/// openb arrivals time-scaled to `vms` VMs over `days`, Bitbrains usage
/// (VMs ≤ 8 cores, ≤ 32 GiB), composed with `seed`.
pub fn composed_over(vms: usize, days: f64, seed: u64) -> Workload {
    let opts = ImportOptions::default();
    let openb = sample("alibaba-openb-2023/openb_pod_list_default.csv");
    let arrivals = import_paths(Format::AlibabaOpenb, &[openb], &opts).unwrap().workload;
    let usage = import_paths(Format::Bitbrains, &[sample("bitbrains-rnd")], &opts)
        .unwrap()
        .workload;
    let copts = ComposeOptions {
        vms: Some(vms),
        days: Some(days),
        sizes: SizeSource::Usage,
        max_vm_cores: Some(8.0),
        max_vm_memory_gib: Some(32.0),
        seed,
        ..Default::default()
    };
    compose(&arrivals, &usage, &copts).unwrap()
}
