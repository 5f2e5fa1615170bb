//! `LiveFleet` driven by events as a service drives it: usage reports that
//! jump far ahead of the clock, and VMs that arrive already running.

use hearth_sim::{
    Admission, Arrival, Decider, FleetSpec, FleetView, LiveFleet, Policy, Reporter, ServerId, SimConfig, SimRng, VmView,
};
use hearth_trace::{Priority, Resources, Step};

/// The first server that admits the VM.
struct FirstAdmitting;

impl Policy for FirstAdmitting {
    fn name(&self) -> String {
        "first-admitting".into()
    }
    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.ids().find(|&s| fleet.admits(s, vm))
    }
}

fn fleet(servers: usize) -> LiveFleet {
    let spec = FleetSpec::Homogeneous {
        capacity: Resources::new(16.0, 64.0),
    };
    let config = SimConfig {
        admission: Admission::Usage,
        ..SimConfig::default()
    };
    LiveFleet::new(&spec.build(servers), &config, false)
}

fn arrival(cores: f32, usage: Option<Resources>) -> Arrival {
    Arrival {
        request: Resources::new(cores, 8.0),
        priority: Priority::OnDemand,
        tenant: None,
        vm_type: None,
        usage,
    }
}

#[test]
fn a_report_far_past_the_timelines_end_closes_every_step_between() {
    let mut live = fleet(2);
    let mut decider = Decider::Online(Box::new(FirstAdmitting));
    let placed = live.arrive(arrival(4.0, None), &mut decider).unwrap();
    let s = placed.server.expect("an empty server admits 4 cores");
    let vm = Reporter::Vm(placed.vm);
    live.report(&[(vm, Step(0), Resources::new(1.0, 2.0))]).unwrap();
    // Far beyond the initial timelines (tens of steps): the steps between close as unreported.
    live.report(&[(vm, Step(5_000), Resources::new(3.0, 5.0))]).unwrap();
    live.arrive(arrival(1.0, None), &mut decider).unwrap();
    assert_eq!(live.now(), Step(5_001));
    assert_eq!(live.view().measured(s), Resources::new(3.0, 5.0));
    let history = live.view().cpu_history(s, 5_001);
    assert_eq!(history.len(), 5_001);
    assert_eq!(
        (history[0], history[1], history[4_999], history[5_000]),
        (1.0, 0.0, 0.0, 3.0)
    );
}

#[test]
fn a_vm_already_running_counts_by_its_usage_until_measured() {
    let mut live = fleet(1);
    let mut decider = Decider::Online(Box::new(FirstAdmitting));
    // 14 of 16 cores requested but 2 used: counted by its request, nothing more fits.
    let new = live.arrive(arrival(14.0, None), &mut decider).unwrap();
    assert!(new.server.is_some());
    assert_eq!(live.arrive(arrival(4.0, None), &mut decider).unwrap().server, None);

    let mut live = fleet(1);
    let running = live
        .arrive(arrival(14.0, Some(Resources::new(2.0, 4.0))), &mut decider)
        .unwrap();
    assert!(running.server.is_some());
    assert_eq!(live.view().observed(ServerId(0)), Resources::new(2.0, 4.0));
    assert!(live.arrive(arrival(4.0, None), &mut decider).unwrap().server.is_some());
    // Once measured, the report counts, as for any VM.
    live.report(&[(Reporter::Vm(running.vm), Step(0), Resources::new(9.0, 4.0))])
        .unwrap();
    live.arrive(arrival(1.0, None), &mut decider).unwrap();
    assert_eq!(live.view().measured(ServerId(0)).cpu.0, 9.0);
}

#[test]
fn ids_of_vms_gone_are_reused_so_the_vm_table_stays_at_the_running_peak() {
    let mut live = fleet(1);
    let mut decider = Decider::Online(Box::new(FirstAdmitting));
    let a = live.arrive(arrival(4.0, None), &mut decider).unwrap();
    let rejected = live.arrive(arrival(64.0, None), &mut decider).unwrap();
    assert_eq!(rejected.server, None);
    let b = live.arrive(arrival(4.0, None), &mut decider).unwrap();
    assert_eq!(b.vm, rejected.vm, "a rejected VM's id is free at once");
    live.report(&[(Reporter::Vm(a.vm), Step(0), Resources::new(1.0, 1.0))])
        .unwrap();
    live.depart(a.vm).unwrap();
    let c = live.arrive(arrival(2.0, None), &mut decider).unwrap();
    assert_eq!(c.vm, a.vm, "a departed VM's id is reused");
    assert_eq!(live.host(c.vm), c.server);
    assert_eq!(live.view().vm(c.vm).unwrap().arrival, Step(1));
    // The old VM's reports are not the new one's.
    live.report(&[(Reporter::Vm(c.vm), Step(1), Resources::new(0.5, 1.0))])
        .unwrap();
    assert!(live.depart(b.vm).is_ok() && live.depart(c.vm).is_ok());
    assert!(live.depart(c.vm).is_err(), "gone VMs are not running");
}

#[test]
fn a_reused_id_does_not_inherit_the_measured_usage_of_the_vm_before_it() {
    let mut live = fleet(1);
    let mut decider = Decider::Online(Box::new(FirstAdmitting));
    let running = live
        .arrive(arrival(14.0, Some(Resources::new(2.0, 4.0))), &mut decider)
        .unwrap();
    live.depart(running.vm).unwrap();
    // Same step, same id, no usage: it counts by its 14-core request.
    let new = live.arrive(arrival(14.0, None), &mut decider).unwrap();
    assert_eq!(new.vm, running.vm);
    assert_eq!(live.view().observed(ServerId(0)).cpu.0, 14.0);
    assert_eq!(live.arrive(arrival(4.0, None), &mut decider).unwrap().server, None);
}
