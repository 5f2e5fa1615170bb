//! The allocator's history store: what earlier VMs of each tenant and each
//! VM type did, up to now. Resource Central (Cortez et al., SOSP'17) showed
//! that a tenant's earlier VMs predict a new VM's utilisation and lifetime;
//! a real placement service keeps such summaries, so policies may read them.
//!
//! Everything here is observable: utilisation is added when a step's usage
//! is measured (at the end of the step), a lifetime when the VM departs, and
//! a VM is counted when it arrives. Nothing reaches a step at or after now.

use hearth_trace::{Resources, Step, TenantId, VmTypeId};
use std::collections::HashMap;

/// Utilisation bins: `UTIL_BINS` bins of width 1/`UTIL_PER_UNIT` from 0;
/// utilisation above the last bin (usage over the request) lands in it.
const UTIL_PER_UNIT: f32 = 50.0;
const UTIL_BINS: usize = 100;
/// Lifetime bins: four per doubling of the lifetime in steps, from 1 step.
const LIFE_PER_OCTAVE: f32 = 4.0;
const LIFE_BINS: usize = 96;

/// A fixed-bin histogram of utilisation (usage ÷ request), with its sum.
#[derive(Clone, Debug)]
pub struct UtilHistogram {
    bins: [u32; UTIL_BINS],
    count: u64,
    sum: f64,
}

impl Default for UtilHistogram {
    fn default() -> Self {
        UtilHistogram {
            bins: [0; UTIL_BINS],
            count: 0,
            sum: 0.0,
        }
    }
}

impl UtilHistogram {
    fn add(&mut self, util: f32) {
        let b = ((util.max(0.0) * UTIL_PER_UNIT) as usize).min(UTIL_BINS - 1);
        self.bins[b] += 1;
        self.count += 1;
        self.sum += util.max(0.0) as f64;
    }

    /// Measured VM-steps summarised.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Mean utilisation, or `None` before any measurement.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// The `q` quantile (0..=1) as the upper edge of its bin, or `None`.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let b = quantile_bin(&self.bins, self.count, q)?;
        Some((b + 1) as f64 / UTIL_PER_UNIT as f64)
    }
}

/// A log-binned histogram of lifetimes (steps) of VMs that have ended.
#[derive(Clone, Debug)]
pub struct LifetimeHistogram {
    bins: [u32; LIFE_BINS],
    count: u64,
}

impl Default for LifetimeHistogram {
    fn default() -> Self {
        LifetimeHistogram {
            bins: [0; LIFE_BINS],
            count: 0,
        }
    }
}

fn life_bin(steps: u32) -> usize {
    ((steps.max(1) as f32).log2() * LIFE_PER_OCTAVE) as usize
}

/// The geometric middle of a lifetime bin, in steps.
fn life_of_bin(b: usize) -> f64 {
    2f64.powf((b as f64 + 0.5) / LIFE_PER_OCTAVE as f64)
}

impl LifetimeHistogram {
    fn add(&mut self, steps: u32) {
        self.bins[life_bin(steps).min(LIFE_BINS - 1)] += 1;
        self.count += 1;
    }

    /// Ended VMs summarised.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `q` quantile of lifetimes in steps, or `None` before any VM ended.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        quantile_bin(&self.bins, self.count, q).map(life_of_bin)
    }

    /// Median remaining lifetime (steps) of a VM that has lived `age` steps,
    /// among ended lifetimes longer than `age`; `None` when none was longer.
    pub fn median_remaining(&self, age: u32) -> Option<f64> {
        let from = life_bin(age + 1).min(LIFE_BINS - 1);
        let tail: u64 = self.bins[from..].iter().map(|&c| c as u64).sum();
        let b = quantile_bin(&self.bins[from..], tail, 0.5)?;
        Some((life_of_bin(from + b) - age as f64).max(1.0))
    }
}

/// The first bin at which the cumulative count reaches `q` of `count`.
fn quantile_bin(bins: &[u32], count: u64, q: f64) -> Option<usize> {
    if count == 0 {
        return None;
    }
    let target = ((q.clamp(0.0, 1.0) * count as f64).ceil() as u64).max(1);
    let mut seen = 0u64;
    bins.iter().position(|&c| {
        seen += c as u64;
        seen >= target
    })
}

/// What the store knows of one tenant, one VM type, or the whole fleet.
#[derive(Clone, Debug, Default)]
pub struct KeyHistory {
    /// VMs that arrived before now (placed or not).
    pub vms: u32,
    pub cpu_util: UtilHistogram,
    pub memory_util: UtilHistogram,
    /// Lifetimes of VMs that departed (evicted VMs are not counted: their
    /// lifetime was cut short, not observed).
    pub lifetimes: LifetimeHistogram,
}

/// Histories by tenant, by VM type and over all VMs.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub(crate) tenants: HashMap<TenantId, KeyHistory>,
    pub(crate) types: HashMap<VmTypeId, KeyHistory>,
    pub(crate) all: KeyHistory,
}

/// What the engine tells the store about a VM: its keys and request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Keys {
    pub tenant: Option<TenantId>,
    pub vm_type: Option<VmTypeId>,
    pub request: Resources,
}

impl History {
    pub fn tenant(&self, t: TenantId) -> Option<&KeyHistory> {
        self.tenants.get(&t)
    }

    pub fn vm_type(&self, t: VmTypeId) -> Option<&KeyHistory> {
        self.types.get(&t)
    }

    pub fn all(&self) -> &KeyHistory {
        &self.all
    }

    fn each(&mut self, k: Keys, mut f: impl FnMut(&mut KeyHistory)) {
        f(&mut self.all);
        if let Some(t) = k.tenant {
            f(self.tenants.entry(t).or_default());
        }
        if let Some(t) = k.vm_type {
            f(self.types.entry(t).or_default());
        }
    }

    pub(crate) fn arrived(&mut self, k: Keys) {
        self.each(k, |h| h.vms += 1);
    }

    /// One measured step of a VM's usage.
    pub(crate) fn measured(&mut self, k: Keys, usage: Resources) {
        let share = |x: f32, of: f32| if of > 0.0 { x / of } else { 0.0 };
        let (cpu, mem) = (
            share(usage.cpu.0, k.request.cpu.0),
            share(usage.memory.0, k.request.memory.0),
        );
        self.each(k, |h| {
            h.cpu_util.add(cpu);
            h.memory_util.add(mem);
        });
    }

    pub(crate) fn departed(&mut self, k: Keys, arrival: Step, now: Step) {
        let life = now.0.saturating_sub(arrival.0);
        self.each(k, |h| h.lifetimes.add(life));
    }
}
