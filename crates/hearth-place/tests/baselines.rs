//! The field's baselines on hand-built fleets whose answer is known:
//! n-sigma prefers the steadier server once N weighs the spread, within its
//! window only; rc-p95 counts a resident's spikes that current load hides;
//! power-of-two-mr sees memory that CPU-only power-of-k does not.

use hearth_place::heuristics::{NSigma, PowerOfK, RcP95};
use hearth_place::{FleetView, Policy, ServerId, SimRng, VmView};
use hearth_sim::{run, Decider, Fleet, SimConfig};
use hearth_trace::{Priority, Resources, Step, Usage, Vm, Workload};

mod common;

/// A VM from step 0 with the given CPU series (cores) and steady memory.
fn series_vm(request: (f32, f32), cpu: Vec<f32>, memory: f32) -> Vm {
    let life = cpu.len() as u32;
    let mut vm = Vm::steady(
        Step(0),
        life,
        Resources::new(request.0, request.1),
        Resources::new(0.0, memory),
        Priority::OnDemand,
    );
    vm.usage = Usage {
        memory: vec![memory; cpu.len()],
        cpu,
    };
    vm
}

/// Places VM `i` on server `i` while there are servers, then asks `inner`.
struct OnePerServer {
    servers: u32,
    inner: Box<dyn Policy>,
}

impl Policy for OnePerServer {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        if vm.id.0 < self.servers {
            return Some(ServerId(vm.id.0));
        }
        self.inner.place(vm, fleet, rng)
    }
    fn uses_history(&self) -> bool {
        self.inner.uses_history()
    }
}

/// Where a (1 core, 1 GiB) VM arriving at `at` goes, with `residents[i]` on
/// server i of as many 16-core, 64-GiB servers (every one a candidate when
/// the policy's k is at least their number).
fn choice(policy: Box<dyn Policy>, residents: Vec<Vm>, at: u32, step_seconds: u32) -> Option<ServerId> {
    let servers = residents.len() as u32;
    let mut vms = residents;
    vms.push(Vm::steady(
        Step(at),
        2,
        Resources::new(1.0, 1.0),
        Resources::new(1.0, 1.0),
        Priority::OnDemand,
    ));
    let w = Workload::new(step_seconds, vms, Default::default()).unwrap();
    let fleet = Fleet {
        capacities: vec![Resources::new(16.0, 64.0); servers as usize],
    };
    let policy = OnePerServer { servers, inner: policy };
    let m = run(
        &w,
        &fleet,
        &SimConfig::default(),
        &mut Decider::Online(Box::new(policy)),
    )
    .unwrap();
    m.assignment[servers as usize]
}

fn n_sigma(n: f64, window_hours: f64) -> Box<dyn Policy> {
    Box::new(NSigma { k: 2, n, window_hours })
}

/// Server 0 runs steady at 6 cores; server 1 alternates 1 and 9 (mean 5,
/// sd 4) and measured 5 last. Predicted peaks with the new core: s0 7;
/// s1 6 at N = 0, 10 at N = 1, 14 at N = 2.
#[test]
fn n_sigma_weighs_the_spread_by_n() {
    let steady = || series_vm((8.0, 4.0), vec![6.0; 42], 2.0);
    let mut swing: Vec<f32> = (0..39).map(|i| if i % 2 == 0 { 1.0 } else { 9.0 }).collect();
    swing.extend([5.0; 3]);
    let swinging = || series_vm((10.0, 4.0), swing.clone(), 2.0);
    let pick = |n| choice(n_sigma(n, 24.0), vec![steady(), swinging()], 40, 300);
    assert_eq!(pick(0.0), Some(ServerId(1)));
    assert_eq!(pick(1.0), Some(ServerId(0)));
    assert_eq!(pick(2.0), Some(ServerId(0)));
}

/// Hour-long steps: server 1 spiked to 15 cores in its first 10 hours, then
/// ran at 3 for 30; server 0 runs steady at 6. A 24-hour window no longer
/// holds the spike (s1 predicted 3 + 1), a 48-hour one does (at N = 3 far
/// above 7); at 300-s steps 24 hours is 288 steps and holds it too.
#[test]
fn n_sigma_forgets_what_left_its_window() {
    let steady = || series_vm((8.0, 4.0), vec![6.0; 42], 2.0);
    let mut spiky = vec![15.0; 10];
    spiky.extend([3.0; 32]);
    let spiked = || series_vm((16.0, 4.0), spiky.clone(), 2.0);
    let pick = |hours, step_seconds| choice(n_sigma(3.0, hours), vec![steady(), spiked()], 40, step_seconds);
    assert_eq!(pick(24.0, 3600), Some(ServerId(1)));
    assert_eq!(pick(48.0, 3600), Some(ServerId(0)));
    assert_eq!(pick(24.0, 300), Some(ServerId(0)));
}

/// Memory counts: both servers' CPU is steady at 4, but server 0's memory
/// is at 60 of 64 GiB; n-sigma takes server 1 (its CPU-only tie-break
/// would take either).
#[test]
fn n_sigma_sees_memory_peaks() {
    let full = series_vm((8.0, 62.0), vec![4.0; 20], 60.0);
    let light = series_vm((8.0, 8.0), vec![4.0; 20], 4.0);
    assert_eq!(
        choice(n_sigma(2.0, 24.0), vec![full, light], 12, 300),
        Some(ServerId(1))
    );
}

/// Server 0's VM idles at 2 cores but spikes to 8 one step in five (its
/// p95 is 8, and it measured 2 last); server 1's runs steady at 4. Current
/// load favours s0; the p95 sum (8 against 4, plus the same new VM) s1.
#[test]
fn rc_p95_counts_spikes_current_load_hides() {
    let mut spiky: Vec<f32> = (0..40).map(|i| if i % 5 == 0 { 8.0 } else { 2.0 }).collect();
    spiky[39] = 2.0;
    spiky.extend([2.0; 2]);
    let residents = || {
        vec![
            series_vm((8.0, 4.0), spiky.clone(), 2.0),
            series_vm((8.0, 4.0), vec![4.0; 42], 2.0),
        ]
    };
    assert_eq!(choice(Box::new(RcP95::new(2)), residents(), 40, 300), Some(ServerId(1)));
    assert_eq!(
        choice(Box::new(PowerOfK::new(2)), residents(), 40, 300),
        Some(ServerId(0))
    );
}

/// The incremental per-VM percentiles give the decisions of a policy that
/// starts from an empty cache at every decision (and so reads every
/// resident's whole history each time), on a composed workload.
#[test]
fn rc_p95_cache_changes_no_decision() {
    struct Forgetful(RcP95);
    impl Policy for Forgetful {
        fn name(&self) -> String {
            self.0.name()
        }
        fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
            self.0.reset();
            self.0.place(vm, fleet, rng)
        }
        fn uses_history(&self) -> bool {
            true
        }
    }
    let w = common::composed_over(300, 0.5, 5);
    let fleet = Fleet {
        capacities: vec![Resources::new(16.0, 64.0); (w.peak_alive().0 / 4).max(2)],
    };
    let config = SimConfig::default();
    let cached = run(&w, &fleet, &config, &mut Decider::Online(Box::new(RcP95::new(2)))).unwrap();
    let fresh = run(
        &w,
        &fleet,
        &config,
        &mut Decider::Online(Box::new(Forgetful(RcP95::new(2)))),
    )
    .unwrap();
    assert_eq!(cached.assignment, fresh.assignment);
    assert!(cached.placed > 100);
}

/// Measured (cores, GiB) on 16-core, 64-GiB servers: s0 (12, 8), s1 (4,
/// 44), s2 (8, 16); the larger share is s0 0.75, s1 0.6875, s2 0.5. With
/// every server a candidate, CPU-only power-of-k takes s1 (0.25 of CPU),
/// the multi-resource form s2.
#[test]
fn power_of_two_mr_ranks_by_the_larger_share() {
    let residents = || {
        [(12.0, 8.0), (4.0, 44.0), (8.0, 16.0)]
            .map(|(c, m)| series_vm((c, m), vec![c; 6], m))
            .to_vec()
    };
    assert_eq!(
        choice(Box::new(PowerOfK::new(3)), residents(), 3, 300),
        Some(ServerId(1))
    );
    let mr = PowerOfK::multi_resource(3);
    assert_eq!(choice(Box::new(mr), residents(), 3, 300), Some(ServerId(2)));
    assert_eq!(PowerOfK::multi_resource(2).name(), "power-of-two-mr");
    assert_eq!(PowerOfK::new(2).name(), "power-of-two");
}
