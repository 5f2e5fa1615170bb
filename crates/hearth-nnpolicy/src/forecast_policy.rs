//! Forecast-driven placement (the FirePlace paper's LSTM and TCN contenders): sample k admissible
//! servers and place on the one whose forecast peak over the next [`HORIZON`] steps is lowest.
//!
//! A candidate's forecast is the sum over its residents of each resident's forecast utilisation
//! × its request, plus the arriving VM's expected usage: its request × its tenant's 90th
//! percentile utilisation where the history store has one, else its full request. The peak is
//! taken per resource as a fraction of capacity; candidates are ranked by the L2 norm of the CPU
//! and memory peaks (the teacher's normalised peak). A resident with no measurement yet (placed
//! this step) counts at its request.
//!
//! Latency: all residents of all candidates that lack a current forecast go through the network
//! in one batch. A VM's forecast is cached and reused, shifted by the steps since it was made,
//! for `refresh` steps (1: a fresh forecast every step; the tail beyond the forecast horizon
//! holds its last value).

use std::collections::HashMap;
use std::sync::Arc;

use hearth_place::sample::sample_admissible;
use hearth_sim::{FleetView, Policy, ServerId, SimRng, VmView};
use hearth_trace::{Step, VmId};

use crate::forecaster::UsageForecaster;
use crate::window::{push_window, HISTORY, HORIZON, OUTPUTS};

/// Tenant utilisation quantile taken as the arriving VM's expected usage.
const TENANT_QUANTILE: f64 = 0.9;
/// Measured VM-steps a tenant needs before its history replaces the request.
const TENANT_MIN_STEPS: u64 = 12;

/// The placement policy around a usage forecaster.
pub struct ForecastPlacement {
    k: usize,
    model: Arc<UsageForecaster>,
    refresh: u32,
    /// Per VM: its arrival (a live fleet reuses the ids of VMs gone, so an
    /// entry counts only for the VM that arrived then), when the forecast
    /// was made, and the forecast.
    cache: HashMap<VmId, (Step, Step, [f32; OUTPUTS])>,
    forecasts_made: u64,
}

impl ForecastPlacement {
    /// Samples `k` candidates per decision (2 as in power-of-two and FirePlace); forecasts a VM
    /// afresh every `refresh` steps (at least 1).
    pub fn new(k: usize, model: Arc<UsageForecaster>, refresh: u32) -> Self {
        Self {
            k,
            model,
            refresh: refresh.max(1),
            cache: HashMap::new(),
            forecasts_made: 0,
        }
    }

    /// VM `id`'s cached forecast and when it was made, if it is the VM's own.
    fn cached(&self, id: VmId, fleet: &FleetView) -> Option<(Step, &[f32; OUTPUTS])> {
        let (arrival, made, f) = self.cache.get(&id)?;
        (fleet.vm(id)?.arrival == *arrival).then_some((*made, f))
    }

    /// Whether VM `id` has a forecast young enough to use at `now`.
    fn current(&self, id: VmId, fleet: &FleetView) -> bool {
        self.cached(id, fleet)
            .is_some_and(|(made, _)| fleet.now().0.saturating_sub(made.0) < self.refresh)
    }

    /// Per-VM forecasts computed so far (cache misses), for latency reports.
    pub fn forecasts_made(&self) -> u64 {
        self.forecasts_made
    }

    /// Forecasts every measured resident of the candidates that has no current forecast, in one
    /// forward pass.
    fn fill_cache(&mut self, candidates: &[ServerId], fleet: &FleetView) {
        let now = fleet.now();
        let (mut ids, mut x) = (Vec::new(), Vec::new());
        // Candidates are distinct servers, so no resident is met twice.
        for &s in candidates {
            for &id in fleet.residents(s) {
                if self.current(id, fleet) {
                    continue;
                }
                let (Some((cpu, mem)), Some(vm)) = (fleet.vm_usage_history(id, HISTORY as u32), fleet.vm(id)) else {
                    continue;
                };
                if cpu.is_empty() {
                    continue;
                }
                push_window(cpu, mem, (vm.request.cpu.0, vm.request.memory.0), &mut x);
                ids.push((id, vm.arrival));
            }
        }
        if ids.is_empty() {
            return;
        }
        // A failed forward pass (it has no failure mode on finite windows of the right shape)
        // leaves the residents at their requests, the conservative fallback.
        let Ok(y) = self.model.predict(x) else { return };
        self.forecasts_made += ids.len() as u64;
        for ((id, arrival), row) in ids.into_iter().zip(y.chunks(OUTPUTS)) {
            let mut f = [0f32; OUTPUTS];
            f.copy_from_slice(row);
            self.cache.insert(id, (arrival, now, f));
        }
    }

    /// L2 norm of the forecast CPU and memory peaks (fractions of capacity) with the VM added.
    fn score(&self, s: ServerId, arriving: (f32, f32), fleet: &FleetView) -> f64 {
        let mut load = [[arriving.0; HORIZON], [arriving.1; HORIZON]];
        for &id in fleet.residents(s) {
            let Some(r) = fleet.vm(id) else { continue };
            let (rc, rm) = (r.request.cpu.0, r.request.memory.0);
            match self.cached(id, fleet) {
                Some((made, f)) => {
                    let age = fleet.now().0.saturating_sub(made.0) as usize;
                    let [cpu, memory] = &mut load;
                    for (h, (c, m)) in cpu.iter_mut().zip(memory.iter_mut()).enumerate() {
                        // A forecast made `age` steps ago: its step h+age is now's step h.
                        let j = (h + age).min(HORIZON - 1);
                        *c += f[j] * rc;
                        *m += f[HORIZON + j] * rm;
                    }
                }
                None => {
                    load[0].iter_mut().for_each(|l| *l += rc);
                    load[1].iter_mut().for_each(|l| *l += rm);
                }
            }
        }
        let cap = fleet.capacity(s);
        let peak =
            |l: &[f32; HORIZON], c: f32| f64::from(l.iter().fold(0f32, |a, b| a.max(*b))) / f64::from(c.max(1e-9));
        peak(&load[0], cap.cpu.0).hypot(peak(&load[1], cap.memory.0))
    }
}

/// The arriving VM's expected usage (cores, GiB): its request scaled by its tenant's utilisation
/// quantile where the tenant has enough measured history.
fn expected_usage(vm: &VmView, fleet: &FleetView) -> (f32, f32) {
    let full = (vm.request.cpu.0, vm.request.memory.0);
    let (Some(history), Some(tenant)) = (fleet.history(), vm.tenant) else {
        return full;
    };
    let Some(h) = history
        .tenant(tenant)
        .filter(|h| h.cpu_util.count() >= TENANT_MIN_STEPS)
    else {
        return full;
    };
    let q = |u: &hearth_sim::UtilHistogram| u.quantile(TENANT_QUANTILE).unwrap_or(1.0) as f32;
    (full.0 * q(&h.cpu_util), full.1 * q(&h.memory_util))
}

impl Policy for ForecastPlacement {
    fn name(&self) -> String {
        self.model.architecture().policy_name().into()
    }

    fn reset(&mut self) {
        self.cache.clear();
    }

    fn uses_history(&self) -> bool {
        true
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Option<ServerId> {
        let candidates = sample_admissible(self.k, vm, fleet, rng);
        if candidates.len() < 2 {
            return candidates.first().copied();
        }
        self.fill_cache(&candidates, fleet);
        let arriving = expected_usage(vm, fleet);
        let mut best: Option<(ServerId, f64)> = None;
        for &s in &candidates {
            let f = self.score(s, arriving, fleet);
            if best.is_none_or(|(b, bf)| f < bf || (f == bf && s < b)) {
                best = Some((s, f));
            }
        }
        best.map(|(s, _)| s)
    }
}
