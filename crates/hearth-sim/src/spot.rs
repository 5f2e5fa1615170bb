//! Spot eviction: when an on-demand VM is admitted nowhere, spot VMs are
//! evicted from the one server that needs the fewest evictions for it to fit.

use crate::admission::AdmissionLoad;
use crate::fleet::ServerId;
use crate::metrics::{Eviction, RunMetrics};
use crate::state::Servers;
use hearth_trace::{Priority, Resources, Step, Vm, VmId};

/// Evicts spot VMs so that `vm` fits somewhere; returns that server, or
/// `None` (nothing evicted) when no server can fit it even so. `vms` holds
/// every VM by id, `host` where each runs (the engine's and the live fleet's).
pub(crate) fn make_room(
    servers: &mut Servers,
    vms: &[Vm],
    host: &mut [Option<ServerId>],
    vm: &Vm,
    metrics: &mut RunMetrics,
) -> Option<ServerId> {
    let now = vm.arrival;
    let mut best: Option<(usize, Vec<VmId>)> = None;
    for s in 0..servers.len() {
        if servers.spot_residents[s] == 0 && !servers.admits(s, vm.request) {
            continue;
        }
        if let Some(victims) = victims_on(servers, vms, s, vm, now) {
            if best.as_ref().is_none_or(|(_, b)| victims.len() < b.len()) {
                best = Some((s, victims));
            }
        }
    }
    let (s, victims) = best?;
    let server = ServerId(s as u32);
    for id in victims {
        let victim = &vms[id.0 as usize];
        servers.remove(server, victim, now);
        host[id.0 as usize] = None;
        metrics.evictions += 1;
        metrics.eviction_log.push(Eviction {
            step: now,
            vm: id,
            server,
            cores: victim.request.cpu.0,
            memory_gib: victim.request.memory.0,
        });
    }
    Some(server)
}

/// The fewest spot VMs on server `s` whose eviction lets `vm` be admitted,
/// largest first; `None` if evicting every spot VM would not suffice.
fn victims_on(servers: &Servers, vms: &[Vm], s: usize, vm: &Vm, now: Step) -> Option<Vec<VmId>> {
    let admission = servers.admission;
    let AdmissionLoad { counted, limit } = servers.admission_load(s);
    let amount = |v: &Vm| admission.counted(servers.observed_contribution(v, now), v.request);
    let mut spots: Vec<(VmId, Resources)> = servers.residents[s]
        .iter()
        .map(|&id| &vms[id.0 as usize])
        .filter(|v| v.priority == Priority::Spot)
        .map(|v| (v.id, amount(v)))
        .collect();
    spots.sort_by(|a, b| {
        weight(&b.1, &limit)
            .total_cmp(&weight(&a.1, &limit))
            .then(servers.arrival_rank(a.0).cmp(&servers.arrival_rank(b.0)))
    });
    let mut load = counted;
    let mut victims = Vec::new();
    let fits = |load: &Resources| (*load + vm.request).fits_within(&limit);
    for (id, amount) in spots {
        if fits(&load) {
            break;
        }
        load -= amount;
        victims.push(id);
    }
    fits(&load).then_some(victims)
}

/// Size of an amount relative to the server's limit, for ordering victims.
fn weight(r: &Resources, limit: &Resources) -> f32 {
    let share = |x: f32, cap: f32| if cap > 0.0 { x / cap } else { 0.0 };
    share(r.cpu.0, limit.cpu.0) + share(r.memory.0, limit.memory.0)
}
