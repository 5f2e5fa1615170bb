//! What a placement policy may see: the arriving VM's request (not its
//! future usage or lifetime) and the fleet's past and present.

use crate::admission::AdmissionLoad;
use crate::fleet::ServerId;
use crate::history::History;
use crate::state::Servers;
use hearth_trace::{Priority, Resources, Step, TenantId, Vm, VmId, VmTypeId};
use std::cell::Cell;

thread_local! {
    static FULL_SCANS: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with [`FleetView::candidates`] answering every server of the
/// fleet, as scans did before they skipped never-used servers: the
/// reference the shortcut is tested against. Affects this thread only.
#[doc(hidden)]
pub fn with_full_scans<R>(f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            FULL_SCANS.with(|c| c.set(false));
        }
    }
    FULL_SCANS.with(|c| c.set(true));
    let _reset = Reset;
    f()
}

/// The arriving VM as a policy sees it.
#[derive(Clone, Copy, Debug)]
pub struct VmView {
    pub id: VmId,
    pub arrival: Step,
    pub request: Resources,
    pub priority: Priority,
    pub tenant: Option<TenantId>,
    pub vm_type: Option<VmTypeId>,
}

impl VmView {
    /// What an allocator knows of a VM when it arrives: not its usage, not
    /// its departure.
    pub fn of(vm: &Vm) -> VmView {
        VmView {
            id: vm.id,
            arrival: vm.arrival,
            request: vm.request,
            priority: vm.priority,
            tenant: vm.tenant,
            vm_type: vm.vm_type,
        }
    }
}

/// The fleet as observable at the current step: no method reaches a load
/// at or after `now`.
pub struct FleetView<'a> {
    pub(crate) servers: &'a Servers,
    pub(crate) now: Step,
    pub(crate) vms: &'a [Vm],
    pub(crate) history: Option<&'a History>,
}

impl<'a> FleetView<'a> {
    #[inline]
    pub fn now(&self) -> Step {
        self.now
    }

    /// Length of a step in seconds (the workload's; 300 in a live fleet),
    /// to turn windows in hours into steps.
    #[inline]
    pub fn step_seconds(&self) -> u32 {
        self.servers.step_seconds
    }

    /// Steps in `hours` hours, at least one.
    pub fn steps_in_hours(&self, hours: f64) -> u32 {
        ((hours * 3600.0 / self.step_seconds().max(1) as f64).round() as u32).max(1)
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.servers.len() == 0
    }

    pub fn ids(&self) -> impl Iterator<Item = ServerId> {
        (0..self.servers.len() as u32).map(ServerId)
    }

    /// The servers a choice by observable state needs to look at, in id
    /// order: every server that ever held a VM, and the lowest-numbered
    /// never-used server of each capacity. A never-used server is identical
    /// to the lowest never-used one of its capacity in everything this view
    /// answers but its id, so a choice that depends only on what the view
    /// answers about a server, with ties to the lowest id (first-fit,
    /// best-fit, worst-fit, dot-product...), picks the same server from these
    /// as from [`FleetView::ids`], without scanning the empty part of a
    /// large fleet.
    #[inline]
    pub fn candidates(&self) -> Candidates<'a> {
        let servers = self.servers;
        Candidates {
            used: &servers.used,
            fresh: servers.fresh.lowest(),
            every: FULL_SCANS.with(Cell::get).then_some(0..servers.len() as u32),
        }
    }

    /// The server that admits `request` with the highest `score` (ties: the
    /// lowest id), by a scan of [`FleetView::for_each_load`]. The score sees
    /// a server's admission load only, not its id.
    #[inline]
    pub fn best_admissible(&self, request: Resources, mut score: impl FnMut(AdmissionLoad) -> f64) -> Option<ServerId> {
        let mut best: Option<(ServerId, f64)> = None;
        self.for_each_load(|s, load| {
            if load.admits(request) {
                let x = score(load);
                if best.is_none_or(|(_, b)| x > b) {
                    best = Some((s, x));
                }
            }
        });
        best.map(|(s, _)| s)
    }

    /// Whether the server admits the VM under the run's admission mode.
    #[inline]
    pub fn admits(&self, s: ServerId, vm: &VmView) -> bool {
        self.servers.admits(s.index(), vm.request)
    }

    #[inline]
    pub fn capacity(&self, s: ServerId) -> Resources {
        self.servers.capacity[s.index()]
    }

    /// Usage as the allocator sees it now: the last measurement (resident
    /// VMs' usage at the previous step) plus, under `usage` admission, the
    /// requests of VMs placed since (under `usage-lagged`, nothing for them).
    #[inline]
    pub fn observed(&self, s: ServerId) -> Resources {
        self.servers.observed(s.index())
    }

    /// The last measurement alone: resident VMs' usage at the previous step.
    #[inline]
    pub fn measured(&self, s: ServerId) -> Resources {
        self.servers.measured(s.index())
    }

    /// Sum of the resident VMs' requests.
    #[inline]
    pub fn committed(&self, s: ServerId) -> Resources {
        self.servers.committed(s.index())
    }

    /// What the admission test counts (observed usage or committed
    /// requests) and the limit it compares it with.
    #[inline]
    pub fn admission_load(&self, s: ServerId) -> AdmissionLoad {
        self.servers.admission_load(s.index())
    }

    /// Calls `f` with each of [`FleetView::candidates`], in id order, and its
    /// admission load: the scan every heuristic makes for each arriving VM,
    /// as one loop over one array.
    #[inline]
    pub fn for_each_load(&self, mut f: impl FnMut(ServerId, AdmissionLoad)) {
        let loads = &self.servers.admission_loads;
        self.candidates().for_each(|s| f(s, loads[s.index()]));
    }

    /// The VMs on the server now (observable in any real fleet; their
    /// future usage is not reachable from here).
    pub fn residents(&self, s: ServerId) -> &'a [VmId] {
        &self.servers.residents[s.index()]
    }

    /// A resident VM as the allocator knows it (request, arrival, tenant,
    /// type), or `None` for an id outside the workload. Only VMs that have
    /// arrived are answered: a VM's existence is not known before then.
    pub fn vm(&self, id: VmId) -> Option<VmView> {
        self.vms
            .get(id.0 as usize)
            .filter(|vm| vm.arrival <= self.now)
            .map(VmView::of)
    }

    /// The history store of earlier VMs by tenant and type, when the
    /// running policy asked for it ([`crate::Policy::uses_history`]).
    pub fn history(&self) -> Option<&'a History> {
        self.history
    }

    #[inline]
    pub fn vm_count(&self, s: ServerId) -> usize {
        self.servers.residents[s.index()].len()
    }

    #[inline]
    pub fn last_placement(&self, s: ServerId) -> Option<Step> {
        self.servers.last_placement[s.index()]
    }

    /// CPU load (cores) of the server over the last `steps` steps before
    /// now, oldest first; shorter at the start of the run.
    pub fn cpu_history(&self, s: ServerId, steps: u32) -> &'a [f32] {
        self.timeline_window(&self.servers.cpu, s, steps)
    }

    /// Memory load (GiB) over the last `steps` steps before now.
    pub fn memory_history(&self, s: ServerId, steps: u32) -> &'a [f32] {
        self.timeline_window(&self.servers.memory, s, steps)
    }

    /// A VM's measured usage over the last `steps` steps before now, oldest
    /// first, as (CPU cores, memory GiB): only steps in `arrival..now` (at
    /// most `steps` of them), so a VM that arrived this step has none, and
    /// none is answered for a VM that has not arrived. Per-VM usage is what
    /// a fleet's monitoring records; usage forecasters read it.
    pub fn vm_usage_history(&self, id: VmId, steps: u32) -> Option<(&'a [f32], &'a [f32])> {
        let vm = self.vms.get(id.0 as usize).filter(|vm| vm.arrival <= self.now)?;
        let end = self.now.0.min(vm.departure.0).saturating_sub(vm.arrival.0) as usize;
        let start = end.saturating_sub(steps as usize);
        Some((&vm.usage.cpu[start..end], &vm.usage.memory[start..end]))
    }

    fn timeline_window(&self, timeline: &'a [f32], s: ServerId, steps: u32) -> &'a [f32] {
        let end = self.now.index().min(self.servers.horizon);
        let start = end.saturating_sub(steps as usize);
        let base = s.index() * self.servers.horizon;
        &timeline[base + start..base + end]
    }
}

/// The servers of [`FleetView::candidates`], in id order: a merge of the
/// used servers and the lowest never-used one of each capacity.
pub struct Candidates<'a> {
    used: &'a [u32],
    fresh: &'a [u32],
    /// Every server instead, under [`with_full_scans`].
    every: Option<std::ops::Range<u32>>,
}

impl Iterator for Candidates<'_> {
    type Item = ServerId;

    #[inline]
    fn next(&mut self) -> Option<ServerId> {
        if let Some(all) = &mut self.every {
            return all.next().map(ServerId);
        }
        let take_used = match (self.used.first(), self.fresh.first()) {
            (Some(&u), Some(&f)) => u < f,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let list = if take_used { &mut self.used } else { &mut self.fresh };
        let (&next, rest) = list.split_first()?;
        *list = rest;
        Some(ServerId(next))
    }

    /// The merge as two plain loops: `for_each` over a thousand servers for
    /// every arriving VM is the heuristics' hot loop, and `next`'s
    /// per-item match costs ~8% of a worst-fit simulation.
    #[inline]
    fn fold<B, F: FnMut(B, ServerId) -> B>(self, init: B, mut f: F) -> B {
        if let Some(all) = self.every {
            return all.map(ServerId).fold(init, f);
        }
        let (mut acc, mut fresh) = (init, self.fresh);
        for &u in self.used {
            while let Some((&x, rest)) = fresh.split_first().filter(|(&x, _)| x < u) {
                acc = f(acc, ServerId(x));
                fresh = rest;
            }
            acc = f(acc, ServerId(u));
        }
        fresh.iter().fold(acc, |acc, &x| f(acc, ServerId(x)))
    }
}
