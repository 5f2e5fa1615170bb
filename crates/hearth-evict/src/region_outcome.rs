//! What a region run measures ([`Outcome`]), and the tally that fills it as
//! spot and on-demand VMs arrive, leave and are evicted (see
//! [`crate::region`] for the run and what each measure counts).

use crate::dataset::HORIZONS;
use crate::error::{EvictError, Result};
use crate::node_risk::NodeRule;
use crate::router::Router;
use crate::scenario::ClusterPlan;
use crate::snapshot::NodeHours;
use hearth_sim::{Arrival, Decider, LiveFleet};
use hearth_trace::{Priority, Step, Vm, VmId};
use serde::Serialize;

/// What one (router, node rule) run measured over the observed hours.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub router: Router,
    pub node_rule: NodeRule,
    /// Offered in the observed hours (the same for every router).
    pub spot_vms_offered: u64,
    pub on_demand_vms_offered: u64,
    pub spot_vms_placed: u64,
    pub spot_vms_rejected: u64,
    /// Spot VMs arriving in the observed hours, placed, then evicted.
    pub spot_vms_evicted: u64,
    /// Evictions in the observed hours (of any spot VM).
    pub evictions: u64,
    /// Hours spot VMs ran within the observed hours.
    pub spot_vm_hours: f64,
    pub evictions_per_1000_spot_vm_hours: f64,
    /// spot_vms_evicted / spot_vms_placed.
    pub share_spot_evicted: f64,
    pub on_demand_rejected: u64,
    /// On-demand arrivals that evicted spot VMs (observed hours).
    pub eviction_events: u64,
    /// Spot VMs placed in each cluster (observed hours).
    pub spot_vms_per_cluster: Vec<u64>,
    pub on_demand_rejected_per_cluster: Vec<u64>,
    /// Hours at whose end the model forecast (eviction-aware only).
    pub forecast_hours: usize,
    /// Cluster-hours (observed) whose forecast risk lay above the lowest 5% band.
    pub risky_cluster_hours: usize,
    /// Spot VMs (observed) whose first-ranked cluster differs from least-utilised's.
    pub first_choice_not_least_utilised: u64,
    pub seconds: f64,
}

/// The run's state besides the fleets.
pub(crate) struct Tally {
    /// Where each regional VM runs now: (cluster, live id).
    running: Vec<Option<(usize, VmId)>>,
    /// Per cluster, the regional VM under each live id.
    pub(crate) owner: Vec<Vec<usize>>,
    allocated: Vec<f64>,
    cores: Vec<f64>,
    /// Sum and count of lifetimes (steps) of spot VMs that left on their own.
    life_sum: f64,
    life_count: u64,
    /// Observed steps: `[warmup, end)`.
    pub(crate) warmup: u32,
    end: u32,
    /// Steps spot VMs ran within the observed steps.
    spot_steps: f64,
    pub(crate) out: Outcome,
}

const NONE: usize = usize::MAX;

impl Outcome {
    pub(crate) fn new(router: Router, node_rule: NodeRule, clusters: usize) -> Outcome {
        Outcome {
            router,
            node_rule,
            spot_vms_offered: 0,
            on_demand_vms_offered: 0,
            spot_vms_placed: 0,
            spot_vms_rejected: 0,
            spot_vms_evicted: 0,
            evictions: 0,
            spot_vm_hours: 0.0,
            evictions_per_1000_spot_vm_hours: 0.0,
            share_spot_evicted: 0.0,
            on_demand_rejected: 0,
            eviction_events: 0,
            spot_vms_per_cluster: vec![0; clusters],
            on_demand_rejected_per_cluster: vec![0; clusters],
            forecast_hours: 0,
            risky_cluster_hours: 0,
            first_choice_not_least_utilised: 0,
            seconds: 0.0,
        }
    }
}

/// Steps of `[from, to)` within `[warmup, end)`.
fn observed_steps(from: u32, to: u32, warmup: u32, end: u32) -> u32 {
    to.min(end).saturating_sub(from.max(warmup))
}

impl Tally {
    pub(crate) fn new(plans: &[ClusterPlan], vms: usize, warmup: u32, end: u32, out: Outcome) -> Tally {
        let n = plans.len();
        Tally {
            running: vec![None; vms],
            owner: vec![Vec::new(); n],
            allocated: vec![0.0; n],
            cores: plans.iter().map(|p| p.cores.max(f64::MIN_POSITIVE)).collect(),
            life_sum: 0.0,
            life_count: 0,
            warmup,
            end,
            spot_steps: 0.0,
            out,
        }
    }

    pub(crate) fn shares(&self) -> Vec<f64> {
        self.allocated.iter().zip(&self.cores).map(|(a, c)| a / c).collect()
    }

    /// Expected life of an arriving spot VM, whole hours (see the module docs).
    pub(crate) fn expected_life_h(&self, steps_per_hour: u32) -> usize {
        if self.life_count == 0 {
            return HORIZONS;
        }
        let hours = self.life_sum / self.life_count as f64 / steps_per_hour as f64;
        (hours.ceil() as usize).clamp(1, HORIZONS)
    }

    /// VM `g` leaves on its own, if it still runs.
    pub(crate) fn depart(&mut self, fleets: &mut [LiveFleet], g: usize, v: &Vm) -> Result<()> {
        let Some((c, id)) = self.running[g].take() else {
            return Ok(());
        };
        fleets[c]
            .depart(id)
            .map_err(|e| EvictError::Config(format!("cluster {c}: {e}")))?;
        self.owner[c][id.0 as usize] = NONE;
        self.allocated[c] -= v.request.cpu.0 as f64;
        if v.priority == Priority::Spot {
            self.life_sum += v.lifetime() as f64;
            self.life_count += 1;
            self.spot_steps += observed_steps(v.arrival.0, v.departure.0, self.warmup, self.end) as f64;
        }
        Ok(())
    }

    /// Places VM `g` in the first cluster of `order` that admits it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn arrive<'w>(
        &mut self,
        fleets: &mut [LiveFleet],
        deciders: &mut [Decider],
        recorders: &mut [NodeHours],
        order: &[usize],
        g: usize,
        v: &Vm,
        vm: &dyn Fn(usize) -> &'w Vm,
    ) -> Result<()> {
        let spot = v.priority == Priority::Spot;
        let arrival = Arrival {
            request: v.request,
            priority: v.priority,
            tenant: v.tenant,
            vm_type: v.vm_type,
            usage: None,
        };
        let mut placed = None;
        for &c in order {
            if spot && fleets[c].admitting(v.request) == 0 {
                continue;
            }
            let p = fleets[c]
                .arrive(arrival, &mut deciders[c])
                .map_err(|e| EvictError::Config(format!("cluster {c}: {e}")))?;
            self.out.eviction_events += u64::from(!p.evicted.is_empty() && v.arrival.0 >= self.warmup);
            for e in &p.evicted {
                let victim = std::mem::replace(&mut self.owner[c][e.vm.0 as usize], NONE);
                self.evicted(c, victim, vm(victim), e.step);
                recorders[c].evicted(e.step, e.server, victim, e.cores);
            }
            if p.server.is_some() {
                let owner = &mut self.owner[c];
                if owner.len() <= p.vm.0 as usize {
                    owner.resize(p.vm.0 as usize + 1, NONE);
                }
                owner[p.vm.0 as usize] = g;
                self.running[g] = Some((c, p.vm));
                self.allocated[c] += v.request.cpu.0 as f64;
                placed = Some(c);
                break;
            }
        }
        if v.arrival.0 >= self.warmup {
            // An on-demand VM's order is its home alone.
            self.count_arrival(v, order[0], placed);
        }
        Ok(())
    }

    fn count_arrival(&mut self, v: &Vm, home: usize, placed: Option<usize>) {
        let o = &mut self.out;
        match (v.priority, placed) {
            (Priority::OnDemand, p) => {
                o.on_demand_vms_offered += 1;
                o.on_demand_rejected += u64::from(p.is_none());
                o.on_demand_rejected_per_cluster[home] += u64::from(p.is_none());
            }
            (Priority::Spot, Some(c)) => {
                o.spot_vms_offered += 1;
                o.spot_vms_placed += 1;
                o.spot_vms_per_cluster[c] += 1;
            }
            (Priority::Spot, None) => {
                o.spot_vms_offered += 1;
                o.spot_vms_rejected += 1;
            }
        }
    }

    /// Spot VM `g` (`v`) was evicted from cluster `c` at `step`.
    fn evicted(&mut self, c: usize, g: usize, v: &Vm, step: Step) {
        self.running[g] = None;
        self.allocated[c] -= v.request.cpu.0 as f64;
        self.out.evictions += u64::from(step.0 >= self.warmup);
        self.out.spot_vms_evicted += u64::from(v.arrival.0 >= self.warmup);
        self.spot_steps += observed_steps(v.arrival.0, step.0, self.warmup, self.end) as f64;
    }

    /// Counts the spot VMs still running at the end and derives the rates.
    pub(crate) fn finish<'w>(&mut self, vm: &dyn Fn(usize) -> &'w Vm, steps_per_hour: u32) {
        for (g, r) in self.running.iter().enumerate() {
            let v = vm(g);
            if r.is_some() && v.priority == Priority::Spot {
                self.spot_steps += observed_steps(v.arrival.0, self.end, self.warmup, self.end) as f64;
            }
        }
        let o = &mut self.out;
        o.spot_vm_hours = self.spot_steps / steps_per_hour as f64;
        o.evictions_per_1000_spot_vm_hours = if o.spot_vm_hours > 0.0 {
            1000.0 * o.evictions as f64 / o.spot_vm_hours
        } else {
            0.0
        };
        o.share_spot_evicted = if o.spot_vms_placed > 0 {
            o.spot_vms_evicted as f64 / o.spot_vms_placed as f64
        } else {
            0.0
        };
    }
}
