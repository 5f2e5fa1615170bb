//! Usage assignment: each replayed arrival becomes a VM whose usage is a
//! window of a source VM's shape, drawn once per usage key.

use super::options::{SizeSource, UsageKey};
use super::pools::{Arrival, UsageShape};
use super::timing::Plan;
use crate::units::{Resources, Step, TenantId, VmTypeId};
use crate::workload::{Usage, Vm};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// The composed VMs, with the counts that provenance reports.
pub(super) struct Built {
    pub(super) vms: Vec<Vm>,
    pub(super) clipped: usize,
    pub(super) wrapped: usize,
    /// Distinct usage keys, each of which drew one source VM.
    pub(super) keyed: usize,
    /// VMs that drew their own source for lack of the key (no tenant).
    pub(super) unkeyed: usize,
}

/// The usage key of an arrival under `by`, or `None` (draw alone).
fn usage_key(a: &Arrival, by: UsageKey) -> Option<(u32, TenantId, Option<VmTypeId>)> {
    match by {
        UsageKey::Vm => None,
        UsageKey::Tenant => a.tenant.map(|t| (a.copy, t, None)),
        UsageKey::TenantType => a.tenant.map(|t| (a.copy, t, a.vm_type)),
    }
}

/// Turns replayed arrivals into VMs with usage. Source VMs are drawn in
/// arrival order, once per key, so a workload without keys draws exactly as
/// `UsageKey::Vm` does.
pub(super) fn build_vms(
    arrivals: &[Arrival],
    shapes: &[UsageShape],
    plan: &Plan,
    by: UsageKey,
    rng: &mut ChaCha8Rng,
) -> Built {
    let step = plan.step_seconds as f64;
    let mut sources: HashMap<(u32, TenantId, Option<VmTypeId>), usize> = HashMap::new();
    let mut out = Built {
        vms: Vec::with_capacity(arrivals.len()),
        clipped: 0,
        wrapped: 0,
        keyed: 0,
        unkeyed: 0,
    };
    for (i, a) in arrivals.iter().enumerate() {
        let at = a.at * plan.scale;
        let arrival = ((at / step).floor() as u32).min(plan.end.0 - 1);
        let natural = ((at + a.life * plan.scale) / step).ceil() as u32;
        let departure = natural.min(plan.end.0).max(arrival + 1);
        out.clipped += usize::from(natural > plan.end.0);
        let source = match usage_key(a, by) {
            Some(key) => *sources.entry(key).or_insert_with(|| rng.random_range(0..shapes.len())),
            None => {
                out.unkeyed += usize::from(by != UsageKey::Vm);
                rng.random_range(0..shapes.len())
            }
        };
        let shape = &shapes[source];
        let request = match plan.sizes {
            SizeSource::Usage => shape.request,
            SizeSource::Arrivals => a.request,
        };
        out.wrapped += usize::from((departure - arrival) as usize > shape.cpu.len());
        let usage = usage_from(shape, request, departure - arrival, rng);
        out.vms.push(Vm {
            id: crate::units::VmId(i as u32),
            arrival: Step(arrival),
            departure: Step(departure),
            request,
            priority: a.priority,
            tenant: a.tenant,
            vm_type: a.vm_type,
            usage,
        });
    }
    out.keyed = sources.len();
    out
}

/// A `life`-step window of the shape at a seeded offset, scaled to `request`.
/// Lives longer than the series wrap around to its start.
fn usage_from(shape: &UsageShape, request: Resources, life: u32, rng: &mut ChaCha8Rng) -> Usage {
    let len = shape.cpu.len();
    let life = life as usize;
    let offset = if life < len {
        rng.random_range(0..=len - life)
    } else {
        0
    };
    let window = |frac: &[f32], of: f32| -> Vec<f32> { (0..life).map(|i| frac[(offset + i) % len] * of).collect() };
    Usage {
        cpu: window(&shape.cpu, request.cpu.0),
        memory: window(&shape.memory, request.memory.0),
    }
}
