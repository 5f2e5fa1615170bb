//! FirePlace's history features see only the past: perturbing everything
//! at or after step t (VMs arriving after t, and the usage and departures
//! of earlier VMs from t on) leaves every feature row of decisions up to t
//! unchanged, while the same rows do change when the past is perturbed.

use hearth_place::fireplace::features::{rows, ROW_FEATURES};
use hearth_sim::{run, Decider, FleetSpec, FleetView, Policy, ServerId, SimConfig, SimRng, VmView};
use hearth_trace::{Priority, Resources, Step, TenantId, Usage, Vm, VmId, VmTypeId, Workload};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::rc::Rc;

const T: u32 = 60;

/// Each decision's arrival step and its candidates' feature rows.
type Seen = Rc<RefCell<Vec<(u32, Vec<f64>)>>>;

/// Places by a rule that ignores the features (so the decisions up to t
/// cannot differ) and records every decision's feature rows.
struct Recorder {
    seen: Seen,
    buf: Vec<f64>,
}

impl Policy for Recorder {
    fn name(&self) -> String {
        "recorder".into()
    }

    fn uses_history(&self) -> bool {
        true
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, _rng: &mut SimRng) -> Option<ServerId> {
        let candidates: Vec<ServerId> = fleet.ids().filter(|&s| fleet.admits(s, vm)).take(3).collect();
        if candidates.is_empty() {
            return None;
        }
        rows(&candidates, vm, fleet, &mut self.buf);
        assert_eq!(self.buf.len(), candidates.len() * ROW_FEATURES);
        self.seen.borrow_mut().push((vm.arrival.0, self.buf.clone()));
        Some(candidates[vm.id.0 as usize % candidates.len()])
    }
}

fn workload(seed: u64) -> Vec<Vm> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..400)
        .map(|_| {
            let arrival = rng.random_range(0..120u32);
            let life = rng.random_range(1..40u32);
            let tenant = rng.random_range(0..12u32);
            let level = 0.1 + 0.08 * tenant as f32;
            let cores = [1.0, 2.0, 4.0][rng.random_range(0..3)];
            Vm {
                id: VmId(0),
                arrival: Step(arrival),
                departure: Step(arrival + life),
                request: Resources::new(cores, 2.0 * cores),
                priority: Priority::OnDemand,
                tenant: Some(TenantId(tenant)),
                vm_type: Some(VmTypeId(cores as u32)),
                usage: Usage {
                    cpu: (0..life).map(|_| cores * level * rng.random_range(0.5..1.5)).collect(),
                    memory: (0..life).map(|_| cores * rng.random_range(0.2..1.0)).collect(),
                },
            }
        })
        .collect()
}

/// Changes everything at or after `t` (or, with `past`, before it too).
fn perturb(vms: &[Vm], t: u32, past: bool) -> Vec<Vm> {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    vms.iter()
        .map(|vm| {
            let mut vm = vm.clone();
            if vm.arrival.0 > t {
                vm.request = Resources::new(vm.request.cpu.0 * 2.0, vm.request.memory.0);
                vm.tenant = Some(TenantId(rng.random_range(0..12)));
            }
            let life = vm.lifetime();
            let from = if past { 0 } else { t.saturating_sub(vm.arrival.0) };
            for i in from..life {
                vm.usage.cpu[i as usize] = rng.random_range(0.0..vm.request.cpu.0 * 1.5);
            }
            if vm.departure.0 > t + 1 && !past {
                let end = rng.random_range(t + 1..t + 50).max(vm.arrival.0 + 1);
                vm.departure = Step(end);
                vm.usage.cpu.resize((end - vm.arrival.0) as usize, 0.5);
                vm.usage.memory.resize((end - vm.arrival.0) as usize, 0.5);
            }
            vm
        })
        .collect()
}

fn rows_up_to_t(vms: Vec<Vm>) -> Vec<(u32, Vec<f64>)> {
    let w = Workload::new(300, vms, Default::default()).unwrap();
    let fleet = FleetSpec::Homogeneous {
        capacity: Resources::new(64.0, 256.0),
    }
    .build(6);
    let seen = Rc::new(RefCell::new(Vec::new()));
    let policy = Recorder {
        seen: seen.clone(),
        buf: Vec::new(),
    };
    run(
        &w,
        &fleet,
        &SimConfig::default(),
        &mut Decider::Online(Box::new(policy)),
    )
    .unwrap();
    let all = seen.borrow().clone();
    all.into_iter().filter(|(at, _)| *at <= T).collect()
}

#[test]
fn history_features_at_t_ignore_everything_after_t() {
    let vms = workload(1);
    let before = rows_up_to_t(vms.clone());
    assert!(before.len() > 100, "{} decisions up to t", before.len());
    // The history features are not all zero: tenants' usage and lifetimes are known by then.
    let last = &before.last().unwrap().1;
    assert!(last.iter().filter(|x| **x != 0.0).count() > ROW_FEATURES / 2);
    let after = rows_up_to_t(perturb(&vms, T, false));
    assert_eq!(before.len(), after.len());
    for (i, (a, b)) in before.iter().zip(&after).enumerate() {
        assert_eq!(a, b, "decision {i} at step {} saw the future", a.0);
    }
}

#[test]
fn history_features_do_see_the_past() {
    let vms = workload(1);
    let before = rows_up_to_t(vms.clone());
    let after = rows_up_to_t(perturb(&vms, T, true));
    let changed = before.iter().zip(&after).filter(|(a, b)| a.1 != b.1).count();
    assert!(
        changed > before.len() / 2,
        "only {changed} of {} rows changed",
        before.len()
    );
}
