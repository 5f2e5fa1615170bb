//! Reported metrics against values worked out by hand on a tiny fleet.

use hearth_sim::{run, Admission, Decider, Fleet, FleetView, Policy, ServerId, SimConfig, SimRng, VmView};
use hearth_trace::{Priority, Resources, Step, Usage, Vm, VmId, Workload};

struct FirstAdmissible;

impl Policy for FirstAdmissible {
    fn name(&self) -> String {
        "first-admissible".into()
    }
    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        fleet.ids().find(|&s| fleet.admits(s, vm))
    }
}

fn vm(arrival: u32, cores: f32, cpu: &[f32], memory: &[f32]) -> Vm {
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(0),
        arrival: Step(arrival),
        departure: Step(arrival + cpu.len() as u32),
        request: Resources::new(cores, 1.0),
        priority: Priority::OnDemand,
        usage: Usage {
            cpu: cpu.to_vec(),
            memory: memory.to_vec(),
        },
    }
}

/// Three 10-core, 64-GiB servers, requests admission. `a` (6 cores) and `c`
/// (4 cores, from step 1) share server 0; `b` (6 cores) takes server 1;
/// server 2 stays idle and never counts as active.
///
/// | step | s0 CPU       | s1 CPU, memory   | overloaded        |
/// | 0    | a 2 = 2      | b 6, 1 GiB       | none              |
/// | 1    | a 12 + c 3   | b 6, 70 GiB      | s0 (CPU), s1 (mem) |
///
/// Active server-steps 4, overloaded 2: overload rate 0.5. VM-steps 2 + 3,
/// on overloaded servers 0 + 3: VM-step rate 0.6. CPU utilisation of the
/// active server-steps 0.2, 0.6, 1.5, 0.6: mean 0.725. Peak-to-average per
/// step 0.6 / 0.4 = 1.5 and 1.5 / 1.05, mean 1.4642857.
#[test]
fn metrics_match_a_hand_computation() {
    let w = Workload::new(
        300,
        vec![
            vm(0, 6.0, &[2.0, 12.0], &[1.0, 1.0]),
            vm(0, 6.0, &[6.0, 6.0], &[1.0, 70.0]),
            vm(1, 4.0, &[3.0], &[1.0]),
        ],
        Default::default(),
    )
    .unwrap();
    let fleet = Fleet {
        capacities: vec![Resources::new(10.0, 64.0); 3],
    };
    let config = SimConfig {
        admission: Admission::Requests {
            cpu_oversub: 1.0,
            memory_oversub: 1.0,
        },
        ..SimConfig::default()
    };
    let m = run(&w, &fleet, &config, &mut Decider::Online(Box::new(FirstAdmissible))).unwrap();
    assert_eq!(m.assignment, [Some(ServerId(0)), Some(ServerId(1)), Some(ServerId(0))]);
    assert_eq!((m.active_server_steps, m.overloaded_server_steps), (4, 2));
    assert_eq!((m.vm_steps, m.overloaded_vm_steps), (5, 3));
    assert_eq!(m.servers_used, 2);
    let close = |got: f64, want: f64| assert!((got - want).abs() < 1e-6, "{got} != {want}");
    close(m.overload_rate, 0.5);
    close(m.vm_overload_rate, 0.6);
    close(m.utilisation, 0.725);
    close(m.peak_to_average, (1.5 + 1.5 / 1.05) / 2.0);
    let cpu: Vec<f32> = m.step_load.iter().map(|r| r.cpu.0).collect();
    assert_eq!(cpu, [8.0, 21.0]);
}

/// A threshold below 1 counts a server-step as overloaded from that share
/// of capacity: at 0.5, step 0's s1 (6 of 10 cores) is overloaded too.
#[test]
fn the_overload_threshold_scales_cpu_capacity() {
    let w = Workload::new(
        300,
        vec![
            vm(0, 6.0, &[2.0, 2.0], &[1.0, 1.0]),
            vm(0, 6.0, &[6.0, 4.0], &[1.0, 1.0]),
        ],
        Default::default(),
    )
    .unwrap();
    let fleet = Fleet {
        capacities: vec![Resources::new(10.0, 64.0); 2],
    };
    let config = SimConfig {
        admission: Admission::Requests {
            cpu_oversub: 1.0,
            memory_oversub: 1.0,
        },
        overload_threshold: 0.5,
        ..SimConfig::default()
    };
    let m = run(&w, &fleet, &config, &mut Decider::Online(Box::new(FirstAdmissible))).unwrap();
    assert_eq!((m.active_server_steps, m.overloaded_server_steps), (4, 1));
    assert!((m.overload_rate - 0.25).abs() < 1e-12);
    assert!((m.vm_overload_rate - 0.25).abs() < 1e-12);
}
