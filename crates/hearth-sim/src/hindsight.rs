//! The future, for the hindsight teacher only. The engine hands this to a
//! [`crate::HindsightPolicy`] and to nothing else; ordinary policies get a
//! [`crate::FleetView`] of the past and present.

use crate::fleet::ServerId;
use crate::state::Servers;
use hearth_trace::{Step, Vm};

pub struct Hindsight<'a> {
    pub(crate) servers: &'a Servers,
    pub(crate) vm: &'a Vm,
}

impl<'a> Hindsight<'a> {
    /// The arriving VM's CPU usage (cores) over its whole life.
    pub fn vm_cpu(&self) -> &'a [f32] {
        &self.vm.usage.cpu
    }

    /// The arriving VM's memory usage (GiB) over its whole life.
    pub fn vm_memory(&self) -> &'a [f32] {
        &self.vm.usage.memory
    }

    pub fn vm_departure(&self) -> Step {
        self.vm.departure
    }

    /// The server's future CPU load from VMs already on it, over the
    /// arriving VM's life (aligned with [`Self::vm_cpu`]).
    pub fn server_cpu(&self, s: ServerId) -> &'a [f32] {
        self.window(&self.servers.cpu, s)
    }

    /// The server's future memory load over the arriving VM's life.
    pub fn server_memory(&self, s: ServerId) -> &'a [f32] {
        self.window(&self.servers.memory, s)
    }

    /// The server's future CPU load from VMs already on it over the next
    /// `steps` steps from the arriving VM's arrival (shorter at the end).
    pub fn server_cpu_ahead(&self, s: ServerId, steps: u32) -> &'a [f32] {
        let base = s.index() * self.servers.horizon;
        let start = self.vm.arrival.index();
        let end = (start + steps as usize).min(self.servers.horizon);
        &self.servers.cpu[base + start..base + end]
    }

    fn window(&self, timeline: &'a [f32], s: ServerId) -> &'a [f32] {
        let base = s.index() * self.servers.horizon;
        &timeline[base + self.vm.arrival.index()..base + self.vm.departure.index()]
    }
}
