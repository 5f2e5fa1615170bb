//! Admission: which servers may take an arriving VM.

use hearth_trace::Resources;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "mode")]
pub enum Admission {
    /// FirePlace's setting: a server admits a VM if its currently observed
    /// usage plus the VM's request fits its capacity, for CPU and memory.
    /// Nothing is reserved, so co-located VMs may later use more than the
    /// server has: that is what overloads measure. The observed usage is the
    /// last measurement (the previous step's load): VMs placed earlier in the
    /// same step are not in it, as in a fleet whose telemetry lags placement.
    Usage,
    /// Classic IaaS allocation (dslab, CloudSim): the sum of requests stays
    /// within capacity times a per-resource oversubscription ratio.
    Requests { cpu_oversub: f32, memory_oversub: f32 },
}

impl Admission {
    pub fn name(&self) -> &'static str {
        match self {
            Admission::Usage => "usage",
            Admission::Requests { .. } => "requests",
        }
    }

    /// Whether a server with this `capacity`, current `observed` usage and
    /// `committed` requests admits a VM requesting `request`.
    #[inline]
    pub fn admits(&self, capacity: Resources, observed: Resources, committed: Resources, request: Resources) -> bool {
        match *self {
            Admission::Usage => {
                observed.cpu.0 + request.cpu.0 <= capacity.cpu.0
                    && observed.memory.0 + request.memory.0 <= capacity.memory.0
            }
            Admission::Requests {
                cpu_oversub,
                memory_oversub,
            } => {
                committed.cpu.0 + request.cpu.0 <= capacity.cpu.0 * cpu_oversub
                    && committed.memory.0 + request.memory.0 <= capacity.memory.0 * memory_oversub
            }
        }
    }

    /// The amount the admission test counts for a server: observed usage or committed requests.
    #[inline]
    pub fn counted(&self, observed: Resources, committed: Resources) -> Resources {
        match self {
            Admission::Usage => observed,
            Admission::Requests { .. } => committed,
        }
    }

    /// The capacity the admission test compares against.
    #[inline]
    pub fn limit(&self, capacity: Resources) -> Resources {
        match *self {
            Admission::Usage => capacity,
            Admission::Requests {
                cpu_oversub,
                memory_oversub,
            } => Resources::new(capacity.cpu.0 * cpu_oversub, capacity.memory.0 * memory_oversub),
        }
    }
}
