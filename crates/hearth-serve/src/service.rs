//! The fleet as the service holds it: the simulator's live fleet (same
//! admission, policy, spot eviction and measurement code as `hearth
//! simulate`), the configured policy, and the names a control plane uses
//! for VMs, tenants and VM types.

use crate::api::{self, Amount, Departed, FleetState, Placed, ServerState, UsageRow, VmRequest};
use crate::error::ApiError;
use crate::event::Event;
use hearth_sim::{Admission, Arrival, Decider, Fleet, LiveError, LiveFleet, Reporter, ServerId, SimConfig};
use hearth_trace::{Resources, Step, TenantId, VmId, VmTypeId};
use std::collections::HashMap;
use std::time::Instant;

/// A policy ready to decide, and the version of its model file (the
/// file's checksum), or `"none"` for heuristics.
pub struct LoadedPolicy {
    pub decider: Decider,
    pub name: String,
    pub version: String,
}

/// What a placement did: the answer for the client (a 409 when no server
/// admits the VM) and the event for the journal.
pub struct Decision {
    pub answer: Result<Placed, ApiError>,
    pub event: Event,
    pub seconds: f64,
}

pub struct FleetService {
    live: LiveFleet,
    policy: LoadedPolicy,
    admission: Admission,
    /// Running VMs by name.
    running: HashMap<String, VmId>,
    /// Every arrival's name, by id.
    names: Vec<String>,
    tenants: Names,
    types: Names,
}

impl FleetService {
    /// An empty fleet. The history store is always kept, so a reload may
    /// swap in a policy that reads it.
    pub fn new(fleet: &Fleet, config: &SimConfig, policy: LoadedPolicy) -> FleetService {
        FleetService {
            live: LiveFleet::new(fleet, config, true),
            policy,
            admission: config.admission,
            running: HashMap::new(),
            names: Vec::new(),
            tenants: Names::default(),
            types: Names::default(),
        }
    }

    /// Swaps the policy (a reload); the fleet's state stays.
    pub fn set_policy(&mut self, policy: LoadedPolicy) {
        self.policy = policy;
    }

    pub fn policy_version(&self) -> &str {
        &self.policy.version
    }

    /// Reseeds the policy's random choices (after a restart).
    pub fn reseed(&mut self, seed: u64) {
        self.live.reseed(seed);
    }

    fn arrival(&mut self, req: &VmRequest) -> Arrival {
        Arrival {
            request: Resources::new(req.cpu_cores as f32, req.memory_gib as f32),
            priority: req.priority,
            tenant: req.tenant.as_deref().map(|t| TenantId(self.tenants.id(t))),
            vm_type: req.vm_type.as_deref().map(|t| VmTypeId(self.types.id(t))),
            usage: (req.usage).map(|u| Resources::new(u.cpu_cores as f32, u.memory_gib as f32)),
        }
    }

    /// Places a VM with the policy. Checks come first and change nothing
    /// (`Err`); past them, the arrival is recorded, placed or not.
    pub fn place(&mut self, req: &VmRequest) -> Result<Decision, ApiError> {
        req.check()?;
        if self.running.contains_key(&req.id) {
            return Err(ApiError::conflict(format!("VM {:?} is already running", req.id)).with_field("id"));
        }
        let arrival = self.arrival(req);
        let candidates = self.live.admitting(arrival.request);
        let clock = Instant::now();
        let placement = self
            .live
            .arrive(arrival, &mut self.policy.decider)
            .map_err(|e| ApiError::unavailable(format!("policy failed: {e}")))?;
        let seconds = clock.elapsed().as_secs_f64();
        self.name(placement.vm, &req.id);
        let evicted: Vec<String> = placement.evicted.iter().map(|e| self.forget(e.vm)).collect();
        let answer = match placement.server {
            Some(s) => {
                self.running.insert(req.id.clone(), placement.vm);
                Ok(Placed {
                    id: req.id.clone(),
                    server: s.0,
                    step: placement.step.0,
                    candidates,
                    policy: self.policy.name.clone(),
                    decision_us: seconds * 1e6,
                    evicted: evicted.clone(),
                })
            }
            None => Err(ApiError::conflict(format!(
                "no server admits VM {:?} ({} cores, {} GiB) under {} admission",
                req.id,
                req.cpu_cores,
                req.memory_gib,
                self.admission.name()
            ))),
        };
        let event = Event::Arrive {
            vm: req.clone(),
            server: placement.server.map(|s| s.0),
            evicted,
        };
        Ok(Decision { answer, event, seconds })
    }

    /// Records the control plane's name of VM `id` (ids of VMs gone are reused).
    fn name(&mut self, id: VmId, name: &str) {
        let i = id.0 as usize;
        if self.names.len() <= i {
            self.names.resize(i + 1, String::new());
        }
        self.names[i] = name.to_string();
    }

    /// The name of a VM that left, no longer running.
    fn forget(&mut self, id: VmId) -> String {
        let name = self.names[id.0 as usize].clone();
        self.running.remove(&name);
        name
    }

    fn running_id(&self, name: &str, field: &str) -> Result<VmId, ApiError> {
        self.running
            .get(name)
            .copied()
            .ok_or_else(|| ApiError::not_found(format!("no running VM {name:?}")).with_field(field))
    }

    /// VM `name` has left.
    pub fn depart(&mut self, name: &str) -> Result<(Departed, Event), ApiError> {
        api::check_id("id", name)?;
        let id = self.running_id(name, "id")?;
        let s = self.live.depart(id).map_err(|e| ApiError::not_found(e.to_string()))?;
        self.forget(id);
        let answer = Departed {
            id: name.to_string(),
            server: s.0,
            step: self.live.now().0,
        };
        Ok((answer, Event::Depart { id: name.to_string() }))
    }

    /// A batch of usage reports, all applied or none.
    pub fn usage(&mut self, rows: Vec<UsageRow>) -> Result<(api::UsageAccepted, Event), ApiError> {
        api::check_usage(&rows)?;
        let mut reports = Vec::with_capacity(rows.len());
        let now = self.live.now().0;
        for (i, r) in rows.iter().enumerate() {
            let who = match (&r.vm, r.server) {
                (Some(vm), _) => {
                    Reporter::Vm((self.running_id(vm, "vm")).map_err(|e| e.with_field(format!("[{i}].vm")))?)
                }
                (None, Some(s)) => Reporter::Server(ServerId(s)),
                (None, None) => unreachable!("check_usage requires one"),
            };
            if r.t > now.saturating_add(api::MAX_STEP_JUMP) {
                return Err(ApiError::invalid(
                    format!("[{i}].t"),
                    format!(
                        "step {} is more than {} steps after the current step {now}",
                        r.t,
                        api::MAX_STEP_JUMP
                    ),
                ));
            }
            let usage = Resources::new(r.cpu_cores as f32, r.memory_gib as f32);
            reports.push((who, Step(r.t), usage));
        }
        self.live.report(&reports).map_err(|(i, e)| self.report_error(i, e))?;
        let accepted = api::UsageAccepted {
            reports: rows.len(),
            step: self.live.now().0,
        };
        Ok((accepted, Event::Usage { reports: rows }))
    }

    fn report_error(&self, i: usize, e: LiveError) -> ApiError {
        let name = |id: u32| self.names.get(id as usize).cloned().unwrap_or_default();
        let (field, message) = match e {
            LiveError::NoServer(s, n) => ("server", format!("no server {s}: the fleet has servers 0..{n}")),
            LiveError::NotRunning(id) => ("vm", format!("no running VM {:?}", name(id))),
            LiveError::DuplicateReport { vm, t } => ("vm", format!("VM {:?} already reported step {t}", name(vm))),
            LiveError::BeforeArrival { vm, arrival, t } => (
                "t",
                format!("VM {:?} arrived at step {arrival}, after step {t}", name(vm)),
            ),
            other => ("t", other.to_string()),
        };
        let status = if field == "vm" && message.starts_with("no running") {
            axum::http::StatusCode::NOT_FOUND
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        };
        ApiError::new(status, message).with_field(format!("[{i}].{field}"))
    }

    /// Replays one journal event (placements as recorded, not decided again).
    pub fn apply(&mut self, event: &Event) -> Result<(), String> {
        match event {
            Event::Arrive { vm, server, evicted } => {
                let arrival = self.arrival(vm);
                let victims: Vec<VmId> = evicted.iter().filter_map(|n| self.running.get(n).copied()).collect();
                let placement = self.live.apply(arrival, server.map(ServerId), &victims);
                self.name(placement.vm, &vm.id);
                for e in &placement.evicted {
                    self.forget(e.vm);
                }
                if placement.server.is_some() {
                    self.running.insert(vm.id.clone(), placement.vm);
                }
                Ok(())
            }
            Event::Depart { id } => self.depart(id).map(|_| ()).map_err(|e| e.message),
            Event::Usage { reports } => self.usage(reports.clone()).map(|_| ()).map_err(|e| e.message),
        }
    }

    /// One server's state, or 404.
    pub fn server(&self, id: u32) -> Result<ServerState, ApiError> {
        let fleet = self.live.view();
        if id as usize >= fleet.len() {
            return Err(
                ApiError::not_found(format!("no server {id}: the fleet has servers 0..{}", fleet.len()))
                    .with_field("id"),
            );
        }
        let s = ServerId(id);
        Ok(ServerState {
            id,
            capacity: fleet.capacity(s).into(),
            observed: fleet.observed(s).into(),
            measured: fleet.measured(s).into(),
            committed: fleet.committed(s).into(),
            vms: fleet
                .residents(s)
                .iter()
                .map(|v| self.names[v.0 as usize].clone())
                .collect(),
            last_placement: fleet.last_placement(s).map(|t| t.0),
        })
    }

    /// The whole fleet, summed.
    pub fn fleet(&self) -> FleetState {
        let fleet = self.live.view();
        let (mut capacity, mut committed, mut observed) =
            (Resources::default(), Resources::default(), Resources::default());
        let mut used = 0;
        for s in fleet.ids() {
            capacity += fleet.capacity(s);
            committed += fleet.committed(s);
            observed += fleet.observed(s);
            used += usize::from(fleet.last_placement(s).is_some());
        }
        FleetState {
            servers: fleet.len(),
            servers_used: used,
            vms_running: self.running.len(),
            step: fleet.now().0,
            policy: self.policy.name.clone(),
            model_version: self.policy.version.clone(),
            admission: self.admission.name().to_string(),
            capacity: Amount::from(capacity),
            committed: Amount::from(committed),
            observed: Amount::from(observed),
            utilisation: if capacity.cpu.0 > 0.0 {
                (observed.cpu.0 / capacity.cpu.0) as f64
            } else {
                0.0
            },
        }
    }
}

/// Tenant and VM type names as the simulator's numeric ids: a name that is
/// a number below 2^31 is that number (as in workload files), any other
/// name gets the next id from 2^31 up.
#[derive(Default)]
struct Names {
    ids: HashMap<String, u32>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Ok(n) = name.parse::<u32>() {
            if n < 1 << 31 {
                return n;
            }
        }
        let next = (1u32 << 31) + self.ids.len() as u32;
        *self.ids.entry(name.to_string()).or_insert(next)
    }
}
