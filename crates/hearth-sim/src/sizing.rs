//! Servers needed: the smallest fleet with no rejection and an overload
//! rate at most the limit, found by search over fleet size.
//!
//! Overload rates of randomised policies are not strictly monotone in fleet
//! size, so the binary search's answer is confirmed: the next `confirm`
//! sizes up must meet the limit too, else the search moves up past the
//! failure. A policy that meets the limit at no size up to the cap is
//! reported as such, with the reason.

use crate::engine::{run, SimConfig};
use crate::fleet::FleetSpec;
use crate::metrics::RunMetrics;
use crate::policy::Decider;
use crate::SimError;
use hearth_trace::Workload;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct SizingOptions {
    /// Highest acceptable overload rate (server-steps), e.g. 0.01.
    pub overload_limit: f64,
    /// Sizes above the answer that must meet the limit too.
    pub confirm: usize,
    /// Largest fleet tried; default twice the peak number of VMs alive.
    pub max_servers: Option<usize>,
}

impl Default for SizingOptions {
    fn default() -> Self {
        SizingOptions {
            overload_limit: 0.01,
            confirm: 2,
            max_servers: None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Sizing {
    /// `None` when no fleet size up to the cap meets the limit.
    pub servers_needed: Option<usize>,
    /// Why there is no answer, when there is none.
    pub reason: Option<String>,
    /// The run at the answer, or at the cap when there is none.
    pub metrics: RunMetrics,
    /// Simulations run by the search.
    pub runs: usize,
}

/// Searches for the servers a policy needs. `decider` gives the policy for
/// each run; every run uses the same workload and `config` (seed included).
pub fn servers_needed(
    workload: &Workload,
    spec: &FleetSpec,
    config: &SimConfig,
    opts: &SizingOptions,
    decider: &mut dyn FnMut() -> Decider,
) -> Result<Sizing, SimError> {
    let mut search = Search {
        workload,
        spec,
        config,
        opts,
        decider,
        runs: BTreeMap::new(),
    };
    search.run_search()
}

struct Search<'a> {
    workload: &'a Workload,
    spec: &'a FleetSpec,
    config: &'a SimConfig,
    opts: &'a SizingOptions,
    decider: &'a mut dyn FnMut() -> Decider,
    runs: BTreeMap<usize, RunMetrics>,
}

impl Search<'_> {
    fn meets(&mut self, n: usize) -> Result<bool, SimError> {
        if !self.runs.contains_key(&n) {
            let fleet = self.spec.build(n);
            let m = run(self.workload, &fleet, self.config, &mut (self.decider)())?;
            self.runs.insert(n, m);
        }
        let m = &self.runs[&n];
        Ok(m.rejections == 0 && m.overload_rate <= self.opts.overload_limit)
    }

    fn run_search(&mut self) -> Result<Sizing, SimError> {
        let cap = self
            .opts
            .max_servers
            .unwrap_or_else(|| (2 * self.workload.peak_alive().0).max(8));
        let Some(mut hi) = self.first_meeting(cap)? else {
            return Ok(self.unattainable(cap));
        };
        let mut lo = hi / 2; // fails, or is 0
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.meets(mid)? {
                hi = mid
            } else {
                lo = mid
            }
        }
        match self.confirmed_from(hi, cap)? {
            Some(n) => Ok(self.answer(n)),
            None => Ok(self.unattainable(cap)),
        }
    }

    /// Doubles from 1 until a size meets the limit.
    fn first_meeting(&mut self, cap: usize) -> Result<Option<usize>, SimError> {
        let mut n = 1;
        loop {
            if self.meets(n)? {
                return Ok(Some(n));
            }
            if n >= cap {
                return Ok(None);
            }
            n = (n * 2).min(cap);
        }
    }

    /// The smallest size from `n` up that meets the limit with its next
    /// `confirm` sizes.
    fn confirmed_from(&mut self, mut n: usize, cap: usize) -> Result<Option<usize>, SimError> {
        while n <= cap {
            match self.first_failure(n..=n + self.opts.confirm)? {
                Some(k) => n = k + 1,
                None => return Ok(Some(n)),
            }
        }
        Ok(None)
    }

    fn first_failure(&mut self, sizes: std::ops::RangeInclusive<usize>) -> Result<Option<usize>, SimError> {
        for k in sizes {
            if !self.meets(k)? {
                return Ok(Some(k));
            }
        }
        Ok(None)
    }

    fn answer(&mut self, n: usize) -> Sizing {
        Sizing {
            servers_needed: Some(n),
            reason: None,
            metrics: self.runs[&n].clone(),
            runs: self.runs.len(),
        }
    }

    fn unattainable(&mut self, cap: usize) -> Sizing {
        let (&n, m) = self.runs.range(..=cap).next_back().expect("the cap was run");
        let reason = if m.rejections > 0 {
            format!(
                "{} VMs still rejected with {n} servers (the largest fleet tried)",
                m.rejections
            )
        } else {
            format!(
                "overload rate {:.2}% at {n} servers (the largest fleet tried) is above the {:.2}% limit: \
                 more servers do not help this policy",
                m.overload_rate * 100.0,
                self.opts.overload_limit * 100.0
            )
        };
        Sizing {
            servers_needed: None,
            reason: Some(reason),
            metrics: m.clone(),
            runs: self.runs.len(),
        }
    }
}
