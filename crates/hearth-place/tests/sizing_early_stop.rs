//! The sizing search as it runs now (failing runs stopped early, scans
//! skipping never-used servers) against the reference, the search as it was
//! before (every run complete, every scan over the whole fleet): equal
//! answers, metrics and placements at the answer, and numbers of runs, for
//! every heuristic and the teacher, several seeds, both admission modes and
//! two limits, on small workloads composed from the shipped samples.

use hearth_place::{heuristic, Objective, Teacher, HEURISTICS};
use hearth_sim::{servers_needed, with_full_scans, Admission, Decider, FleetSpec, SimConfig, Sizing, SizingOptions};
use hearth_trace::{Priority, Resources, Step, Usage, Vm, VmId, Workload};

mod common;

fn composed(vms: usize, seed: u64) -> Workload {
    common::composed_over(vms, 0.5, seed)
}

fn spec() -> FleetSpec {
    FleetSpec::Homogeneous {
        capacity: Resources::new(16.0, 64.0),
    }
}

fn decider(name: &str) -> Decider {
    match name {
        "teacher" => Decider::Hindsight(Box::new(Teacher::new(Some(2), Objective::Overload, 1.0))),
        _ => Decider::Online(heuristic(name).unwrap()),
    }
}

/// The search as configured (early stop on) and the reference: no early
/// stop, full scans.
fn both(w: &Workload, config: &SimConfig, opts: &SizingOptions, make: &mut dyn FnMut() -> Decider) -> (Sizing, Sizing) {
    let fast = servers_needed(w, &spec(), config, opts, make).unwrap();
    let full = SizingOptions {
        early_stop: false,
        ..opts.clone()
    };
    let reference = with_full_scans(|| servers_needed(w, &spec(), config, &full, make).unwrap());
    (fast, reference)
}

fn assert_same(fast: &Sizing, reference: &Sizing, what: &str) {
    assert_eq!(fast.servers_needed, reference.servers_needed, "{what}");
    assert_eq!(fast.reason, reference.reason, "{what}");
    assert_eq!(fast.runs, reference.runs, "{what}: the same sizes probed");
    let (a, b) = (&fast.metrics, &reference.metrics);
    assert_eq!(a.stopped_early_at, None, "{what}: the reported run is complete");
    assert_eq!(
        (a.servers, a.placed, a.rejections, a.evictions),
        (b.servers, b.placed, b.rejections, b.evictions),
        "{what}"
    );
    assert_eq!(
        (a.overloaded_server_steps, a.active_server_steps, a.overloaded_vm_steps),
        (b.overloaded_server_steps, b.active_server_steps, b.overloaded_vm_steps),
        "{what}"
    );
    assert_eq!(a.assignment, b.assignment, "{what}");
    assert_eq!(reference.stopped_early, 0, "{what}");
}

#[test]
fn early_stop_changes_no_answer() {
    let requests = Admission::Requests {
        cpu_oversub: 1.0,
        memory_oversub: 1.0,
    };
    let policies: Vec<&str> = HEURISTICS.iter().copied().chain(["power-of-4", "teacher"]).collect();
    let mut stopped = 0;
    for (vms, workload_seed) in [(300, 1), (500, 2)] {
        let w = composed(vms, workload_seed);
        for admission in [Admission::Usage, requests] {
            for limit in [0.01, 0.0] {
                let opts = SizingOptions {
                    overload_limit: limit,
                    ..Default::default()
                };
                for &policy in &policies {
                    for seed in 0..3 {
                        let config = SimConfig {
                            admission,
                            seed,
                            ..Default::default()
                        };
                        let mut make = || decider(policy);
                        let (fast, reference) = both(&w, &config, &opts, &mut make);
                        let what = format!(
                            "{policy}, {} admission, limit {limit}, seed {seed}, {vms} VMs",
                            admission.name()
                        );
                        assert_same(&fast, &reference, &what);
                        stopped += fast.stopped_early;
                    }
                }
            }
        }
    }
    // Every search runs failing sizes (at least 1 server fails here), so
    // the early stop must have fired.
    assert!(stopped > 100, "only {stopped} runs stopped early");
}

/// Where no size meets the limit, the reason describes the run at the cap,
/// which is run in full: here every VM uses more CPU than a server has, so
/// every active server-step is overloaded at any size.
#[test]
fn the_run_at_the_cap_is_never_cut_short() {
    let hot = |i: u32| Vm {
        tenant: None,
        vm_type: None,
        id: VmId(0),
        arrival: Step(i),
        departure: Step(i + 10),
        request: Resources::new(1.0, 1.0),
        priority: Priority::OnDemand,
        usage: Usage {
            cpu: vec![20.0; 10],
            memory: vec![1.0; 10],
        },
    };
    let w = Workload::new(300, (0..6).map(hot).collect(), Default::default()).unwrap();
    let opts = SizingOptions {
        max_servers: Some(4),
        ..Default::default()
    };
    let (fast, reference) = both(&w, &SimConfig::default(), &opts, &mut || decider("first-fit"));
    assert_eq!(fast.servers_needed, None);
    assert_same(&fast, &reference, "first-fit on VMs hotter than any server");
    assert_eq!(
        (fast.runs, fast.stopped_early),
        (3, 2),
        "sizes 1 and 2 stop early, the cap 4 does not"
    );
    assert_eq!(fast.metrics.overload_rate, 1.0);
    let reason = fast.reason.unwrap();
    assert!(reason.contains("at 4 servers"), "{reason}");
}
