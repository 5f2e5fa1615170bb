//! The engine's state of every server. It holds each server's full load
//! timeline, future included (the engine holds the trace, so placing a VM
//! adds its whole usage series at once). Policies never see this type: they
//! get a [`crate::FleetView`] of the past and present only.

use crate::admission::{Admission, AdmissionLoad};
use crate::fleet::{Fleet, ServerId};
use hearth_trace::{Priority, Resources, Step, Vm, VmId};
use std::collections::HashMap;

/// The step length of the public traces hearth reads (PlanetLab,
/// Bitbrains, Azure), assumed where no workload says otherwise.
pub const DEFAULT_STEP_SECONDS: u32 = 300;

pub(crate) struct Servers {
    pub capacity: Vec<Resources>,
    /// Steps in each timeline: one past the workload's last departure.
    pub horizon: usize,
    /// Length of a step in seconds: the workload's, or
    /// [`DEFAULT_STEP_SECONDS`] for a live fleet.
    pub step_seconds: u32,
    /// Server-major load timelines: `cpu[s * horizon + t]`.
    pub cpu: Vec<f32>,
    pub memory: Vec<f32>,
    /// The last measurement: resident VMs' usage at the previous step.
    measured: Vec<Resources>,
    /// Requests of the VMs placed since the last measurement (they are in
    /// no measurement yet); cleared when the step's load is measured.
    unmeasured: Vec<Resources>,
    /// Sum of resident VMs' requests.
    committed: Vec<Resources>,
    /// What the admission test counts on each server and its limit, from
    /// the three above: kept by every method that changes them (they are
    /// private so that only this file can), since every heuristic's scan of
    /// every arrival reads it.
    pub admission_loads: Vec<AdmissionLoad>,
    pub residents: Vec<Vec<VmId>>,
    /// Resident spot VMs per server, so eviction skips servers without any.
    pub spot_residents: Vec<u32>,
    pub last_placement: Vec<Option<Step>>,
    pub admission: Admission,
    /// VMs arriving before this step (the workload's `observed_from`) were
    /// running before observation began: the allocator has measured them,
    /// so they count by their usage, not their request, from the start.
    pub observed_from: Step,
    /// VMs a live fleet was told were already running when they arrived,
    /// with their measured usage: like VMs before `observed_from`, they
    /// count by it until the step's measurement (which clears this).
    pub already_running: HashMap<VmId, Resources>,
    /// A live fleet's arrival order of the VM under each id (it reuses the
    /// ids of VMs gone), so that ties between eviction victims break as in
    /// the simulator, whose ids are in arrival order. Empty in the engine.
    pub arrival_order: Vec<u64>,
    /// The largest admission limit of any server, per resource: a VM
    /// requesting more is admitted nowhere, whatever the fleet's state.
    pub largest_limit: Resources,
    /// Servers that ever held a VM, in id order. The others are in their
    /// initial state: no load, no history.
    pub used: Vec<u32>,
    pub fresh: FreshServers,
}

impl Servers {
    pub fn new(fleet: &Fleet, horizon: usize, admission: Admission, observed_from: Step) -> Servers {
        let n = fleet.capacities.len();
        Servers {
            capacity: fleet.capacities.clone(),
            horizon,
            step_seconds: DEFAULT_STEP_SECONDS,
            cpu: vec![0.0; n * horizon],
            memory: vec![0.0; n * horizon],
            measured: vec![Resources::default(); n],
            unmeasured: vec![Resources::default(); n],
            committed: vec![Resources::default(); n],
            admission_loads: fleet
                .capacities
                .iter()
                .map(|&c| admission.load(c, Resources::default(), Resources::default()))
                .collect(),
            residents: vec![Vec::new(); n],
            spot_residents: vec![0; n],
            last_placement: vec![None; n],
            admission,
            observed_from,
            already_running: HashMap::new(),
            arrival_order: Vec::new(),
            largest_limit: fleet.capacities.iter().fold(Resources::default(), |m, c| {
                let l = admission.limit(*c);
                Resources::new(m.cpu.0.max(l.cpu.0), m.memory.0.max(l.memory.0))
            }),
            used: Vec::new(),
            fresh: FreshServers::new(&fleet.capacities),
        }
    }

    pub fn len(&self) -> usize {
        self.capacity.len()
    }

    /// Usage as the allocator sees it now: the last measurement, plus the
    /// requests of VMs placed since where the admission mode counts them.
    #[inline]
    pub fn observed(&self, s: usize) -> Resources {
        if self.admission.counts_unmeasured() {
            self.measured[s] + self.unmeasured[s]
        } else {
            self.measured[s]
        }
    }

    #[inline]
    pub fn admits(&self, s: usize, request: Resources) -> bool {
        self.admission_load(s).admits(request)
    }

    /// The last measurement alone: resident VMs' usage at the previous step.
    #[inline]
    pub fn measured(&self, s: usize) -> Resources {
        self.measured[s]
    }

    /// Sum of the resident VMs' requests.
    #[inline]
    pub fn committed(&self, s: usize) -> Resources {
        self.committed[s]
    }

    #[inline]
    pub fn admission_load(&self, s: usize) -> AdmissionLoad {
        self.admission_loads[s]
    }

    fn refresh_admission_load(&mut self, s: usize) {
        self.admission_loads[s] = self
            .admission
            .load(self.capacity[s], self.observed(s), self.committed[s]);
    }

    /// Adds the VM to server `s` at step `now`: its request to what is
    /// committed, its whole usage series to the timeline.
    pub fn place(&mut self, s: ServerId, vm: &Vm, now: Step) {
        let i = s.index();
        self.committed[i] += vm.request;
        let amount = self.unmeasured_amount(vm);
        self.unmeasured[i] += amount;
        self.refresh_admission_load(i);
        self.residents[i].push(vm.id);
        self.spot_residents[i] += u32::from(vm.priority == Priority::Spot);
        if self.last_placement[i].is_none() {
            let at = self.used.partition_point(|&u| u < s.0);
            self.used.insert(at, s.0);
            self.fresh.used(i, &self.last_placement);
        }
        self.last_placement[i] = Some(now);
        let base = i * self.horizon + vm.arrival.index();
        add_series(&mut self.cpu[base..], &vm.usage.cpu, 1.0);
        add_series(&mut self.memory[base..], &vm.usage.memory, 1.0);
    }

    /// Removes a VM at step `now` (departure or eviction): what it is
    /// observed to use now, its request, and its usage from `now` on.
    pub fn remove(&mut self, s: ServerId, vm: &Vm, now: Step) {
        let i = s.index();
        if vm.arrival >= now {
            let amount = self.unmeasured_amount(vm);
            self.unmeasured[i] -= amount;
        } else {
            self.measured[i] -= vm.usage_at(Step(now.0 - 1));
        }
        self.committed[i] -= vm.request;
        self.refresh_admission_load(i);
        if let Some(pos) = self.residents[i].iter().position(|&v| v == vm.id) {
            self.residents[i].swap_remove(pos);
            self.spot_residents[i] -= u32::from(vm.priority == Priority::Spot);
        }
        if now < vm.departure {
            let from = (now.0 - vm.arrival.0) as usize;
            let base = i * self.horizon + now.index();
            add_series(&mut self.cpu[base..], &vm.usage.cpu[from..], -1.0);
            add_series(&mut self.memory[base..], &vm.usage.memory[from..], -1.0);
        }
    }

    /// Where VM `id` stands in arrival order: its id, unless a live fleet
    /// reuses ids.
    pub fn arrival_rank(&self, id: VmId) -> u64 {
        self.arrival_order
            .get(id.0 as usize)
            .copied()
            .unwrap_or(u64::from(id.0))
    }

    /// What a VM placed since the last measurement counts for: its request,
    /// or its usage if it was running before observation began.
    fn unmeasured_amount(&self, vm: &Vm) -> Resources {
        if vm.arrival < self.observed_from {
            vm.usage_at(vm.arrival)
        } else if let Some(&usage) = self.already_running.get(&vm.id) {
            usage
        } else {
            vm.request
        }
    }

    /// What a resident VM adds to its server's observed usage at step
    /// `now`: its usage at the previous step once measured; before that, its
    /// unmeasured amount where the admission mode counts it, else nothing.
    pub(crate) fn observed_contribution(&self, vm: &Vm, now: Step) -> Resources {
        if vm.arrival < now {
            vm.usage_at(Step(now.0 - 1))
        } else if self.admission.counts_unmeasured() {
            self.unmeasured_amount(vm)
        } else {
            Resources::default()
        }
    }

    /// Ends step `now` for server `s`: its load then becomes the last
    /// measurement and the requests placed since stop counting. Returns the load.
    pub fn measure(&mut self, s: usize, now: Step) -> Resources {
        let load = self.load(s, now);
        // Float residue of departed VMs can leave a hair below zero.
        self.measured[s] = Resources::new(load.cpu.0.max(0.0), load.memory.0.max(0.0));
        self.unmeasured[s] = Resources::default();
        self.refresh_admission_load(s);
        load
    }

    /// Lengthens every timeline to `horizon` steps (zeros after the old
    /// end), for a live fleet whose clock has no end known in advance.
    pub fn grow_horizon(&mut self, horizon: usize) {
        if horizon <= self.horizon {
            return;
        }
        let (old, n) = (self.horizon, self.capacity.len());
        let relayout = |timeline: &[f32]| {
            let mut grown = vec![0.0; n * horizon];
            for s in 0..n {
                grown[s * horizon..s * horizon + old].copy_from_slice(&timeline[s * old..(s + 1) * old]);
            }
            grown
        };
        self.cpu = relayout(&self.cpu);
        self.memory = relayout(&self.memory);
        self.horizon = horizon;
    }

    /// Adds `amount` to server `s`'s load at step `t` (a usage report).
    pub fn add_load(&mut self, s: usize, t: Step, amount: Resources) {
        let k = s * self.horizon + t.index();
        self.cpu[k] += amount.cpu.0;
        self.memory[k] += amount.memory.0;
    }

    #[inline]
    pub fn load(&self, s: usize, t: Step) -> Resources {
        let k = s * self.horizon + t.index();
        Resources::new(self.cpu[k], self.memory[k])
    }
}

/// The never-used servers of each capacity, of which only the lowest id
/// matters to a choice by observable state with ties to the lowest id: the
/// others are identical to it in every observable respect.
pub(crate) struct FreshServers {
    /// Class (distinct capacity) of each server.
    class: Vec<u32>,
    /// Each class's servers in id order, and the position of the first
    /// never-used one (only ever moves up: servers never become unused).
    members: Vec<Vec<u32>>,
    cursor: Vec<usize>,
    /// The first never-used server of each class, in id order.
    lowest: Vec<u32>,
}

impl FreshServers {
    fn new(capacities: &[Resources]) -> FreshServers {
        let mut classes: HashMap<(u32, u32), usize> = HashMap::new();
        let mut class = Vec::with_capacity(capacities.len());
        let mut members: Vec<Vec<u32>> = Vec::new();
        for (i, c) in capacities.iter().enumerate() {
            let k = *classes
                .entry((c.cpu.0.to_bits(), c.memory.0.to_bits()))
                .or_insert_with(|| {
                    members.push(Vec::new());
                    members.len() - 1
                });
            class.push(k as u32);
            members[k].push(i as u32);
        }
        let lowest = members.iter().map(|m| m[0]).collect();
        let mut fresh = FreshServers {
            class,
            cursor: vec![0; members.len()],
            members,
            lowest,
        };
        fresh.lowest.sort_unstable();
        fresh
    }

    /// Server `i` was just used for the first time (`last_placement` not yet set for it).
    fn used(&mut self, i: usize, last_placement: &[Option<Step>]) {
        let k = self.class[i] as usize;
        let (members, cursor) = (&self.members[k], &mut self.cursor[k]);
        while *cursor < members.len() {
            let m = members[*cursor] as usize;
            if m != i && last_placement[m].is_none() {
                break;
            }
            *cursor += 1;
        }
        self.lowest = (0..self.members.len())
            .filter_map(|k| self.members[k].get(self.cursor[k]).copied())
            .collect();
        self.lowest.sort_unstable();
    }

    /// The lowest never-used server of each capacity, in id order.
    pub fn lowest(&self) -> &[u32] {
        &self.lowest
    }
}

fn add_series(dst: &mut [f32], src: &[f32], sign: f32) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += sign * s;
    }
}
