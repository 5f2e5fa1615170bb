//! The live fleet's clock: steps closed as the engine closes them (load
//! measured, history recorded) when events move time on.

use super::LiveFleet;
use crate::engine::record_history;
use hearth_trace::{Step, Vm};

impl LiveFleet {
    /// Makes `t` the step events happen at, closing the pending step and
    /// every step before `t` (a step without reports measures nothing): how
    /// a driver that feeds no usage reports, such as a region of fleets run
    /// in lockstep, moves time on. A `t` not after now changes nothing but
    /// closing the pending step.
    pub fn step_to(&mut self, t: Step) {
        self.close_pending();
        self.grow_past(t);
        while self.now < t {
            self.close(self.now);
            self.now = Step(self.now.0 + 1);
        }
    }

    /// Makes `t` the pending step, closing the steps before it.
    pub(super) fn advance_to(&mut self, t: Step) {
        if self.pending == Some(t) {
            return;
        }
        self.close_pending();
        // Before the steps are closed: a report may jump past the timelines' end.
        self.grow_past(t);
        while self.now < t {
            self.close(self.now);
            self.now = Step(self.now.0 + 1);
        }
        self.pending = Some(t);
    }

    pub(super) fn close_pending(&mut self) {
        if let Some(t) = self.pending.take() {
            self.close(t);
            self.now = Step(t.0 + 1);
            self.grow_past(self.now);
        }
    }

    /// Keeps the timelines longer than step `t` (doubling, so growth is rare).
    fn grow_past(&mut self, t: Step) {
        if t.index() + 1 >= self.servers.horizon {
            self.servers.grow_horizon((t.index() + 2).max(self.servers.horizon * 2));
        }
    }

    /// Ends step `t` as the engine does: every server's load becomes its
    /// measurement, every running VM's usage goes to the history store.
    fn close(&mut self, t: Step) {
        self.servers.already_running.clear();
        for j in 0..self.servers.used.len() {
            let s = self.servers.used[j] as usize;
            self.servers.measure(s, t);
            for &id in &self.servers.residents[s] {
                pad_usage(&mut self.vms[id.0 as usize], t);
            }
        }
        if let Some(h) = &mut self.history {
            record_history(h, &self.servers, &self.vms, t);
        }
    }
}

/// Zero usage for the steps up to `t` a VM has no report for.
pub(super) fn pad_usage(vm: &mut Vm, t: Step) {
    if t < vm.arrival {
        return;
    }
    let len = (t.0 - vm.arrival.0) as usize + 1;
    if vm.usage.cpu.len() < len {
        vm.usage.cpu.resize(len, 0.0);
        vm.usage.memory.resize(len, 0.0);
    }
}
