//! What a placement policy may see: the arriving VM's request (not its
//! future usage or lifetime) and the fleet's past and present.

use crate::fleet::ServerId;
use crate::state::Servers;
use hearth_trace::{Priority, Resources, Step, VmId};

/// The arriving VM as a policy sees it.
#[derive(Clone, Copy, Debug)]
pub struct VmView {
    pub id: VmId,
    pub arrival: Step,
    pub request: Resources,
    pub priority: Priority,
}

/// The fleet as observable at the current step: no method reaches a load
/// at or after `now`.
pub struct FleetView<'a> {
    pub(crate) servers: &'a Servers,
    pub(crate) now: Step,
}

impl<'a> FleetView<'a> {
    pub fn now(&self) -> Step {
        self.now
    }

    pub fn len(&self) -> usize {
        self.servers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.servers.len() == 0
    }

    pub fn ids(&self) -> impl Iterator<Item = ServerId> {
        (0..self.servers.len() as u32).map(ServerId)
    }

    /// Whether the server admits the VM under the run's admission mode.
    #[inline]
    pub fn admits(&self, s: ServerId, vm: &VmView) -> bool {
        self.servers.admits(s.index(), vm.request)
    }

    pub fn capacity(&self, s: ServerId) -> Resources {
        self.servers.capacity[s.index()]
    }

    /// Usage observed now: the last measurement (resident VMs' usage at the
    /// previous step). VMs placed during this step are not in it yet.
    pub fn observed(&self, s: ServerId) -> Resources {
        self.servers.observed[s.index()]
    }

    /// Sum of the resident VMs' requests.
    pub fn committed(&self, s: ServerId) -> Resources {
        self.servers.committed[s.index()]
    }

    /// What the admission test counts (observed usage or committed
    /// requests) and the limit it compares it with.
    pub fn admission_load(&self, s: ServerId) -> (Resources, Resources) {
        let i = s.index();
        let a = &self.servers.admission;
        (
            a.counted(self.servers.observed[i], self.servers.committed[i]),
            a.limit(self.servers.capacity[i]),
        )
    }

    /// The VMs on the server now (observable in any real fleet; their
    /// future usage is not reachable from here).
    pub fn residents(&self, s: ServerId) -> &'a [VmId] {
        &self.servers.residents[s.index()]
    }

    pub fn vm_count(&self, s: ServerId) -> usize {
        self.servers.residents[s.index()].len()
    }

    pub fn last_placement(&self, s: ServerId) -> Option<Step> {
        self.servers.last_placement[s.index()]
    }

    /// CPU load (cores) of the server over the last `steps` steps before
    /// now, oldest first; shorter at the start of the run.
    pub fn cpu_history(&self, s: ServerId, steps: u32) -> &'a [f32] {
        self.history(&self.servers.cpu, s, steps)
    }

    /// Memory load (GiB) over the last `steps` steps before now.
    pub fn memory_history(&self, s: ServerId, steps: u32) -> &'a [f32] {
        self.history(&self.servers.memory, s, steps)
    }

    fn history(&self, timeline: &'a [f32], s: ServerId, steps: u32) -> &'a [f32] {
        let end = self.now.index().min(self.servers.horizon);
        let start = end.saturating_sub(steps as usize);
        let base = s.index() * self.servers.horizon;
        &timeline[base + start..base + end]
    }
}
