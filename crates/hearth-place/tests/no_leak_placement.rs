//! No online policy sees the future: perturbing the usage (and lifetimes) of
//! VMs from step `T` on leaves every decision up to `T`, and everything the
//! `FleetView` answers then, bit-identical, for the heuristics, the field's
//! baselines (n-sigma, rc-p95, power-of-two-mr), FirePlace and the forecast
//! policies.

use hearth_place::fireplace::TrainSettings;
use hearth_place::fireplace::{train, Arena, Family, FirePlace, FirePlaceModel, ForecastPolicy, Forecaster};
use hearth_place::heuristics::{NSigma, PowerOfK, RcP95};
use hearth_place::{heuristic, FleetView, Objective, Policy, ServerId, SimRng, Teacher, VmView, HEURISTICS};
use hearth_sim::{run, Decider, FleetSpec, SimConfig};
use hearth_trace::{Resources, Step, VmId, Workload};
use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

mod common;

fn composed(vms: usize, seed: u64) -> Workload {
    common::composed_over(vms, 0.5, seed)
}

fn spec() -> FleetSpec {
    FleetSpec::Homogeneous {
        capacity: Resources::new(16.0, 64.0),
    }
}

/// A small FirePlace model (tree and learned forecast), trained once.
fn model() -> Arc<FirePlaceModel> {
    static MODEL: OnceLock<Arc<FirePlaceModel>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let w = composed(400, 7);
            let arena = || Arena {
                workload: &w,
                fleet: spec().build(10),
            };
            let settings = TrainSettings {
                k: 2,
                family: Family::Tree,
                teacher: Teacher::new(Some(2), Objective::Overload, 1.0),
                dagger_rounds: 0,
                config: SimConfig::default(),
                seed: 0,
                critical_copies: 0,
            };
            Arc::new(train(&arena(), &arena(), &settings).unwrap().0)
        })
        .clone()
}

/// Makes a fresh policy for each run.
type Maker = Box<dyn Fn() -> Box<dyn Policy>>;

fn policies() -> Vec<(String, Maker)> {
    let mut out: Vec<(String, Maker)> = HEURISTICS
        .iter()
        .chain(&["power-of-4"])
        .map(|&name| {
            let make: Maker = Box::new(move || heuristic(name).unwrap());
            (name.to_string(), make)
        })
        .collect();
    out.push(("n-sigma".into(), Box::new(|| Box::new(NSigma::new(NSigma::DEFAULT_N)))));
    // A window shorter than the run, so that history leaves it.
    out.push((
        "n-sigma-1h".into(),
        Box::new(|| {
            Box::new(NSigma {
                k: 2,
                n: 3.0,
                window_hours: 1.0,
            })
        }),
    ));
    out.push(("rc-p95".into(), Box::new(|| Box::new(RcP95::new(2)))));
    out.push((
        "power-of-two-mr".into(),
        Box::new(|| Box::new(PowerOfK::multi_resource(2))),
    ));
    out.push(("fireplace".into(), Box::new(|| Box::new(FirePlace::new(model())))));
    out.push((
        "forecast-ewma".into(),
        Box::new(|| Box::new(ForecastPolicy::new(2, Forecaster::Ewma { alpha: 0.3 }))),
    ));
    out.push((
        "forecast-learned".into(),
        Box::new(|| Box::new(ForecastPolicy::new(2, Forecaster::Learned(model())))),
    ));
    out
}

/// Per decision: the VM, its arrival, the choice and a hash of everything
/// the fleet view answered.
type Log = Rc<RefCell<Vec<(VmId, Step, Option<ServerId>, u64)>>>;

struct Recorder {
    inner: Box<dyn Policy>,
    log: Log,
}

fn view_digest(fleet: &FleetView, vms: usize) -> u64 {
    let mut h = DefaultHasher::new();
    let mut res = |r: Resources| {
        r.cpu.0.to_bits().hash(&mut h);
        r.memory.0.to_bits().hash(&mut h);
    };
    for s in fleet.ids() {
        res(fleet.observed(s));
        res(fleet.measured(s));
        res(fleet.committed(s));
        res(fleet.capacity(s));
        let hearth_sim::AdmissionLoad { counted, limit } = fleet.admission_load(s);
        res(counted);
        res(limit);
    }
    for s in fleet.ids() {
        fleet.residents(s).hash(&mut h);
        fleet.vm_count(s).hash(&mut h);
        fleet.last_placement(s).map(|t| t.0).hash(&mut h);
        for x in fleet
            .cpu_history(s, u32::MAX)
            .iter()
            .chain(fleet.memory_history(s, u32::MAX))
        {
            x.to_bits().hash(&mut h);
        }
        assert!(fleet.cpu_history(s, u32::MAX).len() <= fleet.now().index());
        // Residents' own usage (rc-p95 reads it): measured steps only.
        for &id in fleet.residents(s) {
            let (cpu, mem) = fleet.vm_usage_history(id, u32::MAX).unwrap();
            let arrival = fleet.vm(id).unwrap().arrival;
            assert!(cpu.len() <= fleet.now().index() - arrival.index());
            for x in cpu.iter().chain(mem) {
                x.to_bits().hash(&mut h);
            }
        }
    }
    fleet.step_seconds().hash(&mut h);
    for id in 0..vms as u32 {
        match fleet.vm(VmId(id)) {
            Some(v) => {
                assert!(
                    v.arrival <= fleet.now(),
                    "the view answered for VM {id}, not arrived yet"
                );
                (v.arrival.0, v.request.cpu.0.to_bits(), v.request.memory.0.to_bits()).hash(&mut h);
            }
            None => 0u8.hash(&mut h),
        }
    }
    h.finish()
}

impl Policy for Recorder {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        let digest = view_digest(fleet, 1_000);
        let choice = self.inner.place(vm, fleet, rng);
        self.log.borrow_mut().push((vm.id, vm.arrival, choice, digest));
        choice
    }
    fn uses_history(&self) -> bool {
        self.inner.uses_history()
    }
}

/// The workload with the usage of every VM from step `t` on scaled and
/// shifted, and the VMs still running at `t` living three steps longer.
fn perturbed_from(w: &Workload, t: Step) -> Workload {
    let mut vms = w.vms.clone();
    for v in &mut vms {
        if v.departure <= t {
            continue;
        }
        let from = t.0.saturating_sub(v.arrival.0) as usize;
        for x in &mut v.usage.cpu[from..] {
            *x = *x * 1.9 + 0.7;
        }
        for x in &mut v.usage.memory[from..] {
            *x = *x * 1.3 + 2.0;
        }
        let (c, m) = (*v.usage.cpu.last().unwrap(), *v.usage.memory.last().unwrap());
        v.usage.cpu.extend([c; 3]);
        v.usage.memory.extend([m; 3]);
        v.departure = Step(v.departure.0 + 3);
    }
    Workload::new(w.step_seconds, vms, w.provenance.clone()).unwrap()
}

fn decisions(w: &Workload, servers: usize, seed: u64, make: &dyn Fn() -> Box<dyn Policy>) -> Log {
    let log = Log::default();
    let recorder = Recorder {
        inner: make(),
        log: log.clone(),
    };
    let config = SimConfig {
        seed,
        ..SimConfig::default()
    };
    run(
        w,
        &spec().build(servers),
        &config,
        &mut Decider::Online(Box::new(recorder)),
    )
    .unwrap();
    log
}

#[test]
fn perturbing_the_future_changes_no_decision_up_to_now() {
    let w = composed(300, 3);
    let end = w.vms.iter().map(|v| v.arrival.0).max().unwrap();
    let cuts: Vec<Step> = (1..=5).map(|i| Step(end * i / 6)).collect();
    let servers = (w.peak_alive().0 / 4).max(2);
    for (name, make) in policies() {
        for seed in [0, 1] {
            let base = decisions(&w, servers, seed, make.as_ref());
            let mut changed_later = false;
            for &t in &cuts {
                let other = decisions(&perturbed_from(&w, t), servers, seed, make.as_ref());
                let (a, b) = (base.borrow(), other.borrow());
                let upto = |log: &[(VmId, Step, Option<ServerId>, u64)]| -> Vec<_> {
                    log.iter().filter(|d| d.1 <= t).cloned().collect()
                };
                assert!(!upto(&a).is_empty());
                assert_eq!(
                    upto(&a),
                    upto(&b),
                    "{name}, seed {seed}: a decision up to {t:?} changed"
                );
                changed_later |= a.iter().zip(b.iter()).any(|(x, y)| x.3 != y.3);
            }
            // The perturbation is seen once it is in the past.
            assert!(changed_later, "{name}: the perturbation changed nothing at all");
        }
    }
}
