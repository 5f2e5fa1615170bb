//! The two pools a composition draws from: the arrival trace's arrivals and
//! the usage trace's usage shapes, each within the size bounds.

use super::options::{ComposeOptions, SizeSource};
use crate::units::{Resources, TenantId, VmTypeId};
use crate::workload::{Priority, Workload};

/// One arrival to replay: relative time and lifetime in seconds.
#[derive(Clone, Copy)]
pub(super) struct Arrival {
    pub(super) at: f64,
    pub(super) life: f64,
    pub(super) request: Resources,
    pub(super) priority: Priority,
    pub(super) tenant: Option<TenantId>,
    pub(super) vm_type: Option<VmTypeId>,
    /// Which overlaid copy of the trace it comes from (0 in real time):
    /// copies are other tenants' VMs as far as usage keys go.
    pub(super) copy: u32,
}

/// A usage VM's series as fractions of its own request.
pub(super) struct UsageShape {
    pub(super) cpu: Vec<f32>,
    pub(super) memory: Vec<f32>,
    pub(super) request: Resources,
}

/// The size bounds a pool's VMs must fit within.
pub(super) struct Bounds {
    cores: Option<f32>,
    memory: Option<f32>,
}

impl Bounds {
    pub(super) fn from(opts: &ComposeOptions) -> Bounds {
        Bounds {
            cores: opts.max_vm_cores,
            memory: opts.max_vm_memory_gib,
        }
    }

    fn admits(&self, r: &Resources) -> bool {
        self.cores.is_none_or(|c| r.cpu.0 <= c) && self.memory.is_none_or(|m| r.memory.0 <= m)
    }

    pub(super) fn describe(&self) -> String {
        let show = |x: Option<f32>| x.map(|v| v.to_string()).unwrap_or_else(|| "none".into());
        format!("cores {}, memory GiB {}", show(self.cores), show(self.memory))
    }
}

/// The arrivals to replay, relative to the trace's observation start. VMs
/// that were already running then arrive at its start with the rest of their life.
pub(super) fn arrival_pool(w: &Workload, sizes: SizeSource, bounds: &Bounds) -> (Vec<Arrival>, usize) {
    let step = w.step_seconds as f64;
    let start = w.observed_from.0;
    let mut left_out = 0;
    let mut pool = Vec::with_capacity(w.vms.len());
    for vm in &w.vms {
        if vm.departure.0 <= start {
            continue;
        }
        if sizes == SizeSource::Arrivals && !bounds.admits(&vm.request) {
            left_out += 1;
            continue;
        }
        let arrival = vm.arrival.0.max(start);
        pool.push(Arrival {
            at: (arrival - start) as f64 * step,
            life: (vm.departure.0 - arrival) as f64 * step,
            request: vm.request,
            priority: vm.priority,
            tenant: vm.tenant,
            vm_type: vm.vm_type,
            copy: 0,
        });
    }
    (pool, left_out)
}

pub(super) fn usage_pool(w: &Workload, sizes: SizeSource, bounds: &Bounds) -> (Vec<UsageShape>, usize) {
    let mut left_out = 0;
    let mut shapes = Vec::with_capacity(w.vms.len());
    for vm in &w.vms {
        if sizes == SizeSource::Usage && !bounds.admits(&vm.request) {
            left_out += 1;
            continue;
        }
        let frac =
            |xs: &[f32], of: f32| -> Vec<f32> { xs.iter().map(|&x| if of > 0.0 { x / of } else { 0.0 }).collect() };
        shapes.push(UsageShape {
            cpu: frac(&vm.usage.cpu, vm.request.cpu.0),
            memory: frac(&vm.usage.memory, vm.request.memory.0),
            request: vm.request,
        });
    }
    (shapes, left_out)
}
