//! Properties of the simulator under every heuristic, on random workloads:
//! admission limits hold (checked against observed usage computed here from
//! the workload, not with the engine's own test), load is conserved,
//! departures free capacity (CPU and memory), runs are deterministic.

use hearth_place::{heuristic, FleetView, Policy, ServerId, SimRng, VmView, HEURISTICS};
use hearth_sim::{run, Admission, Decider, FleetSpec, SimConfig};
use hearth_trace::{Priority, Resources, Step, Usage, Vm, VmId, Workload};
use proptest::prelude::*;
use std::sync::Arc;

fn vm_strategy() -> impl Strategy<Value = Vm> {
    (
        0u32..20,
        1u32..10,
        0.5f32..8.0,
        0.5f32..32.0,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(arrival, life, cpu, mem, spot, seed)| {
            let wobble = |i: u32, k: u64| {
                ((seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64 * k)) % 1000) as f32 / 800.0
            };
            Vm {
                tenant: None,
                vm_type: None,
                id: VmId(0),
                arrival: Step(arrival),
                departure: Step(arrival + life),
                request: Resources::new(cpu, mem),
                priority: if spot && seed % 3 == 0 {
                    Priority::Spot
                } else {
                    Priority::OnDemand
                },
                usage: Usage {
                    cpu: (0..life).map(|i| cpu * wobble(i, 7)).collect(),
                    memory: (0..life).map(|i| mem * wobble(i, 13)).collect(),
                },
            }
        })
}

fn workload_strategy() -> impl Strategy<Value = Workload> {
    prop::collection::vec(vm_strategy(), 1..50)
        .prop_map(|vms| Workload::new(300, vms, Default::default()).expect("valid by construction"))
}

fn admission_strategy() -> impl Strategy<Value = Admission> {
    prop_oneof![
        Just(Admission::Usage),
        Just(Admission::UsageLagged),
        (1.0f32..2.0, 1.0f32..1.5).prop_map(|(c, m)| Admission::Requests {
            cpu_oversub: c,
            memory_oversub: m
        }),
    ]
}

/// best-fit-threshold declines servers above its threshold by design; every
/// other heuristic takes an admissible server whenever there is one.
fn declines_admissible(policy: &str) -> bool {
    policy.starts_with("best-fit-threshold")
}

/// Wraps a heuristic and checks, at every decision, what every server
/// holds against a ledger kept from the workload itself.
struct Checker {
    inner: Box<dyn Policy>,
    workload: Arc<Workload>,
    admission: Admission,
    placed: Vec<(ServerId, VmId)>,
}

impl Policy for Checker {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        for s in fleet.ids() {
            let hearth_sim::AdmissionLoad { counted, limit } = fleet.admission_load(s);
            if let Admission::Requests { .. } = self.admission {
                assert!(counted.cpu.0 <= limit.cpu.0 + 1e-3 && counted.memory.0 <= limit.memory.0 + 1e-3);
            }
        }
        self.check_observed(fleet);
        self.check_ledger(fleet);
        let choice = self.inner.place(vm, fleet, rng);
        if let Some(s) = choice {
            assert_ne!(
                self.verdict(fleet, s, vm),
                Some(false),
                "{} chose server {s:?}, which does not admit the VM by the workload's own figures",
                self.inner.name()
            );
            self.placed.push((s, vm.id));
        } else if !declines_admissible(&self.inner.name()) {
            assert!(
                fleet.ids().all(|s| self.verdict(fleet, s, vm) != Some(true)),
                "{} declined an admissible VM",
                self.inner.name()
            );
        }
        choice
    }
}

impl Checker {
    /// Observed usage of a server computed from the workload: each resident
    /// VM's usage at the previous step, or, for one placed this step, its
    /// request (under `usage` and `requests` admission), or nothing under
    /// `usage-lagged`.
    fn observed(&self, fleet: &FleetView, s: ServerId) -> Resources {
        let now = fleet.now();
        let mut sum = Resources::default();
        for id in fleet.residents(s) {
            let v = &self.workload.vms[id.0 as usize];
            if v.arrival < now {
                sum += v.usage_at(Step(now.0 - 1));
            } else if self.admission != Admission::UsageLagged {
                sum += v.request;
            }
        }
        sum
    }

    /// The admission rule applied to figures computed here: observed usage
    /// (or committed requests) plus the request within the limit. `None`
    /// within 1e-3 of the limit, where float order may decide either way.
    fn verdict(&self, fleet: &FleetView, s: ServerId, vm: &VmView) -> Option<bool> {
        let cap = fleet.capacity(s);
        let (used, limit) = match self.admission {
            Admission::Usage | Admission::UsageLagged => (self.observed(fleet, s), cap),
            Admission::Requests {
                cpu_oversub,
                memory_oversub,
            } => (
                self.residents_sum(fleet, s, |v| v.request),
                Resources::new(cap.cpu.0 * cpu_oversub, cap.memory.0 * memory_oversub),
            ),
        };
        let slack = [
            limit.cpu.0 - used.cpu.0 - vm.request.cpu.0,
            limit.memory.0 - used.memory.0 - vm.request.memory.0,
        ];
        if slack.iter().any(|&x| x < -1e-3) {
            Some(false)
        } else if slack.iter().all(|&x| x > 1e-3) {
            Some(true)
        } else {
            None
        }
    }

    fn residents_sum(&self, fleet: &FleetView, s: ServerId, f: impl Fn(&Vm) -> Resources) -> Resources {
        let mut sum = Resources::default();
        for id in fleet.residents(s) {
            sum += f(&self.workload.vms[id.0 as usize]);
        }
        sum
    }

    /// What the engine reports as observed usage is what the workload gives.
    fn check_observed(&self, fleet: &FleetView) {
        for s in fleet.ids() {
            let (engine, want) = (fleet.observed(s), self.observed(fleet, s));
            assert!(
                (engine.cpu.0 - want.cpu.0).abs() < 1e-2 && (engine.memory.0 - want.memory.0).abs() < 1e-2,
                "server {s:?} at {:?}: engine observes {engine:?}, the workload gives {want:?}",
                fleet.now()
            );
        }
    }

    /// Departures free capacity: what a server has committed (CPU and
    /// memory) is what the VMs placed on it and not yet departed requested.
    /// Only checked without spot VMs: evictions and the on-demand VMs the
    /// engine places after them do not pass through the policy, so the
    /// ledger cannot see them. For the same reason, not for a policy that
    /// declines admissible servers (the engine places those on-demand VMs).
    fn check_ledger(&self, fleet: &FleetView) {
        let now = fleet.now();
        if self.workload.vms.iter().any(|v| v.priority == Priority::Spot) || declines_admissible(&self.inner.name()) {
            return;
        }
        for s in fleet.ids() {
            let mut expected = Resources::default();
            for (on, id) in &self.placed {
                let v = &self.workload.vms[id.0 as usize];
                if *on == s && v.departure > now {
                    expected += v.request;
                }
            }
            let committed = fleet.committed(s);
            assert!(
                (committed.cpu.0 - expected.cpu.0).abs() < 1e-3,
                "server {s:?} holds {} cores, ledger says {}",
                committed.cpu.0,
                expected.cpu.0
            );
            assert!(
                (committed.memory.0 - expected.memory.0).abs() < 1e-2,
                "server {s:?} holds {} GiB, ledger says {}",
                committed.memory.0,
                expected.memory.0
            );
        }
    }
}

fn expected_step_load(w: &Workload, m: &hearth_sim::RunMetrics) -> Vec<Resources> {
    let mut gone_at: Vec<Option<Step>> = vec![None; w.vms.len()];
    for e in &m.eviction_log {
        gone_at[e.vm.0 as usize] = Some(e.step);
    }
    let mut total = vec![Resources::default(); w.end().index()];
    for vm in &w.vms {
        if m.assignment[vm.id.0 as usize].is_none() {
            continue;
        }
        let end = gone_at[vm.id.0 as usize].unwrap_or(vm.departure).min(vm.departure);
        for t in vm.arrival.0..end.0 {
            total[t as usize] += vm.usage_at(Step(t));
        }
    }
    total
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn load_is_conserved_and_admission_holds(
        w in workload_strategy(),
        servers in 1usize..8,
        admission in admission_strategy(),
        policy in prop::sample::select(HEURISTICS.to_vec()),
        seed in any::<u64>(),
    ) {
        let fleet = FleetSpec::Homogeneous { capacity: Resources::new(16.0, 64.0) }.build(servers);
        let config = SimConfig { admission, seed, ..Default::default() };
        let w = Arc::new(w);
        let checker = Checker { inner: heuristic(policy).unwrap(), workload: w.clone(), admission, placed: vec![] };
        let m = run(&w, &fleet, &config, &mut Decider::Online(Box::new(checker))).unwrap();
        prop_assert_eq!(m.placed + m.rejections, w.vms.len() as u64);
        let want_load = expected_step_load(&w, &m);
        prop_assert_eq!(m.step_load.len(), want_load.len());
        for (t, (got, want)) in m.step_load.iter().zip(want_load).enumerate() {
            prop_assert!((got.cpu.0 - want.cpu.0).abs() < 1e-2, "step {t}: CPU load {} != VM usage {}", got.cpu.0, want.cpu.0);
            prop_assert!((got.memory.0 - want.memory.0).abs() < 1e-2, "step {t}: memory {} != {}", got.memory.0, want.memory.0);
        }
        for e in &m.eviction_log {
            prop_assert_eq!(w.vms[e.vm.0 as usize].priority, Priority::Spot);
        }
    }

    #[test]
    fn departures_free_capacity_without_spot(
        w in workload_strategy(),
        servers in 1usize..8,
        admission in admission_strategy(),
        policy in prop::sample::select(HEURISTICS.to_vec()),
        seed in any::<u64>(),
    ) {
        let vms = w.vms.into_iter().map(|mut v| { v.priority = Priority::OnDemand; v }).collect();
        let w = Arc::new(Workload::new(300, vms, Default::default()).unwrap());
        let fleet = FleetSpec::Homogeneous { capacity: Resources::new(16.0, 64.0) }.build(servers);
        let config = SimConfig { admission, seed, ..Default::default() };
        let checker = Checker { inner: heuristic(policy).unwrap(), workload: w.clone(), admission, placed: vec![] };
        // The checker asserts the ledger (CPU and memory) and the admission
        // rule at every decision.
        let m = run(&w, &fleet, &config, &mut Decider::Online(Box::new(checker))).unwrap();
        prop_assert_eq!(m.placed + m.rejections, w.vms.len() as u64);
    }

    #[test]
    fn runs_are_deterministic(
        w in workload_strategy(),
        servers in 1usize..6,
        admission in admission_strategy(),
        policy in prop::sample::select(HEURISTICS.to_vec()),
        seed in any::<u64>(),
    ) {
        let fleet = FleetSpec::Homogeneous { capacity: Resources::new(16.0, 64.0) }.build(servers);
        let config = SimConfig { admission, seed, ..Default::default() };
        let a = run(&w, &fleet, &config, &mut Decider::Online(heuristic(policy).unwrap())).unwrap();
        let b = run(&w, &fleet, &config, &mut Decider::Online(heuristic(policy).unwrap())).unwrap();
        prop_assert_eq!(&a.assignment, &b.assignment);
        prop_assert_eq!(a.overload_rate.to_bits(), b.overload_rate.to_bits());
        prop_assert_eq!(a.peak_to_average.to_bits(), b.peak_to_average.to_bits());
        prop_assert_eq!(a.evictions, b.evictions);
    }
}
