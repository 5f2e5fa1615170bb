//! What a control plane tells a live fleet and gets back: an arrival, its
//! placement, and who a usage report is about.

use crate::fleet::ServerId;
use crate::metrics::Eviction;
use hearth_trace::{Priority, Resources, Step, TenantId, VmId, VmTypeId};

/// An arriving VM as a control plane describes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    pub request: Resources,
    pub priority: Priority,
    pub tenant: Option<TenantId>,
    pub vm_type: Option<VmTypeId>,
    /// For a VM that was already running when the fleet learned of it (at
    /// the service's first step, say): its measured usage now. Until the
    /// step is measured it counts by this rather than its request, as the
    /// simulator counts VMs that arrived before `observed_from`.
    pub usage: Option<Resources>,
}

/// Where an arrival went: its id, its server (`None`: no server admits it),
/// and the spot VMs evicted to make room for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub vm: VmId,
    pub step: Step,
    pub server: Option<ServerId>,
    pub evicted: Vec<Eviction>,
}

/// One usage report: what a VM, or a server beyond its VMs, used in a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reporter {
    Vm(VmId),
    Server(ServerId),
}
