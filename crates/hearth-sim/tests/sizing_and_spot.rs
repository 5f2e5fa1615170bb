//! Fleet sizing and spot eviction on workloads whose answers are known.

use hearth_sim::{
    run, servers_needed, Admission, Decider, FleetSpec, FleetView, Policy, ServerId, SimConfig, SimRng, SizingOptions,
    VmView,
};
use hearth_trace::{Priority, Resources, Step, Vm, Workload};

/// First admissible server, written here so the simulator's tests do not
/// depend on the policies crate.
struct FirstAdmissible;

impl Policy for FirstAdmissible {
    fn name(&self) -> String {
        "first-admissible".into()
    }
    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.ids().find(|&s| fleet.admits(s, vm))
    }
}

fn vm(arrival: u32, life: u32, cores: f32, used: f32, priority: Priority) -> Vm {
    let (request, used) = (Resources::new(cores, 1.0), Resources::new(used, 0.5));
    Vm::steady(Step(arrival), life, request, used, priority)
}

fn spec() -> FleetSpec {
    FleetSpec::Homogeneous {
        capacity: Resources::new(16.0, 64.0),
    }
}

fn requests() -> SimConfig {
    SimConfig {
        admission: Admission::Requests {
            cpu_oversub: 1.0,
            memory_oversub: 1.0,
        },
        ..Default::default()
    }
}

fn first() -> Decider {
    Decider::Online(Box::new(FirstAdmissible))
}

#[test]
fn ten_8_core_vms_need_five_16_core_servers() {
    let vms = (0..10).map(|_| vm(0, 4, 8.0, 8.0, Priority::OnDemand)).collect();
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let s = servers_needed(&w, &spec(), &requests(), &SizingOptions::default(), &mut first).unwrap();
    assert_eq!(s.servers_needed, Some(5));
    assert_eq!(s.metrics.rejections, 0);
    assert_eq!(s.metrics.overload_rate, 0.0);
    let four = run(&w, &spec().build(4), &requests(), &mut first()).unwrap();
    assert_eq!(four.rejections, 2);
}

#[test]
fn a_vm_using_more_than_any_server_makes_the_limit_unattainable() {
    let mut vms: Vec<Vm> = (0..4).map(|_| vm(0, 4, 4.0, 2.0, Priority::OnDemand)).collect();
    vms.push(vm(1, 10, 4.0, 20.0, Priority::OnDemand)); // uses 20 cores of a 16-core server
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let s = servers_needed(&w, &spec(), &requests(), &SizingOptions::default(), &mut first).unwrap();
    assert_eq!(s.servers_needed, None);
    assert!(s.reason.unwrap().contains("more servers do not help"));
}

#[test]
fn the_answer_holds_at_the_next_two_sizes_and_fails_below() {
    let vms = (0..12).map(|i| vm(i % 3, 3, 6.0, 6.0, Priority::OnDemand)).collect();
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let s = servers_needed(&w, &spec(), &requests(), &SizingOptions::default(), &mut first).unwrap();
    let n = s.servers_needed.unwrap();
    for k in n..n + 3 {
        let m = run(&w, &spec().build(k), &requests(), &mut first()).unwrap();
        assert!(m.rejections == 0 && m.overload_rate <= 0.01, "size {k} fails");
    }
    let below = run(&w, &spec().build(n - 1), &requests(), &mut first()).unwrap();
    assert!(below.rejections > 0 || below.overload_rate > 0.01);
}

#[test]
fn on_demand_evicts_the_fewest_spot_vms() {
    // Server 0: four 4-core spot VMs; server 1: one 12-core spot VM and a
    // 4-core on-demand VM. An 8-core on-demand VM needs two evictions on
    // server 0 and one on server 1: server 1 loses its spot VM.
    let vms = vec![
        vm(0, 10, 4.0, 1.0, Priority::Spot),
        vm(0, 10, 4.0, 1.0, Priority::Spot),
        vm(0, 10, 4.0, 1.0, Priority::Spot),
        vm(0, 10, 4.0, 1.0, Priority::Spot),
        vm(0, 10, 12.0, 1.0, Priority::Spot),
        vm(0, 10, 4.0, 1.0, Priority::OnDemand),
        vm(2, 5, 8.0, 1.0, Priority::OnDemand),
    ];
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let m = run(&w, &spec().build(2), &requests(), &mut first()).unwrap();
    assert_eq!(m.evictions, 1);
    assert_eq!(m.rejections, 0);
    let e = &m.eviction_log[0];
    assert_eq!((e.step, e.server, e.cores), (Step(2), ServerId(1), 12.0));
    assert_eq!(m.assignment[6], Some(ServerId(1)));
}

#[test]
fn spot_vms_are_rejected_not_evicting() {
    let vms = vec![vm(0, 10, 16.0, 1.0, Priority::Spot), vm(1, 5, 8.0, 1.0, Priority::Spot)];
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let m = run(&w, &spec().build(1), &requests(), &mut first()).unwrap();
    assert_eq!((m.evictions, m.rejections, m.rejected_spot), (0, 1, 1));
}

#[test]
fn lagged_usage_admission_ignores_unmeasured_same_step_placements() {
    // Under lagged usage admission three 8-core VMs arriving in one step all
    // fit an empty 16-core server (its last measurement is 0), and the
    // overload is measured when they run. Under usage admission the third
    // is rejected: the first two already count at their requests.
    let vms: Vec<Vm> = (0..3).map(|_| vm(0, 2, 8.0, 8.0, Priority::OnDemand)).collect();
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let lagged = SimConfig {
        admission: Admission::UsageLagged,
        ..SimConfig::default()
    };
    let m = run(&w, &spec().build(1), &lagged, &mut first()).unwrap();
    assert_eq!(m.placed, 3);
    assert_eq!(m.overloaded_server_steps, 2);
    let m = run(&w, &spec().build(1), &SimConfig::default(), &mut first()).unwrap();
    assert_eq!((m.placed, m.rejections, m.overloaded_server_steps), (2, 1, 0));
}

/// Ten 1-core VMs arrive in one step on empty 2-core servers. An allocator
/// that counts what it has just placed spreads them two to a server; one
/// that sees only the lagged measurement (still zero) herds them all onto
/// the first server, which then runs at five times its capacity.
#[test]
fn usage_admission_counts_vms_placed_since_the_last_measurement() {
    let vms: Vec<Vm> = (0..10).map(|_| vm(1, 4, 1.0, 1.0, Priority::OnDemand)).collect();
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let fleet = FleetSpec::Homogeneous {
        capacity: Resources::new(2.0, 64.0),
    }
    .build(10);
    let hosts = |admission| {
        let config = SimConfig {
            admission,
            ..SimConfig::default()
        };
        let m = run(&w, &fleet, &config, &mut Decider::Online(Box::new(FirstAdmissible))).unwrap();
        let mut per_server = [0usize; 10];
        for s in m.assignment.iter().flatten() {
            per_server[s.index()] += 1;
        }
        (per_server, m.overload_rate)
    };
    let (spread, overload) = hosts(Admission::Usage);
    assert_eq!(spread, [2, 2, 2, 2, 2, 0, 0, 0, 0, 0]);
    assert_eq!(overload, 0.0);
    let (herded, overload) = hosts(Admission::UsageLagged);
    assert_eq!(herded, [10, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(overload, 1.0);
}

/// Once measured, a VM counts by its usage, not its request: a server whose
/// residents use little takes more than its capacity in requests.
#[test]
fn measured_vms_count_by_usage() {
    let mut vms: Vec<Vm> = (0..4).map(|_| vm(0, 6, 2.0, 0.25, Priority::OnDemand)).collect();
    vms.push(vm(2, 3, 2.0, 0.25, Priority::OnDemand));
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let fleet = FleetSpec::Homogeneous {
        capacity: Resources::new(4.0, 64.0),
    }
    .build(3);
    let m = run(
        &w,
        &fleet,
        &SimConfig::default(),
        &mut Decider::Online(Box::new(FirstAdmissible)),
    )
    .unwrap();
    // Step 0: two 2-core requests fill server 0, two go to server 1. At step
    // 2 server 0 is measured at 0.5 cores, so it admits the fifth VM.
    let hosts: Vec<u32> = m.assignment.iter().map(|s| s.unwrap().0).collect();
    assert_eq!(hosts, [0, 0, 1, 1, 0]);
}
