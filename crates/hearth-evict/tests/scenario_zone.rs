//! Clusters from a real zone's demand: the sizing rule, and one cluster
//! made from the shipped Azure packing sample.

use hearth_evict::scenario::ScenarioConfig;
use hearth_evict::scenario_zone::{peak_on_demand, simulate_zones, size_nodes, zone_hours, ZoneDemand};
use hearth_evict::snapshot::raw;
use hearth_sim::Decider;
use hearth_trace::formats::azure_packing_2020::read_server_types;
use hearth_trace::{import_paths, Format, ImportOptions, Priority, Resources};
use std::path::PathBuf;

#[test]
fn nodes_are_machine_types_in_turn_until_cores_and_memory_reach_the_peak() {
    let types = [Resources::new(24.0, 192.0), Resources::new(48.0, 384.0)];
    // 24 + 48 + 24 = 96 cores < 100: a fourth node is needed.
    let nodes = size_nodes(&types, (100.0, 500.0), 1.0).unwrap();
    assert_eq!(nodes, [types[0], types[1], types[0], types[1]]);
    // Memory binds: 5 × 192 GiB of type 0 ... alternating until 1,000 GiB.
    assert_eq!(size_nodes(&types, (1.0, 1000.0), 1.0).unwrap().len(), 4);
    assert_eq!(size_nodes(&types, (100.0, 500.0), 0.5).unwrap().len(), 2);
    assert!(size_nodes(&[], (1.0, 1.0), 1.0).is_err());
    assert!(size_nodes(&types, (1.0, 1.0), f64::NAN).is_err());
}

#[test]
fn the_shipped_zone_sample_makes_a_cluster_that_evicts() {
    let config = ScenarioConfig::default();
    let opts = ImportOptions {
        step_seconds: config.step_seconds,
        ..ImportOptions::default()
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/samples/azure-packing-2020");
    let file = dir.join("relevant-vm-1pcnt_0.csv");
    let workload = import_paths(Format::AzurePacking2020, &[file], &opts).unwrap().workload;
    let spot = workload.vms.iter().filter(|v| v.priority == Priority::Spot).count();
    assert!(spot > 0 && spot < workload.vms.len() / 5, "{spot} spot VMs");
    let peak = peak_on_demand(&workload, 144);
    let source = hearth_trace::Source::open(&dir.join("server_vm_cores_ram.json")).unwrap();
    let types: Vec<Resources> = read_server_types(source).unwrap().iter().map(|t| t.capacity).collect();
    let zones = [ZoneDemand {
        name: "z0".into(),
        workload,
    }];
    let best_fit = || Decider::Online(hearth_place::heuristic("best-fit").unwrap());
    let runs = simulate_zones(&config, &zones, &types, 1.15, &best_fit, 1, &|_| {}).unwrap();
    let s = &runs[0].snapshots;
    assert_eq!(s.hours, zone_hours(&config));
    assert_eq!(s.hours, 14 * 24 - 24);
    let cores: f32 = s.cluster(0)[raw::NODE_CORES];
    assert!(cores as f64 >= 1.15 * peak.0, "{cores} cores for a peak of {}", peak.0);
    assert!((0..s.hours).map(|h| s.cluster(h)[raw::EVICTIONS]).sum::<f32>() > 0.0);
    assert!((0..s.hours).any(|h| s.cluster_rate(h) < 0.05));
}
