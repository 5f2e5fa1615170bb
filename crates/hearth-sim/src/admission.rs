//! Admission: which servers may take an arriving VM.

use hearth_trace::Resources;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "mode")]
pub enum Admission {
    /// FirePlace's setting: a server admits a VM if its observed usage plus
    /// the VM's request fits its capacity, for CPU and memory. The observed
    /// usage is the last measurement (the previous step's load) plus the
    /// requests of the VMs placed on the server since then: an allocator
    /// knows what it has just placed (Protean's cache counts a new VM at its
    /// request until its usage is measured). Once measured, a VM counts by
    /// its usage, so co-located VMs may later use more than the server has:
    /// that is what overloads measure.
    Usage,
    /// As [`Admission::Usage`], but VMs placed since the last measurement
    /// count for nothing: an allocator that sees only lagged telemetry. Kept
    /// to reproduce figures published before the allocator counted its own
    /// placements, and because it shows why that matters: within a step,
    /// first-fit, best-fit, worst-fit and dot-product all see the same stale
    /// usage and herd onto one server.
    UsageLagged,
    /// Classic IaaS allocation (dslab, CloudSim): the sum of requests stays
    /// within capacity times a per-resource oversubscription ratio.
    Requests { cpu_oversub: f32, memory_oversub: f32 },
}

impl Admission {
    pub fn name(&self) -> &'static str {
        match self {
            Admission::Usage => "usage",
            Admission::UsageLagged => "usage-lagged",
            Admission::Requests { .. } => "requests",
        }
    }

    /// Whether requests placed since the last measurement count as load
    /// until they are measured.
    pub fn counts_unmeasured(&self) -> bool {
        !matches!(self, Admission::UsageLagged)
    }

    /// Whether a server with this `capacity`, current `observed` usage (the
    /// measurement plus, where counted, requests placed since) and
    /// `committed` requests admits a VM requesting `request`.
    #[inline]
    pub fn admits(&self, capacity: Resources, observed: Resources, committed: Resources, request: Resources) -> bool {
        self.load(capacity, observed, committed).admits(request)
    }

    /// What the test counts on a server and the limit it compares that
    /// with.
    #[inline]
    pub fn load(&self, capacity: Resources, observed: Resources, committed: Resources) -> AdmissionLoad {
        AdmissionLoad {
            counted: self.counted(observed, committed),
            limit: self.limit(capacity),
        }
    }

    /// The amount the admission test counts for a server: observed usage or committed requests.
    #[inline]
    pub fn counted(&self, observed: Resources, committed: Resources) -> Resources {
        match self {
            Admission::Usage | Admission::UsageLagged => observed,
            Admission::Requests { .. } => committed,
        }
    }

    /// The capacity the admission test compares against.
    #[inline]
    pub fn limit(&self, capacity: Resources) -> Resources {
        match *self {
            Admission::Usage | Admission::UsageLagged => capacity,
            Admission::Requests {
                cpu_oversub,
                memory_oversub,
            } => Resources::new(capacity.cpu.0 * cpu_oversub, capacity.memory.0 * memory_oversub),
        }
    }
}

/// One server as the admission test sees it: the load it counts (observed
/// usage, or committed requests under `requests` admission) and the limit it
/// compares that with (capacity, times oversubscription under `requests`),
/// in cores and GiB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdmissionLoad {
    pub counted: Resources,
    pub limit: Resources,
}

impl AdmissionLoad {
    /// Whether a VM requesting `request` fits, per resource: the same
    /// comparison [`Admission::admits`] makes.
    #[inline]
    pub fn admits(&self, request: Resources) -> bool {
        self.counted.cpu.0 + request.cpu.0 <= self.limit.cpu.0
            && self.counted.memory.0 + request.memory.0 <= self.limit.memory.0
    }

    /// Per-resource room the test leaves once `request` is added, as
    /// fractions of the limit (0 for a resource with no limit): (CPU,
    /// memory). Best-fit and worst-fit rank servers by its sum.
    #[inline]
    pub fn headroom_after(&self, request: Resources) -> (f64, f64) {
        let frac = |used: f32, req: f32, cap: f32| {
            if cap > 0.0 {
                ((cap - used - req) / cap) as f64
            } else {
                0.0
            }
        };
        (
            frac(self.counted.cpu.0, request.cpu.0, self.limit.cpu.0),
            frac(self.counted.memory.0, request.memory.0, self.limit.memory.0),
        )
    }
}
