//! A live fleet: the engine's state driven by events as they happen, for a
//! placement service. VMs arrive without a usage series or a departure; their
//! usage comes in reports, step by step, and they leave when told.
//!
//! It runs the engine's code (admission, the policy through [`FleetView`],
//! spot eviction, measurement, the history store), so a service fed a
//! workload's events step by step decides as the simulator does:
//! departures, then arrivals, then the step's usage reports; the step closes
//! (its load becomes the measurement) at the first event of a later step.

use crate::engine::{keys, record_history, settle};
use crate::fleet::{Fleet, ServerId};
use crate::history::History;
use crate::metrics::{Eviction, RunMetrics};
use crate::policy::{Decider, SimRng};
use crate::state::Servers;
use crate::view::{FleetView, VmView};
use crate::{SimConfig, SimError};
use hearth_trace::{Priority, Resources, Step, TenantId, Vm, VmId, VmTypeId};
use rand::SeedableRng;

/// An arriving VM as a control plane describes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    pub request: Resources,
    pub priority: Priority,
    pub tenant: Option<TenantId>,
    pub vm_type: Option<VmTypeId>,
    /// For a VM that was already running when the fleet learned of it (at
    /// the service's first step, say): its measured usage now. Until the
    /// step is measured it counts by this rather than its request, as the
    /// simulator counts VMs that arrived before `observed_from`.
    pub usage: Option<Resources>,
}

/// Where an arrival went: its id, its server (`None`: no server admits it),
/// and the spot VMs evicted to make room for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub vm: VmId,
    pub step: Step,
    pub server: Option<ServerId>,
    pub evicted: Vec<Eviction>,
}

/// One usage report: what a VM, or a server beyond its VMs, used in a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reporter {
    Vm(VmId),
    Server(ServerId),
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("policy {0} needs the future (a hindsight teacher) and cannot run live")]
    NeedsFuture(String),
    #[error("VM {0} is not running")]
    NotRunning(u32),
    #[error("server {0} is not in the fleet of {1} servers")]
    NoServer(u32, usize),
    #[error("step {t} is before the current step {now}")]
    PastStep { t: u32, now: u32 },
    #[error("VM {vm} arrived at step {arrival}, after the report's step {t}")]
    BeforeArrival { vm: u32, arrival: u32, t: u32 },
    #[error("VM {vm} already has a usage report for step {t}")]
    DuplicateReport { vm: u32, t: u32 },
    #[error("reports of a batch must have non-decreasing steps ({t} after {prev})")]
    Unordered { t: u32, prev: u32 },
    #[error(transparent)]
    Sim(#[from] SimError),
}

/// The fleet's state between events; see the module docs.
pub struct LiveFleet {
    servers: Servers,
    /// The latest VM under each id (ids of VMs gone are reused); usage
    /// series grow with reports and are dropped when the VM leaves.
    vms: Vec<Vm>,
    host: Vec<Option<ServerId>>,
    /// Ids of VMs that left or were rejected, for later arrivals: the
    /// VM table holds the most VMs ever running at once, not every VM
    /// ever seen, so a long-running service's memory stays flat.
    free: Vec<VmId>,
    /// VMs that arrived so far: the next one's place in arrival order.
    arrivals: u64,
    history: Option<History>,
    rng: SimRng,
    /// The step arrivals and departures happen at.
    now: Step,
    /// A step with reports in, closed at the first event of a later step.
    pending: Option<Step>,
}

/// Running VMs have no departure yet.
const RUNNING: Step = Step(u32::MAX);

impl LiveFleet {
    /// An empty fleet at step 0. `uses_history` keeps the history store
    /// (as the engine does for policies that read it); `config.seed` seeds
    /// the policy's random choices.
    pub fn new(fleet: &Fleet, config: &SimConfig, uses_history: bool) -> LiveFleet {
        LiveFleet {
            servers: Servers::new(fleet, 64, config.admission, Step(0)),
            vms: Vec::new(),
            host: Vec::new(),
            free: Vec::new(),
            arrivals: 0,
            history: uses_history.then(History::default),
            rng: SimRng::seed_from_u64(config.seed),
            now: Step(0),
            pending: None,
        }
    }

    /// Reseeds the policy's random choices (after a restart from a journal).
    pub fn reseed(&mut self, seed: u64) {
        self.rng = SimRng::seed_from_u64(seed);
    }

    /// The step arrivals and departures happen at now.
    pub fn now(&self) -> Step {
        self.now
    }

    /// The fleet as a policy sees it now.
    pub fn view(&self) -> FleetView<'_> {
        FleetView {
            servers: &self.servers,
            now: self.now,
            vms: &self.vms,
            history: self.history.as_ref(),
        }
    }

    /// Whether VM `id` is running, and where.
    pub fn host(&self, id: VmId) -> Option<ServerId> {
        self.host.get(id.0 as usize).copied().flatten()
    }

    /// Servers that admit a VM requesting `request` now.
    pub fn admitting(&self, request: Resources) -> usize {
        (0..self.servers.len())
            .filter(|&s| self.servers.admits(s, request))
            .count()
    }

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

    /// Checks a batch of usage reports without applying any: every reporter
    /// exists (VMs running), steps are not before the current step and do
    /// not decrease, and no VM reports a step twice. The error comes with
    /// the index of the report at fault.
    pub fn check_reports(&self, reports: &[(Reporter, Step, Resources)]) -> Result<(), (usize, LiveError)> {
        let mut prev = self.pending.unwrap_or(self.now);
        let mut seen = std::collections::HashSet::new();
        for (i, &(who, t, _)) in reports.iter().enumerate() {
            self.check_report(who, t, prev, &mut seen).map_err(|e| (i, e))?;
            prev = t;
        }
        Ok(())
    }

    fn check_report(
        &self,
        who: Reporter,
        t: Step,
        prev: Step,
        seen: &mut std::collections::HashSet<(VmId, Step)>,
    ) -> Result<(), LiveError> {
        {
            if t < prev {
                return Err(if t < self.pending.unwrap_or(self.now) {
                    LiveError::PastStep {
                        t: t.0,
                        now: self.pending.unwrap_or(self.now).0,
                    }
                } else {
                    LiveError::Unordered { t: t.0, prev: prev.0 }
                });
            }
            match who {
                Reporter::Server(s) if s.index() >= self.servers.len() => {
                    return Err(LiveError::NoServer(s.0, self.servers.len()))
                }
                Reporter::Server(_) => {}
                Reporter::Vm(id) => {
                    let vm = self.host(id).map(|_| &self.vms[id.0 as usize]);
                    let vm = vm.ok_or(LiveError::NotRunning(id.0))?;
                    if vm.arrival > t {
                        return Err(LiveError::BeforeArrival {
                            vm: id.0,
                            arrival: vm.arrival.0,
                            t: t.0,
                        });
                    }
                    let reported = vm.arrival.0 as usize + vm.usage.cpu.len();
                    if !seen.insert((id, t)) || reported > t.index() {
                        return Err(LiveError::DuplicateReport { vm: id.0, t: t.0 });
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies a batch [`LiveFleet::check_reports`] accepted. A report for a
    /// later step than the pending one closes the steps before it; a VM
    /// without a report for a step counts as using nothing in it.
    pub fn report(&mut self, reports: &[(Reporter, Step, Resources)]) -> Result<(), (usize, LiveError)> {
        self.check_reports(reports)?;
        for &(who, t, usage) in reports {
            self.advance_to(t);
            let s = match who {
                Reporter::Server(s) => s,
                Reporter::Vm(id) => {
                    let vm = &mut self.vms[id.0 as usize];
                    if t > vm.arrival {
                        pad_usage(vm, Step(t.0 - 1));
                    }
                    vm.usage.cpu.push(usage.cpu.0);
                    vm.usage.memory.push(usage.memory.0);
                    self.host[id.0 as usize].expect("checked running")
                }
            };
            self.servers.add_load(s.index(), t, usage);
        }
        Ok(())
    }

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
    fn advance_to(&mut self, t: Step) {
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

    fn close_pending(&mut self) {
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
fn pad_usage(vm: &mut Vm, t: Step) {
    if t < vm.arrival {
        return;
    }
    let len = (t.0 - vm.arrival.0) as usize + 1;
    if vm.usage.cpu.len() < len {
        vm.usage.cpu.resize(len, 0.0);
        vm.usage.memory.resize(len, 0.0);
    }
}
