//! Servers needed: the smallest fleet with no rejection and an overload
//! rate at most the limit, found by search over fleet size.
//!
//! Overload rates of randomised policies are not strictly monotone in fleet
//! size, so the binary search's answer is confirmed: the next `confirm`
//! sizes up must meet the limit too, else the search moves up past the
//! failure. Confirmation stays within the cap: no size above it is run, so
//! an answer near the cap is confirmed only up to the cap (its `reason`
//! says so). A policy that meets the limit at no size up to the cap is
//! reported as such, with the reason: the cap set by the caller was
//! reached, or, at the default cap (room for every VM twice over), more
//! servers do not help.
//!
//! The answer equals a scan over every size (the smallest size whose
//! confirmation window meets the limit) when the sizes that fail above the
//! smallest size that meets it lie within `confirm` of it. A failing size
//! further up that a probe of the doubling or of the binary search lands on
//! can hide a smaller window below it: the answer is then larger than the
//! scan's (conservative, never a size that fails), for O(log n) runs
//! instead of n.
//!
//! A run that is certain to fail (a rejection, or more overloaded
//! server-steps than the limit allows however the rest of the run goes) is
//! stopped there ([`crate::early_stop`] gives the bound and why it is
//! exact). The search probes the same sizes in the same order as with every
//! run complete, and each probe passes or fails the same, so the answer,
//! its metrics and the number of runs do not change: only failing runs get
//! cheaper. Their partial figures are never reported; the run at the cap,
//! whose figures explain a missing answer, is always run in full.

use crate::early_stop::AliveCounts;
use crate::engine::{simulate, SimConfig};
use crate::fleet::FleetSpec;
use crate::metrics::RunMetrics;
use crate::policy::Decider;
use crate::SimError;
use hearth_trace::Workload;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

#[derive(Clone, Debug, Serialize)]
pub struct SizingOptions {
    /// Highest acceptable overload rate (server-steps), e.g. 0.01.
    pub overload_limit: f64,
    /// Sizes above the answer that must meet the limit too.
    pub confirm: usize,
    /// Largest fleet tried, confirmation included; default twice the peak
    /// number of VMs alive.
    pub max_servers: Option<usize>,
    /// Stop a run once it is certain to fail (default). The answer, its
    /// metrics and the runs are the same without; off only to measure or
    /// check that.
    pub early_stop: bool,
}

impl Default for SizingOptions {
    fn default() -> Self {
        SizingOptions {
            overload_limit: 0.01,
            confirm: 2,
            max_servers: None,
            early_stop: true,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Sizing {
    /// `None` when no fleet size up to the cap meets the limit.
    pub servers_needed: Option<usize>,
    /// Why there is no answer, when there is none; with an answer, set
    /// only when the cap cut its confirmation short.
    pub reason: Option<String>,
    /// The fleet size the search stopped at: the cap set by the caller, or
    /// the default (twice the peak number of VMs alive, at least 8).
    pub cap: usize,
    /// The run at the answer, or at the cap when there is none.
    pub metrics: RunMetrics,
    /// Simulations run by the search.
    pub runs: usize,
    /// Of those, runs stopped early, certain to fail the limit.
    pub stopped_early: usize,
    /// Wall time of the search.
    pub seconds: f64,
    /// Every fleet size the search ran, smallest first: the overload rate
    /// against fleet size (for plots and checks of monotonicity).
    pub probes: Vec<Probe>,
}

/// One fleet size the search ran.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    pub servers: usize,
    /// Overloaded over active server-steps; when `stopped_early`, only of
    /// the steps run (the run was certain to fail, no measured rate).
    pub overload_rate: f64,
    pub rejections: u64,
    pub stopped_early: bool,
    /// Whether the run met the limit with no rejection.
    pub meets_limit: bool,
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
    let started = Instant::now();
    let mut sizing = Search::new(workload, spec, config, opts, decider).run_search()?;
    sizing.seconds = started.elapsed().as_secs_f64();
    Ok(sizing)
}

struct Search<'a> {
    workload: &'a Workload,
    spec: &'a FleetSpec,
    config: &'a SimConfig,
    opts: &'a SizingOptions,
    decider: &'a mut dyn FnMut() -> Decider,
    runs: BTreeMap<usize, RunMetrics>,
    /// Present when failing runs may stop early.
    alive: Option<AliveCounts>,
    cap: usize,
}

impl<'a> Search<'a> {
    fn new(
        workload: &'a Workload,
        spec: &'a FleetSpec,
        config: &'a SimConfig,
        opts: &'a SizingOptions,
        decider: &'a mut dyn FnMut() -> Decider,
    ) -> Search<'a> {
        let cap = opts
            .max_servers
            .unwrap_or_else(|| (2 * workload.peak_alive().0).max(8))
            .max(1);
        Search {
            workload,
            spec,
            config,
            opts,
            decider,
            runs: BTreeMap::new(),
            alive: opts.early_stop.then(|| AliveCounts::of(workload)),
            cap,
        }
    }

    fn meets(&mut self, n: usize) -> Result<bool, SimError> {
        if !self.runs.contains_key(&n) {
            let fleet = self.spec.build(n);
            // The cap's run explains a missing answer: it is never cut short.
            let stop = match &self.alive {
                Some(alive) if n != self.cap => Some(alive.rule(n, self.opts.overload_limit)),
                _ => None,
            };
            let mut decider = (self.decider)();
            let m = simulate(
                self.workload,
                &fleet,
                self.config,
                &mut decider,
                &mut |_| {},
                stop.as_ref(),
            )?;
            self.runs.insert(n, m);
        }
        let m = &self.runs[&n];
        Ok(m.rejections == 0 && m.overload_rate <= self.opts.overload_limit)
    }

    fn run_search(&mut self) -> Result<Sizing, SimError> {
        let cap = self.cap;
        let Some((mut lo, mut hi)) = self.first_meeting(cap)? else {
            return Ok(self.unattainable(cap));
        };
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.meets(mid)? {
                hi = mid
            } else {
                lo = mid
            }
        }
        match self.confirmed_from(hi, cap)? {
            Some(n) => Ok(self.answer(n, cap)),
            None => Ok(self.unattainable(cap)),
        }
    }

    /// Doubles from 1 until a size meets the limit: that size and the
    /// last size that failed (0 when 1 meets). The last failure, not half
    /// the size found: when the cap clips the doubling, half of it was
    /// never run.
    fn first_meeting(&mut self, cap: usize) -> Result<Option<(usize, usize)>, SimError> {
        let (mut failed, mut n) = (0, 1);
        loop {
            if self.meets(n)? {
                return Ok(Some((failed, n)));
            }
            if n >= cap {
                return Ok(None);
            }
            failed = n;
            n = (n * 2).min(cap);
        }
    }

    /// The smallest size from `n` up that meets the limit with its next
    /// `confirm` sizes, those above the cap excepted.
    fn confirmed_from(&mut self, mut n: usize, cap: usize) -> Result<Option<usize>, SimError> {
        while n <= cap {
            match self.first_failure(n..=(n + self.opts.confirm).min(cap))? {
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

    fn answer(&mut self, n: usize, cap: usize) -> Sizing {
        let reason = (n + self.opts.confirm > cap).then(|| {
            format!(
                "confirmed only up to the cap of {cap} servers: sizes above it were not run ({})",
                self.cap_origin()
            )
        });
        Sizing {
            servers_needed: Some(n),
            reason,
            cap,
            metrics: self.runs[&n].clone(),
            runs: self.runs.len(),
            stopped_early: self.stopped_early(),
            seconds: 0.0,
            probes: self.probes(),
        }
    }

    fn probes(&self) -> Vec<Probe> {
        let limit = self.opts.overload_limit;
        (self.runs.iter())
            .map(|(&servers, m)| Probe {
                servers,
                overload_rate: m.overload_rate,
                rejections: m.rejections,
                stopped_early: m.stopped_early_at.is_some(),
                meets_limit: m.rejections == 0 && m.overload_rate <= limit,
            })
            .collect()
    }

    fn stopped_early(&self) -> usize {
        self.runs.values().filter(|m| m.stopped_early_at.is_some()).count()
    }

    fn cap_origin(&self) -> &'static str {
        match self.opts.max_servers {
            Some(_) => "the cap set by max_servers",
            None => "the default cap, twice the peak number of VMs alive",
        }
    }

    /// No answer: the cap itself was run and failed (the search never
    /// leaves the cap's failure unexplained by a run that met the limit).
    fn unattainable(&mut self, cap: usize) -> Sizing {
        let m = &self.runs[&cap];
        let failure = if m.rejections > 0 {
            format!("{} VMs still rejected at {cap} servers", m.rejections)
        } else {
            format!(
                "overload rate {:.2}% at {cap} servers is above the {:.2}% limit",
                m.overload_rate * 100.0,
                self.opts.overload_limit * 100.0
            )
        };
        let reason = match self.opts.max_servers {
            Some(_) => format!(
                "the cap of {cap} servers set by max_servers was reached: {failure}; a larger cap may meet the limit"
            ),
            None => format!(
                "{failure}, the default cap (twice the peak number of VMs alive): \
                 more servers do not help this policy"
            ),
        };
        Sizing {
            servers_needed: None,
            reason: Some(reason),
            cap,
            metrics: m.clone(),
            runs: self.runs.len(),
            stopped_early: self.stopped_early(),
            seconds: 0.0,
            probes: self.probes(),
        }
    }
}
