//! The composer on the shipped samples: counts, bounds, spans,
//! determinism, and usage that is a real window of a real series.

use hearth_trace::{
    compose, import_paths, stagger, ComposeOptions, Format, ImportOptions, SizeSource, StaggerOptions, Workload,
};
use std::path::PathBuf;

fn sample(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/samples/")).join(rel)
}

fn openb() -> Workload {
    let p = sample("alibaba-openb-2023/openb_pod_list_default.csv");
    import_paths(Format::AlibabaOpenb, &[p], &ImportOptions::default())
        .unwrap()
        .workload
}

fn bitbrains() -> Workload {
    import_paths(Format::Bitbrains, &[sample("bitbrains-rnd")], &ImportOptions::default())
        .unwrap()
        .workload
}

fn default_opts(seed: u64) -> ComposeOptions {
    ComposeOptions {
        vms: Some(20_000),
        days: Some(1.0),
        sizes: SizeSource::Usage,
        max_vm_cores: Some(8.0),
        max_vm_memory_gib: Some(32.0),
        seed,
        ..Default::default()
    }
}

#[test]
fn composes_the_requested_vms_within_span_and_bounds() {
    let (arrivals, usage) = (openb(), bitbrains());
    let w = compose(&arrivals, &usage, &default_opts(7)).unwrap();
    // A life that passes the span's end goes on from its start as a second VM.
    let wrapped = w.provenance.steps[0].details["lifetimes_wrapped_to_start"]
        .as_u64()
        .unwrap();
    assert!(
        wrapped > 0,
        "shifted copies of openb have lives that pass the span's end"
    );
    assert_eq!(w.vms.len() as u64, 20_000 + wrapped);
    assert_eq!(w.step_seconds, 300);
    assert!(w.vms.iter().all(|v| v.arrival.0 < 288 && v.departure.0 <= 288));
    assert!(w
        .vms
        .iter()
        .all(|v| v.request.cpu.0 <= 8.0 && v.request.memory.0 <= 32.0));
    let spot = w
        .vms
        .iter()
        .filter(|v| v.priority == hearth_trace::Priority::Spot)
        .count();
    // openb has 3,398 BE pods of 8,152; composing keeps the mix (about 42%).
    assert!((0.35..0.48).contains(&(spot as f64 / 20_000.0)), "spot share {spot}");
    let step = &w.provenance.steps[0];
    assert_eq!(step.action, "compose");
    assert_eq!(step.details["seed"], 7);
    assert_eq!(step.details["copies"], 3);
}

#[test]
fn same_seed_same_workload_other_seed_other_workload() {
    let (arrivals, usage) = (openb(), bitbrains());
    let a = compose(&arrivals, &usage, &default_opts(1)).unwrap();
    let b = compose(&arrivals, &usage, &default_opts(1)).unwrap();
    let c = compose(&arrivals, &usage, &default_opts(2)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.vms, c.vms);
}

#[test]
fn usage_sizes_give_each_vm_a_real_window_of_a_real_series() {
    let (arrivals, usage) = (openb(), bitbrains());
    let w = compose(&arrivals, &usage, &default_opts(3)).unwrap();
    for vm in w.vms.iter().filter(|v| v.lifetime() >= 3).take(50) {
        let found = usage.vms.iter().any(|u| {
            u.request == vm.request
                && u.usage.cpu.windows(vm.usage.cpu.len()).any(|win| {
                    win.iter()
                        .zip(&vm.usage.cpu)
                        .all(|(a, b)| (a / u.request.cpu.0 * vm.request.cpu.0 - b).abs() < 1e-4)
                })
        });
        assert!(found, "VM {} has no matching Bitbrains window", vm.id.0);
    }
}

#[test]
fn arrival_sizes_scale_usage_fractions() {
    let planetlab = import_paths(Format::Planetlab, &[sample("planetlab")], &ImportOptions::default())
        .unwrap()
        .workload;
    let opts = ComposeOptions {
        sizes: SizeSource::Arrivals,
        ..default_opts(5)
    };
    let w = compose(&openb(), &planetlab, &opts).unwrap();
    let wrapped = w.provenance.steps[0].details["lifetimes_wrapped_to_start"]
        .as_u64()
        .unwrap();
    assert_eq!(w.vms.len() as u64, 20_000 + wrapped);
    for vm in &w.vms {
        // PlanetLab reports percent of capacity: usage never exceeds the request.
        assert!(vm.usage.cpu.iter().all(|&c| c <= vm.request.cpu.0 + 1e-4));
        assert!(vm.usage.memory.iter().all(|&m| m == 0.0));
    }
    let left_out = w.provenance.steps[0].details["arrival_vms_left_out_by_bounds"]
        .as_u64()
        .unwrap();
    assert!(left_out > 0, "openb has pods over 8 cores; they must be counted");
}

#[test]
fn bounds_that_exclude_everything_are_an_error() {
    let opts = ComposeOptions {
        max_vm_cores: Some(0.1),
        ..default_opts(0)
    };
    let err = compose(&openb(), &bitbrains(), &opts).unwrap_err().to_string();
    assert!(err.contains("size bounds"), "{err}");
}

#[test]
fn stagger_gives_usage_traces_arrivals_and_lifetimes() {
    let usage = bitbrains();
    let opts = StaggerOptions {
        vms: 500,
        days: 1.0,
        mean_lifetime_hours: 2.0,
        spot_fraction: 0.25,
        max_vm_cores: None,
        max_vm_memory_gib: None,
        seed: 9,
    };
    let a = stagger(&usage, &opts).unwrap();
    let b = stagger(&usage, &opts).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.vms.len(), 500);
    let mean_life = a.vm_steps() as f64 / 500.0;
    assert!(
        (12.0..36.0).contains(&mean_life),
        "mean lifetime {mean_life} steps for 2 h"
    );
    assert!(a.vms.windows(2).any(|p| p[0].arrival != p[1].arrival));
    assert_eq!(a.provenance.steps.last().unwrap().action, "stagger");
}
