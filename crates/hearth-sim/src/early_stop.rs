//! Early stop for the sizing search: a run may end as soon as it is certain
//! to fail the test the search applies (no rejection, overload rate at most
//! the limit), because the search reads nothing else from a failing run.
//!
//! Certain failure, checked at the end of each step:
//! - a VM was rejected: rejections only grow;
//! - the overloaded server-steps so far exceed the limit times the most
//!   active server-steps the whole run could have: those so far plus, for
//!   every later step, the smaller of the fleet size and the VMs of the
//!   workload alive then (an active server holds at least one VM). The final
//!   rate is overloaded ÷ active, with overloaded no smaller and active no
//!   larger than in this bound, and a correctly rounded division is monotone
//!   in both operands, so the final `overload_rate <= limit` is false too.
//!
//! A stopped run's figures cover only the steps before the stop: they are
//! marked ([`crate::RunMetrics::stopped_early_at`]) and never reported as a
//! measured overload rate.

use hearth_trace::{Step, Workload};

/// The VMs of a workload alive at each step: what bounds the active servers.
/// Independent of the fleet, so one serves every run of a search.
#[derive(Clone, Debug)]
pub(crate) struct AliveCounts {
    alive: Vec<u32>,
}

impl AliveCounts {
    /// One pass over the VMs and one over the steps.
    pub fn of(w: &Workload) -> AliveCounts {
        let horizon = w.end().index();
        let mut delta = vec![0i64; horizon + 1];
        for vm in &w.vms {
            delta[vm.arrival.index()] += 1;
            delta[vm.departure.index()] -= 1;
        }
        let mut alive = Vec::with_capacity(horizon);
        let mut running = 0i64;
        for d in &delta[..horizon] {
            running += d;
            alive.push(running as u32);
        }
        AliveCounts { alive }
    }

    /// The stop rule for a fleet of `servers` at this overload `limit`.
    pub fn rule(&self, servers: usize, limit: f64) -> EarlyStop {
        // later[t]: most active server-steps over the steps after t.
        let mut later = vec![0u64; self.alive.len()];
        let mut sum = 0u64;
        for t in (0..self.alive.len()).rev() {
            later[t] = sum;
            sum += u64::from(self.alive[t]).min(servers as u64);
        }
        EarlyStop { limit, later }
    }
}

/// When a run of one fleet size is certain to fail the sizing test.
#[derive(Clone, Debug)]
pub(crate) struct EarlyStop {
    limit: f64,
    later: Vec<u64>,
}

impl EarlyStop {
    /// Whether the run is certain to fail after step `now`, given its
    /// rejections and its overloaded and active server-steps so far.
    pub fn certain_failure(&self, now: Step, rejections: u64, overloaded: u64, active: u64) -> bool {
        if rejections > 0 {
            return true;
        }
        let most_active = active + self.later.get(now.index()).copied().unwrap_or(0);
        most_active > 0 && overloaded as f64 / most_active as f64 > self.limit
    }
}
