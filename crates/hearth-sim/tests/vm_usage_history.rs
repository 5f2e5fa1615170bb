//! A policy may read each resident VM's measured usage, but only of steps before now.

use std::cell::RefCell;
use std::rc::Rc;

use hearth_sim::{run, Decider, Fleet, FleetView, Policy, ServerId, SimConfig, SimRng, VmView};
use hearth_trace::{Priority, Resources, Step, Usage, Vm, VmId, Workload};

type Log = Rc<RefCell<Vec<(u32, Vec<f32>, Vec<f32>)>>>;

/// Places on server 0 and records, at each arrival, what the view answers for VM 0.
struct Recorder(Log);

impl Policy for Recorder {
    fn name(&self) -> String {
        "recorder".into()
    }
    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        if let Some((cpu, mem)) = fleet.vm_usage_history(VmId(0), 3) {
            self.0.borrow_mut().push((vm.arrival.0, cpu.to_vec(), mem.to_vec()));
        }
        if fleet.vm_usage_history(VmId(4), 3).is_some() && vm.arrival.0 < 20 {
            self.0.borrow_mut().push((u32::MAX, Vec::new(), Vec::new())); // a leak, checked below
        }
        Some(ServerId(0))
    }
}

fn vm(arrival: u32, life: u32) -> Vm {
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(0),
        arrival: Step(arrival),
        departure: Step(arrival + life),
        request: Resources::new(1.0, 1.0),
        priority: Priority::OnDemand,
        // Usage at step t of life is t + 1, so a leak of the current step shows.
        usage: Usage {
            cpu: (1..=life).map(|t| t as f32).collect(),
            memory: (1..=life).map(|t| 10.0 * t as f32).collect(),
        },
    }
}

#[test]
fn vm_usage_history_answers_only_measured_steps_before_now() {
    // VM 0 lives steps 0..10; the others arrive at 0, 2, 5 and 20 to look at it.
    let vms = vec![vm(0, 10), vm(0, 1), vm(2, 1), vm(5, 1), vm(20, 1)];
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let fleet = Fleet {
        capacities: vec![Resources::new(100.0, 1000.0)],
    };
    let log: Log = Rc::default();
    let mut d = Decider::Online(Box::new(Recorder(log.clone())));
    run(&w, &fleet, &SimConfig::default(), &mut d).unwrap();
    let log = log.borrow();
    let at = |step: u32| log.iter().find(|e| e.0 == step).cloned();
    assert!(at(u32::MAX).is_none(), "a VM's usage was answered before it arrived");
    // At step 0 (VM 0's own arrival and the next): nothing measured yet.
    assert_eq!(at(0).unwrap().1, Vec::<f32>::new());
    // At step 2: steps 0 and 1 were measured (usage 1, 2); step 2 is not.
    assert_eq!(at(2).unwrap().1, vec![1.0, 2.0]);
    // At step 5: the last 3 measured steps, 2..5.
    let (_, cpu, mem) = at(5).unwrap();
    assert_eq!(cpu, vec![3.0, 4.0, 5.0]);
    assert_eq!(mem, vec![30.0, 40.0, 50.0]);
    // At step 20, long after VM 0 left: its last 3 steps, still only the past.
    assert_eq!(at(20).unwrap().1, vec![8.0, 9.0, 10.0]);
}
