//! VMs coming and going: an arrival placed by the policy (or as a journal
//! recorded it), evictions made room with, and departures.

use super::error::LiveError;
use super::events::{Arrival, Placement};
use super::LiveFleet;
use crate::engine::{keys, settle};
use crate::fleet::ServerId;
use crate::metrics::{Eviction, RunMetrics};
use crate::policy::Decider;
use crate::view::{FleetView, VmView};
use hearth_trace::{Step, Vm, VmId};

/// Running VMs have no departure yet.
const RUNNING: Step = Step(u32::MAX);

impl LiveFleet {
    /// Places an arriving VM with the decider, as the engine does: rejected
    /// outright when it exceeds every server's limit, else the policy's
    /// choice, else (on-demand) room made by evicting spot VMs.
    pub fn arrive(&mut self, arrival: Arrival, decider: &mut Decider) -> Result<Placement, LiveError> {
        let policy = match decider {
            Decider::Online(p) => p,
            Decider::Hindsight(p) => return Err(LiveError::NeedsFuture(p.name())),
        };
        let id = self.admit(arrival);
        let vm = &self.vms[id.0 as usize];
        let mut log = RunMetrics::default();
        let settled = if vm.request.fits_within(&self.servers.largest_limit) {
            let fleet = FleetView {
                servers: &self.servers,
                now: self.now,
                vms: &self.vms,
                history: self.history.as_ref(),
            };
            let choice = policy.place(&VmView::of(vm), &fleet, &mut self.rng);
            let name = || policy.name();
            let vms = &self.vms;
            settle(choice, &name, &mut self.servers, vms, &mut self.host, vm, &mut log)
        } else {
            Ok(None)
        };
        // A policy error changes nothing (it comes before any eviction), so
        // the VM's id goes back as if it never arrived.
        let server = settled.inspect_err(|_| {
            self.free.push(id);
            self.servers.already_running.remove(&id);
        })?;
        for e in &log.eviction_log {
            self.left(e.vm);
        }
        Ok(self.finish(id, server, log.eviction_log))
    }

    /// Applies a placement decided before (a journal's record), evicting
    /// the recorded victims first: rebuilds the state a restart lost.
    pub fn apply(&mut self, arrival: Arrival, server: Option<ServerId>, evicted: &[VmId]) -> Placement {
        let id = self.admit(arrival);
        let mut log = Vec::new();
        if let Some(s) = server.filter(|s| s.index() < self.servers.len()) {
            for &victim in evicted {
                if self.host(victim) == Some(s) {
                    let vm = &self.vms[victim.0 as usize];
                    self.servers.remove(s, vm, self.now);
                    self.host[victim.0 as usize] = None;
                    log.push(Eviction {
                        step: self.now,
                        vm: victim,
                        server: s,
                        cores: vm.request.cpu.0,
                        memory_gib: vm.request.memory.0,
                    });
                    self.left(victim);
                }
            }
        }
        self.finish(id, server.filter(|s| s.index() < self.servers.len()), log)
    }

    /// Closes a pending step and records the VM (placed or not), under the
    /// id of a VM gone before it if there is one.
    fn admit(&mut self, arrival: Arrival) -> VmId {
        self.close_pending();
        let id = self.free.pop().unwrap_or(VmId(self.vms.len() as u32));
        let vm = Vm {
            id,
            arrival: self.now,
            departure: RUNNING,
            request: arrival.request,
            priority: arrival.priority,
            tenant: arrival.tenant,
            vm_type: arrival.vm_type,
            usage: Default::default(),
        };
        let i = id.0 as usize;
        if i < self.vms.len() {
            self.vms[i] = vm;
            self.host[i] = None;
        } else {
            self.vms.push(vm);
            self.host.push(None);
        }
        // Inserted or removed: a reused id must not keep the usage of the
        // VM that had it earlier in this step.
        match arrival.usage {
            Some(usage) => self.servers.already_running.insert(id, usage),
            None => self.servers.already_running.remove(&id),
        };
        if self.servers.arrival_order.len() <= i {
            self.servers.arrival_order.resize(i + 1, 0);
        }
        self.servers.arrival_order[i] = self.arrivals;
        self.arrivals += 1;
        id
    }

    fn finish(&mut self, id: VmId, server: Option<ServerId>, evicted: Vec<Eviction>) -> Placement {
        let vm = &self.vms[id.0 as usize];
        if let Some(s) = server {
            self.servers.place(s, vm, self.now);
            self.host[id.0 as usize] = Some(s);
        }
        // Counted after its own decision, as in the engine.
        if let Some(h) = &mut self.history {
            h.arrived(keys(vm));
        }
        if server.is_none() {
            self.free.push(id);
        }
        Placement {
            vm: id,
            step: self.now,
            server,
            evicted,
        }
    }

    /// The VM left its server (departure or eviction): it is gone at `now`,
    /// its usage series is no longer read, and its id is free for reuse.
    fn left(&mut self, id: VmId) {
        let vm = &mut self.vms[id.0 as usize];
        vm.departure = self.now;
        vm.usage = Default::default();
        self.free.push(id);
    }

    /// VM `id` has left; returns the server it ran on.
    pub fn depart(&mut self, id: VmId) -> Result<ServerId, LiveError> {
        let s = self.host(id).ok_or(LiveError::NotRunning(id.0))?;
        self.close_pending();
        let now = self.now;
        let vm = &mut self.vms[id.0 as usize];
        vm.departure = now;
        self.servers.remove(s, vm, now);
        self.host[id.0 as usize] = None;
        if let Some(h) = &mut self.history {
            h.departed(keys(vm), vm.arrival, now);
        }
        self.left(id);
        Ok(s)
    }
}
