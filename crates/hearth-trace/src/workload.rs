//! The canonical workload: VMs with arrival, departure, request, priority and
//! a usage series, plus the provenance that says how it was made.

use crate::error::{Result, TraceError};
use crate::units::{Cores, Gib, Resources, Step, TenantId, VmId, VmTypeId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// On-demand VMs are never evicted; spot VMs are evicted when on-demand
/// demand needs their capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    #[default]
    OnDemand,
    Spot,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::OnDemand => "on-demand",
            Priority::Spot => "spot",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        match s {
            "on-demand" => Some(Priority::OnDemand),
            "spot" => Some(Priority::Spot),
            _ => None,
        }
    }
}

/// What a VM actually used at each step of its life: index 0 is its arrival
/// step. Both series have the VM's lifetime as length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    /// CPU cores used.
    pub cpu: Vec<f32>,
    /// Memory GiB used.
    pub memory: Vec<f32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Vm {
    pub id: VmId,
    pub arrival: Step,
    /// First step at which the VM is gone: it runs during `arrival..departure`.
    pub departure: Step,
    pub request: Resources,
    pub priority: Priority,
    /// The tenant that requested the VM, where the trace records one.
    pub tenant: Option<TenantId>,
    /// The VM's type or flavour, where the trace records one.
    pub vm_type: Option<VmTypeId>,
    pub usage: Usage,
}

impl Vm {
    /// A VM that uses the same `usage` at every step of its `life` steps
    /// from `arrival`, with no tenant or type: hand-made fleets in tests and
    /// examples. Its id is 0 until a [`Workload`] numbers it.
    pub fn steady(arrival: Step, life: u32, request: Resources, usage: Resources, priority: Priority) -> Vm {
        Vm {
            id: VmId(0),
            arrival,
            departure: Step(arrival.0 + life),
            request,
            priority,
            tenant: None,
            vm_type: None,
            usage: Usage {
                cpu: vec![usage.cpu.0; life as usize],
                memory: vec![usage.memory.0; life as usize],
            },
        }
    }

    /// Steps the VM lives (at least 1 in a valid workload).
    pub fn lifetime(&self) -> u32 {
        self.departure.0 - self.arrival.0
    }

    /// Usage at absolute step `t`, which must lie in `arrival..departure`.
    pub fn usage_at(&self, t: Step) -> Resources {
        let i = (t.0 - self.arrival.0) as usize;
        Resources {
            cpu: Cores(self.usage.cpu[i]),
            memory: Gib(self.usage.memory[i]),
        }
    }

    /// Checks the invariants every consumer relies on.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let life = self.departure.0.saturating_sub(self.arrival.0);
        if life == 0 {
            return Err(format!(
                "VM {}: departure step {} is not after arrival step {}",
                self.id.0, self.departure.0, self.arrival.0
            ));
        }
        if self.usage.cpu.len() != life as usize || self.usage.memory.len() != life as usize {
            return Err(format!(
                "VM {}: usage series have {} CPU and {} memory points for a {life}-step life",
                self.id.0,
                self.usage.cpu.len(),
                self.usage.memory.len()
            ));
        }
        let finite = |x: f32| x.is_finite() && x >= 0.0;
        if !finite(self.request.cpu.0) || !finite(self.request.memory.0) {
            return Err(format!("VM {}: request is negative or not finite", self.id.0));
        }
        if !self.usage.cpu.iter().chain(&self.usage.memory).all(|&x| finite(x)) {
            return Err(format!("VM {}: usage is negative or not finite", self.id.0));
        }
        Ok(())
    }
}

/// One thing done to make a workload: the action and its parameters
/// (files read, seeds, options, counts of rows skipped or VMs left out).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProvenanceStep {
    pub action: String,
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

impl ProvenanceStep {
    pub fn new(action: &str) -> Self {
        ProvenanceStep {
            action: action.to_string(),
            details: Map::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }
}

/// The history of a workload, oldest step first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Provenance {
    pub steps: Vec<ProvenanceStep>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// Length of one step in seconds (300 for PlanetLab, Bitbrains, Azure).
    pub step_seconds: u32,
    /// Sorted by arrival step, then id; ids are `0..vms.len()` in that order.
    pub vms: Vec<Vm>,
    /// First step of the trace's observation window. VMs that arrive earlier
    /// were already running when observation began (openb lists a few pods
    /// created months before its window); the composer replays arrivals from
    /// here. Defaults to the first arrival.
    pub observed_from: Step,
    pub provenance: Provenance,
}

impl Workload {
    /// Sorts the VMs by arrival, renumbers them densely and checks every VM.
    pub fn new(step_seconds: u32, mut vms: Vec<Vm>, provenance: Provenance) -> Result<Self> {
        if step_seconds == 0 {
            return Err(TraceError::Invalid("step length must be at least 1 second".into()));
        }
        vms.sort_by_key(|vm| (vm.arrival, vm.id));
        for (i, vm) in vms.iter_mut().enumerate() {
            vm.id = VmId(i as u32);
        }
        let observed_from = vms.first().map(|vm| vm.arrival).unwrap_or_default();
        let w = Workload {
            step_seconds,
            vms,
            observed_from,
            provenance,
        };
        w.validate()?;
        Ok(w)
    }

    pub fn validate(&self) -> Result<()> {
        for (i, vm) in self.vms.iter().enumerate() {
            vm.validate().map_err(TraceError::Invalid)?;
            if vm.id.0 as usize != i {
                return Err(TraceError::Invalid(format!("VM at position {i} has id {}", vm.id.0)));
            }
            if i > 0 && self.vms[i - 1].arrival > vm.arrival {
                return Err(TraceError::Invalid(format!(
                    "VM {i} arrives before the VM listed ahead of it"
                )));
            }
        }
        Ok(())
    }

    /// One past the last step at which any VM runs.
    pub fn end(&self) -> Step {
        Step(self.vms.iter().map(|vm| vm.departure.0).max().unwrap_or(0))
    }

    /// Total VM-steps: the sum of all lifetimes.
    pub fn vm_steps(&self) -> u64 {
        self.vms.iter().map(|vm| vm.lifetime() as u64).sum()
    }

    /// The most VMs alive at one step, and the first step with that many
    /// (a VM departing at a step is gone at it). Sorts event times, so a
    /// sparse span costs nothing.
    pub fn peak_alive(&self) -> (usize, Step) {
        let mut arrivals: Vec<u32> = self.vms.iter().map(|vm| vm.arrival.0).collect();
        let mut departures: Vec<u32> = self.vms.iter().map(|vm| vm.departure.0).collect();
        arrivals.sort_unstable();
        departures.sort_unstable();
        let first = arrivals.first().copied().unwrap_or(0);
        let (mut alive, mut peak, mut peak_step, mut a, mut d) = (0usize, 0usize, first, 0usize, 0usize);
        while a < arrivals.len() {
            let t = arrivals[a];
            while d < departures.len() && departures[d] <= t {
                alive -= 1;
                d += 1;
            }
            while a < arrivals.len() && arrivals[a] == t {
                alive += 1;
                a += 1;
            }
            if alive > peak {
                (peak, peak_step) = (alive, t);
            }
        }
        (peak, Step(peak_step))
    }

    pub fn record(&mut self, step: ProvenanceStep) {
        self.provenance.steps.push(step);
    }
}
