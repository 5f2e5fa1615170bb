//! The time-stepped engine. Each step: departures, then arrivals in order
//! (each placed by the policy among the servers that admit it, evicting spot
//! VMs for an on-demand VM admitted nowhere), then usage is accounted.

use crate::admission::Admission;
use crate::early_stop::EarlyStop;
use crate::fleet::{Fleet, ServerId};
use crate::hindsight::Hindsight;
use crate::history::{History, Keys};
use crate::metrics::{Accumulator, RunMetrics};
use crate::policy::{Decider, SimRng};
use crate::spot;
use crate::state::Servers;
use crate::view::{FleetView, VmView};
use crate::SimError;
use hearth_trace::{Priority, Resources, Step, Vm, VmId, Workload};
use rand::SeedableRng;
use serde::Serialize;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SimConfig {
    pub admission: Admission,
    /// A server-step is overloaded when CPU load exceeds capacity × this.
    pub overload_threshold: f32,
    pub seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            admission: Admission::Usage,
            overload_threshold: 1.0,
            seed: 0,
        }
    }
}

/// Simulates the workload on the fleet under one policy. Deterministic: the
/// same workload, fleet, config and policy give bit-identical metrics
/// (timings aside).
pub fn run(
    workload: &Workload,
    fleet: &Fleet,
    config: &SimConfig,
    decider: &mut Decider,
) -> Result<RunMetrics, SimError> {
    run_observed(workload, fleet, config, decider, &mut |_| {})
}

/// As [`run`], calling `observer` at the end of every step with the fleet
/// as it stands then (`now()` is the step just accounted): for snapshots
/// such as the hourly node records of spot-eviction prediction.
pub fn run_observed(
    workload: &Workload,
    fleet: &Fleet,
    config: &SimConfig,
    decider: &mut Decider,
    observer: &mut dyn FnMut(&FleetView),
) -> Result<RunMetrics, SimError> {
    simulate(workload, fleet, config, decider, observer, None)
}

/// As [`run_observed`], ending the run after the first step at which `stop`
/// finds it certain to fail the sizing test (then `stopped_early_at` is set).
pub(crate) fn simulate(
    workload: &Workload,
    fleet: &Fleet,
    config: &SimConfig,
    decider: &mut Decider,
    observer: &mut dyn FnMut(&FleetView),
    stop: Option<&EarlyStop>,
) -> Result<RunMetrics, SimError> {
    let started = Instant::now();
    decider.reset();
    let mut sim = Engine::new(workload, fleet, config);
    sim.history = decider.uses_history().then(History::default);
    let mut metrics = RunMetrics {
        policy: decider.name(),
        servers: fleet.capacities.len(),
        assignment: vec![None; workload.vms.len()],
        ..Default::default()
    };
    let mut acc = Accumulator::default();
    let mut next = 0;
    for t in 0..sim.servers.horizon as u32 {
        let now = Step(t);
        sim.depart(now);
        while next < workload.vms.len() && workload.vms[next].arrival == now {
            let vm = &workload.vms[next];
            sim.arrive(vm, decider, &mut metrics)?;
            // Counted after its own decision: a VM's history holds earlier VMs only.
            if let Some(h) = &mut sim.history {
                h.arrived(keys(vm));
            }
            next += 1;
        }
        let total = sim.close_step(now, &mut acc);
        metrics.step_load.push(total);
        observer(&FleetView {
            servers: &sim.servers,
            now,
            vms: &workload.vms,
            history: sim.history.as_ref(),
        });
        if stop.is_some_and(|s| {
            s.certain_failure(
                now,
                metrics.rejections,
                acc.overloaded_server_steps,
                acc.active_server_steps,
            )
        }) {
            metrics.stopped_early_at = Some(now);
            break;
        }
    }
    acc.finish(&mut metrics);
    metrics.servers_used = sim.servers.last_placement.iter().filter(|p| p.is_some()).count();
    metrics.placement_seconds = sim.placement_seconds;
    let decisions = metrics.placed + metrics.rejections;
    metrics.decisions_per_second = if sim.placement_seconds > 0.0 {
        decisions as f64 / sim.placement_seconds
    } else {
        0.0
    };
    metrics.wall_seconds = started.elapsed().as_secs_f64();
    Ok(metrics)
}

pub(crate) struct Engine<'w> {
    pub workload: &'w Workload,
    pub servers: Servers,
    pub config: SimConfig,
    rng: SimRng,
    /// Where each VM runs, while it runs.
    pub host: Vec<Option<ServerId>>,
    departures: Vec<Vec<VmId>>,
    placement_seconds: f64,
    /// Kept only for policies that read it.
    history: Option<History>,
}

impl<'w> Engine<'w> {
    fn new(workload: &'w Workload, fleet: &Fleet, config: &SimConfig) -> Engine<'w> {
        let horizon = workload.end().index();
        let mut servers = Servers::new(fleet, horizon, config.admission, workload.observed_from);
        servers.step_seconds = workload.step_seconds;
        Engine {
            workload,
            servers,
            config: *config,
            rng: SimRng::seed_from_u64(config.seed),
            host: vec![None; workload.vms.len()],
            departures: vec![Vec::new(); horizon + 1],
            placement_seconds: 0.0,
            history: None,
        }
    }

    fn depart(&mut self, now: Step) {
        for id in std::mem::take(&mut self.departures[now.index()]) {
            if let Some(s) = self.host[id.0 as usize].take() {
                let vm = &self.workload.vms[id.0 as usize];
                self.servers.remove(s, vm, now);
                if let Some(h) = &mut self.history {
                    h.departed(keys(vm), vm.arrival, now);
                }
            }
        }
    }

    fn arrive(&mut self, vm: &Vm, decider: &mut Decider, metrics: &mut RunMetrics) -> Result<(), SimError> {
        let view = VmView::of(vm);
        if !vm.request.fits_within(&self.servers.largest_limit) {
            metrics.rejections += 1;
            metrics.rejected_spot += u64::from(vm.priority == Priority::Spot);
            return Ok(());
        }
        let clock = Instant::now();
        let choice = self.decide(vm, &view, decider);
        self.placement_seconds += clock.elapsed().as_secs_f64();
        let policy = || decider.name();
        let chosen = settle(
            choice,
            &policy,
            &mut self.servers,
            &self.workload.vms,
            &mut self.host,
            vm,
            metrics,
        )?;
        match chosen {
            Some(s) => {
                self.servers.place(s, vm, vm.arrival);
                self.host[vm.id.0 as usize] = Some(s);
                self.departures[vm.departure.index()].push(vm.id);
                metrics.assignment[vm.id.0 as usize] = Some(s);
                metrics.placed += 1;
            }
            None => {
                metrics.rejections += 1;
                metrics.rejected_spot += u64::from(vm.priority == Priority::Spot);
            }
        }
        Ok(())
    }

    fn decide(&mut self, vm: &Vm, view: &VmView, decider: &mut Decider) -> Option<ServerId> {
        let fleet = FleetView {
            servers: &self.servers,
            now: vm.arrival,
            vms: &self.workload.vms,
            history: self.history.as_ref(),
        };
        match decider {
            Decider::Online(p) => p.place(view, &fleet, &mut self.rng),
            Decider::Hindsight(p) => {
                let future = Hindsight {
                    servers: &self.servers,
                    vm,
                };
                p.place(view, &fleet, &future, &mut self.rng)
            }
        }
    }

    /// Ends step `now` in one pass over the servers that ever held a VM
    /// (the others have no load and nothing to measure): its load becomes
    /// what is observed next, and overloads, utilisation and peak-to-average
    /// are counted. Returns the load summed over all servers.
    fn close_step(&mut self, now: Step, acc: &mut Accumulator) -> Resources {
        let threshold = self.config.overload_threshold;
        let (mut active, mut util_sum, mut util_max) = (0u64, 0.0f64, 0.0f64);
        let mut total = Resources::default();
        for j in 0..self.servers.used.len() {
            let s = self.servers.used[j] as usize;
            let load = self.servers.measure(s, now);
            total += load;
            let vms = self.servers.residents[s].len() as u64;
            if vms == 0 {
                continue;
            }
            let cap = self.servers.capacity[s];
            let overloaded = load.cpu.0 > cap.cpu.0 * threshold || load.memory.0 > cap.memory.0;
            active += 1;
            acc.vm_steps += vms;
            if overloaded {
                acc.overloaded_server_steps += 1;
                acc.overloaded_vm_steps += vms;
            }
            let util = if cap.cpu.0 > 0.0 {
                (load.cpu.0 / cap.cpu.0) as f64
            } else {
                0.0
            };
            util_sum += util;
            util_max = util_max.max(util);
        }
        if let Some(h) = &mut self.history {
            record_history(h, &self.servers, &self.workload.vms, now);
        }
        acc.active_server_steps += active;
        acc.utilisation_sum += util_sum;
        if active > 0 && util_sum > 0.0 {
            acc.par_sum += util_max / (util_sum / active as f64);
            acc.par_steps += 1;
        }
        total
    }
}

/// Checks a policy's `choice` for `vm`, or, when the policy found no server
/// for an on-demand VM, evicts spot VMs to make room: the server to place the
/// VM on, or `None` (rejected). Shared by the engine and the live fleet.
pub(crate) fn settle(
    choice: Option<ServerId>,
    policy: &dyn Fn() -> String,
    servers: &mut Servers,
    vms: &[Vm],
    host: &mut [Option<ServerId>],
    vm: &Vm,
    metrics: &mut RunMetrics,
) -> Result<Option<ServerId>, SimError> {
    match choice {
        Some(s) if s.index() < servers.len() && servers.admits(s.index(), vm.request) => Ok(Some(s)),
        Some(s) => Err(SimError::InadmissibleChoice {
            policy: policy(),
            server: s.0,
            vm: vm.id.0,
        }),
        None if vm.priority == Priority::OnDemand => Ok(spot::make_room(servers, vms, host, vm, metrics)),
        None => Ok(None),
    }
}

/// Adds every running VM's usage at `now` (measured at the step's end) to
/// the history store. Only servers that ever held a VM can have residents;
/// the walk is in server id order. The engine and the live fleet both end a
/// step with it, so the store sees the same sequence in each.
pub(crate) fn record_history(h: &mut History, servers: &Servers, vms: &[Vm], now: Step) {
    for &s in &servers.used {
        for id in &servers.residents[s as usize] {
            let vm = &vms[id.0 as usize];
            h.measured(keys(vm), vm.usage_at(now));
        }
    }
}

pub(crate) fn keys(vm: &Vm) -> Keys {
    Keys {
        tenant: vm.tenant,
        vm_type: vm.vm_type,
        request: vm.request,
    }
}
