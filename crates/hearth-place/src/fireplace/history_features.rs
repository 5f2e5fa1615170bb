//! FirePlace features from the allocator's history store: what earlier VMs
//! of the arriving VM's tenant and type used and how long they lived, and
//! what the candidates' residents can be expected to use and for how long.
//! Resident Central (SOSP'17) found a tenant's earlier VMs to predict a new
//! VM's utilisation and lifetime; these features give the learned policy
//! that signal, which the hindsight teacher sees directly.
//!
//! Everything comes from [`FleetView::history`] and the residents' arrival
//! steps and requests: nothing at or after now. Without a history store (a
//! policy that did not ask for one) every feature is 0.

use hearth_sim::{FleetView, KeyHistory, ServerId, VmView};

/// Hours in a step of 300 s; features are in hours so that one model
/// serves traces of any step length only if they share it (recorded in the
/// model's provenance through the training workload).
const STEPS_PER_HOUR: f64 = 12.0;
/// Measured VM-steps a key needs before its utilisation is trusted over
/// the wider key (tenant → VM type → the whole fleet).
const MIN_UTIL_SAMPLES: u64 = 12;
/// Ended VMs a key needs before its lifetimes are trusted.
const MIN_LIFETIMES: u64 = 3;

/// Features of a candidate's residents, appended to its own features.
pub const RESIDENT_FEATURES: usize = 6;
/// Features of the arriving VM's tenant and type histories.
pub const VM_HISTORY_FEATURES: usize = 16;
/// Features of the arriving VM on one candidate.
pub const PAIR_FEATURES: usize = 2;

pub fn resident_feature_names() -> Vec<String> {
    [
        "resident_age_mean_log_hours",
        "resident_age_min_log_hours",
        "resident_expected_cpu_mean",
        "resident_expected_cpu_p95",
        "resident_expected_memory_p95",
        "resident_remaining_life_mean_log_hours",
    ]
    .map(String::from)
    .to_vec()
}

pub fn vm_history_feature_names() -> Vec<String> {
    let mut names = Vec::with_capacity(VM_HISTORY_FEATURES);
    for key in ["tenant", "vm_type"] {
        for f in [
            "known",
            "earlier_vms_log",
            "cpu_util_mean",
            "cpu_util_p95",
            "memory_util_mean",
            "memory_util_p95",
            "lifetime_p50_log_hours",
            "lifetime_p90_log_hours",
        ] {
            names.push(format!("{key}_{f}"));
        }
    }
    names
}

pub fn pair_feature_names() -> Vec<String> {
    ["vm_expected_cpu_p95", "resident_cpu_p95_outliving_vm"]
        .map(String::from)
        .to_vec()
}

fn log_hours(steps: f64) -> f64 {
    (steps / STEPS_PER_HOUR).ln_1p()
}

/// The most specific history with enough data for `enough`: the VM's
/// tenant, else its type, else the whole fleet.
fn best<'h>(vm: &VmView, fleet: &FleetView<'h>, enough: impl Fn(&KeyHistory) -> bool) -> Option<&'h KeyHistory> {
    let h = fleet.history()?;
    let tenant = vm.tenant.and_then(|t| h.tenant(t)).filter(|k| enough(k));
    let vm_type = vm.vm_type.and_then(|t| h.vm_type(t)).filter(|k| enough(k));
    Some(tenant.or(vm_type).unwrap_or(h.all()))
}

fn util_known(k: &KeyHistory) -> bool {
    k.cpu_util.count() >= MIN_UTIL_SAMPLES
}

fn life_known(k: &KeyHistory) -> bool {
    k.lifetimes.count() >= MIN_LIFETIMES
}

/// Expected CPU share (mean, p95) and memory p95 of a VM's request.
fn expected_util(vm: &VmView, fleet: &FleetView) -> (f64, f64, f64) {
    match best(vm, fleet, util_known) {
        Some(k) => (
            k.cpu_util.mean().unwrap_or(0.0),
            k.cpu_util.quantile(0.95).unwrap_or(0.0),
            k.memory_util.quantile(0.95).unwrap_or(0.0),
        ),
        None => (0.0, 0.0, 0.0),
    }
}

/// Expected p95 CPU and memory usage of a VM as shares of its request,
/// from the most specific history with enough data (tenant, type, fleet),
/// as Resource Central predicts a new VM's p95 from its tenant's; `None`
/// without a history store or before any usage was measured.
pub fn expected_p95(vm: &VmView, fleet: &FleetView) -> Option<(f64, f64)> {
    let k = best(vm, fleet, util_known)?;
    Some((k.cpu_util.quantile(0.95)?, k.memory_util.quantile(0.95)?))
}

/// Median remaining lifetime in steps of a VM aged `age` steps, from the
/// most specific history that has lifetimes longer than its age (the
/// fleet's as the last resort); the age itself when none has.
fn remaining_life(vm: &VmView, age: u32, fleet: &FleetView) -> f64 {
    let Some(h) = fleet.history() else {
        return age.max(1) as f64;
    };
    let specific = [
        vm.tenant.and_then(|t| h.tenant(t)),
        vm.vm_type.and_then(|t| h.vm_type(t)),
    ];
    specific
        .into_iter()
        .flatten()
        .filter(|k| life_known(k))
        .find_map(|k| k.lifetimes.median_remaining(age))
        .or_else(|| h.all().lifetimes.median_remaining(age))
        .unwrap_or(age.max(1) as f64)
}

/// The arriving VM's expected lifetime in steps (median of its history).
fn expected_life(vm: &VmView, fleet: &FleetView) -> f64 {
    best(vm, fleet, life_known)
        .and_then(|k| k.lifetimes.quantile(0.5))
        .unwrap_or(0.0)
}

/// The arriving VM as the pair features see it, computed once per decision.
#[derive(Clone, Copy, Debug)]
pub struct Arriving {
    /// Expected p95 CPU share of its request.
    cpu_p95: f64,
    /// Its CPU request, cores.
    cpu: f64,
    /// Expected lifetime, steps.
    life: f64,
}

impl Arriving {
    /// `None` without a history store: then every pair feature is 0.
    pub fn of(vm: &VmView, fleet: &FleetView) -> Option<Arriving> {
        fleet.history()?;
        Some(Arriving {
            cpu_p95: expected_util(vm, fleet).1,
            cpu: vm.request.cpu.0 as f64,
            life: expected_life(vm, fleet),
        })
    }
}

/// Fills `out` (`RESIDENT_FEATURES` values) for candidate `s` and, given the
/// arriving VM, `pair` (`PAIR_FEATURES` values: its expected p95 CPU as a
/// share of the candidate, and the expected p95 CPU share of the residents
/// expected to outlive it, the load it will share the server with). One
/// pass over the residents serves both: this runs for every candidate of
/// every decision.
pub fn resident_features(s: ServerId, fleet: &FleetView, out: &mut [f64], pair: Option<(&Arriving, &mut [f64])>) {
    out[..RESIDENT_FEATURES].fill(0.0);
    let cap = fleet.capacity(s);
    let (cpu_cap, mem_cap) = (cap.cpu.0.max(1e-9) as f64, cap.memory.0.max(1e-9) as f64);
    let mut pair = pair.map(|(arriving, p)| {
        p[..PAIR_FEATURES].fill(0.0);
        p[0] = arriving.cpu_p95 * arriving.cpu / cpu_cap;
        (arriving, p)
    });
    if fleet.history().is_none() || fleet.vm_count(s) == 0 {
        return;
    }
    let now = fleet.now().0;
    let (mut age_sum, mut age_min, mut life_sum, mut n) = (0.0, f64::INFINITY, 0.0, 0.0);
    for r in fleet.residents(s).iter().filter_map(|&id| fleet.vm(id)) {
        let age = now.saturating_sub(r.arrival.0);
        let (mean, p95, mem95) = expected_util(&r, fleet);
        let cpu = r.request.cpu.0 as f64;
        out[2] += mean * cpu / cpu_cap;
        out[3] += p95 * cpu / cpu_cap;
        out[4] += mem95 * r.request.memory.0 as f64 / mem_cap;
        age_sum += age as f64;
        age_min = age_min.min(age as f64);
        let remaining = remaining_life(&r, age, fleet);
        life_sum += log_hours(remaining);
        n += 1.0;
        if let Some((arriving, p)) = pair.as_mut() {
            if remaining >= arriving.life {
                p[1] += p95 * cpu / cpu_cap;
            }
        }
    }
    out[0] = log_hours(age_sum / n);
    out[1] = log_hours(age_min);
    out[5] = life_sum / n;
}

/// Fills `out` (`VM_HISTORY_FEATURES` values) for the arriving VM.
pub fn vm_history_features(vm: &VmView, fleet: &FleetView, out: &mut [f64]) {
    out[..VM_HISTORY_FEATURES].fill(0.0);
    let Some(h) = fleet.history() else { return };
    let keys = [
        vm.tenant.and_then(|t| h.tenant(t)),
        vm.vm_type.and_then(|t| h.vm_type(t)),
    ];
    for (block, key) in out.chunks_mut(8).zip(keys) {
        let Some(k) = key.filter(|k| k.vms > 0) else { continue };
        block[0] = 1.0;
        block[1] = (k.vms as f64).ln_1p();
        block[2] = k.cpu_util.mean().unwrap_or(0.0);
        block[3] = k.cpu_util.quantile(0.95).unwrap_or(0.0);
        block[4] = k.memory_util.mean().unwrap_or(0.0);
        block[5] = k.memory_util.quantile(0.95).unwrap_or(0.0);
        block[6] = k.lifetimes.quantile(0.5).map_or(0.0, log_hours);
        block[7] = k.lifetimes.quantile(0.9).map_or(0.0, log_hours);
    }
}
