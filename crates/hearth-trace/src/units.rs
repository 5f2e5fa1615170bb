//! Newtypes that carry the unit or meaning of a number.

use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign, Sub, SubAssign};

/// A simulation time step index. The length of a step in seconds is
/// recorded once per workload ([`crate::Workload::step_seconds`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Step(pub u32);

impl Step {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Identity of a VM inside one workload (dense, `0..n`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VmId(pub u32);

/// Identity of a tenant (Azure subscription, Alibaba user) inside one
/// workload: dense numbers given in order of first appearance in the trace.
/// VMs of one tenant tend to behave alike (Resource Central, SOSP'17).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TenantId(pub u32);

/// A VM type (flavour or trace-defined type id) inside one workload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VmTypeId(pub u32);

/// CPU in cores (fractional: 0.5 is half a core).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
pub struct Cores(pub f32);

/// Memory in GiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
pub struct Gib(pub f32);

macro_rules! quantity_ops {
    ($t:ident) => {
        impl Add for $t {
            type Output = $t;
            fn add(self, o: $t) -> $t {
                $t(self.0 + o.0)
            }
        }
        impl Sub for $t {
            type Output = $t;
            fn sub(self, o: $t) -> $t {
                $t(self.0 - o.0)
            }
        }
        impl AddAssign for $t {
            fn add_assign(&mut self, o: $t) {
                self.0 += o.0;
            }
        }
        impl SubAssign for $t {
            fn sub_assign(&mut self, o: $t) {
                self.0 -= o.0;
            }
        }
    };
}
quantity_ops!(Cores);
quantity_ops!(Gib);

/// A pair of CPU and memory amounts: a request, a capacity or a usage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    pub cpu: Cores,
    pub memory: Gib,
}

impl Resources {
    pub fn new(cpu_cores: f32, memory_gib: f32) -> Self {
        Resources {
            cpu: Cores(cpu_cores),
            memory: Gib(memory_gib),
        }
    }

    /// True when both amounts are at most `limit`'s.
    pub fn fits_within(&self, limit: &Resources) -> bool {
        self.cpu.0 <= limit.cpu.0 && self.memory.0 <= limit.memory.0
    }
}

impl Add for Resources {
    type Output = Resources;
    fn add(self, o: Resources) -> Resources {
        Resources {
            cpu: self.cpu + o.cpu,
            memory: self.memory + o.memory,
        }
    }
}

impl Sub for Resources {
    type Output = Resources;
    fn sub(self, o: Resources) -> Resources {
        Resources {
            cpu: self.cpu - o.cpu,
            memory: self.memory - o.memory,
        }
    }
}

impl AddAssign for Resources {
    fn add_assign(&mut self, o: Resources) {
        *self = *self + o;
    }
}

impl SubAssign for Resources {
    fn sub_assign(&mut self, o: Resources) {
        *self = *self - o;
    }
}
