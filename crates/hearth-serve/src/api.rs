//! Request and response bodies of the HTTP API, and the checks every
//! request passes before it reaches the fleet: JSON syntax, unknown or
//! missing fields, types, then sizes and ids (finite, positive, not absurd).

use crate::error::ApiError;
use axum::http::StatusCode;
use hearth_trace::Priority;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Largest request or usage the service takes, in cores: far beyond any
/// server, so a larger number is a unit or encoding mistake.
pub const MAX_CORES: f64 = 100_000.0;
/// Largest request or usage in GiB.
pub const MAX_GIB: f64 = 1_000_000.0;
/// Longest VM, tenant or VM type id, in bytes.
pub const MAX_ID_LEN: usize = 128;
/// Most reports in one usage batch.
pub const MAX_REPORTS: usize = 100_000;
/// Furthest a usage report may jump ahead of the current step: a week of
/// 5-minute steps. The steps skipped are closed and every running VM's
/// series padded through them, so a larger jump costs memory in proportion;
/// a client that fell further behind reports the steps between.
pub const MAX_STEP_JUMP: u32 = 2_016;

/// Parses a JSON body, naming the field at fault in the error (400).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let err = ApiError::new(StatusCode::BAD_REQUEST, format!("malformed JSON body: {inner}"));
        if path == "." {
            err
        } else {
            err.with_field(path)
        }
    })?;
    de.end()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("malformed JSON body: {e}")))?;
    Ok(value)
}

/// `POST /v1/vms`: a VM to place.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VmRequest {
    /// Unique among running VMs.
    pub id: String,
    pub cpu_cores: f64,
    pub memory_gib: f64,
    #[serde(default = "on_demand", with = "priority_str")]
    pub priority: Priority,
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub vm_type: Option<String>,
    /// Only for a VM that was already running when the service learned of
    /// it (at the service's first step, say): its measured usage now. Until
    /// the step's usage is in, it counts by this instead of its request, as
    /// the simulator counts a workload's VMs running before `observed_from`.
    /// Its usage report for the step still comes through `POST /v1/usage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<MeasuredUsage>,
}

/// A measured usage, in cores and GiB.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MeasuredUsage {
    pub cpu_cores: f64,
    pub memory_gib: f64,
}

fn on_demand() -> Priority {
    Priority::OnDemand
}

mod priority_str {
    use hearth_trace::Priority;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(p: &Priority, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(p.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Priority, D::Error> {
        let s = String::deserialize(d)?;
        Priority::parse(&s)
            .ok_or_else(|| D::Error::custom(format!("priority {s:?} is neither \"on-demand\" nor \"spot\"")))
    }
}

impl VmRequest {
    /// The size rules and id rules; the first broken one, naming its field.
    pub fn check(&self) -> Result<(), ApiError> {
        check_id("id", &self.id)?;
        check_amount("cpu_cores", self.cpu_cores, MAX_CORES, false)?;
        check_amount("memory_gib", self.memory_gib, MAX_GIB, false)?;
        if let Some(t) = &self.tenant {
            check_id("tenant", t)?;
        }
        if let Some(t) = &self.vm_type {
            check_id("vm_type", t)?;
        }
        if let Some(u) = &self.usage {
            check_amount("usage.cpu_cores", u.cpu_cores, MAX_CORES, true)?;
            check_amount("usage.memory_gib", u.memory_gib, MAX_GIB, true)?;
        }
        Ok(())
    }
}

/// One row of `POST /v1/usage`: what a VM (or a server, beyond its VMs)
/// used at step `t`, in cores and GiB.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UsageRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<u32>,
    pub t: u32,
    pub cpu_cores: f64,
    pub memory_gib: f64,
}

/// Checks a usage batch row by row; errors name the row (`[3].cpu_cores`).
pub fn check_usage(rows: &[UsageRow]) -> Result<(), ApiError> {
    if rows.is_empty() {
        return Err(ApiError::invalid("[]", "a usage batch needs at least one report"));
    }
    if rows.len() > MAX_REPORTS {
        return Err(ApiError::invalid(
            "[]",
            format!("{} reports in one batch; at most {MAX_REPORTS}", rows.len()),
        ));
    }
    for (i, r) in rows.iter().enumerate() {
        // Formatting a row's field paths costs more than checking it, so
        // the paths are made only for a row that fails.
        if check_row(r, &|f| Cow::Borrowed(f)).is_err() {
            return check_row(r, &|f| Cow::Owned(format!("[{i}].{f}")));
        }
    }
    Ok(())
}

fn check_row(r: &UsageRow, at: &dyn Fn(&'static str) -> Cow<'static, str>) -> Result<(), ApiError> {
    match (&r.vm, r.server) {
        (Some(vm), None) => check_id(&at("vm"), vm)?,
        (None, Some(_)) => {}
        _ => {
            return Err(ApiError::invalid(
                at("vm"),
                "a report names exactly one of `vm` or `server`",
            ))
        }
    }
    check_amount(&at("cpu_cores"), r.cpu_cores, MAX_CORES, true)?;
    check_amount(&at("memory_gib"), r.memory_gib, MAX_GIB, true)?;
    Ok(())
}

/// An id: 1 to [`MAX_ID_LEN`] bytes of printable ASCII without `/`.
pub fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(ApiError::invalid(
            field,
            format!("`{field}` must be 1 to {MAX_ID_LEN} bytes long"),
        ));
    }
    if !id.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
        return Err(ApiError::invalid(
            field,
            format!("`{field}` {id:?} may hold only printable ASCII without spaces or '/'"),
        ));
    }
    Ok(())
}

/// An amount: finite, positive (or zero where `zero_ok`), at most `max`.
fn check_amount(field: &str, x: f64, max: f64, zero_ok: bool) -> Result<(), ApiError> {
    let ok_low = if zero_ok { x >= 0.0 } else { x > 0.0 };
    if !x.is_finite() || !ok_low || x > max {
        let low = if zero_ok { "at least 0" } else { "positive" };
        return Err(ApiError::invalid(
            field,
            format!("`{field}` is {x}; it must be {low} and at most {max}"),
        ));
    }
    Ok(())
}

/// `POST /v1/vms` answer: where the VM went.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Placed {
    pub id: String,
    pub server: u32,
    pub step: u32,
    /// Servers that admitted the VM, among which the policy sampled.
    pub candidates: usize,
    pub policy: String,
    pub decision_us: f64,
    /// Spot VMs evicted to make room (ids), as the simulator evicts them.
    pub evicted: Vec<String>,
}

/// `DELETE /v1/vms/{id}` answer.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Departed {
    pub id: String,
    pub server: u32,
    pub step: u32,
}

/// `POST /v1/usage` answer.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct UsageAccepted {
    pub reports: usize,
    /// The step arrivals happen at now (a report for step t makes it t + 1
    /// at the next arrival or departure).
    pub step: u32,
}

/// CPU cores and GiB, for answers.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
pub struct Amount {
    pub cpu_cores: f32,
    pub memory_gib: f32,
}

impl From<hearth_trace::Resources> for Amount {
    fn from(r: hearth_trace::Resources) -> Amount {
        Amount {
            cpu_cores: r.cpu.0,
            memory_gib: r.memory.0,
        }
    }
}

/// `GET /v1/servers/{id}` answer.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ServerState {
    pub id: u32,
    pub capacity: Amount,
    /// Last measurement plus requests placed since (what admission tests).
    pub observed: Amount,
    pub measured: Amount,
    pub committed: Amount,
    pub vms: Vec<String>,
    pub last_placement: Option<u32>,
}

/// `GET /v1/fleet` answer.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct FleetState {
    pub servers: usize,
    pub servers_used: usize,
    pub vms_running: usize,
    pub step: u32,
    pub policy: String,
    pub model_version: String,
    pub admission: String,
    pub capacity: Amount,
    pub committed: Amount,
    pub observed: Amount,
    /// Observed CPU over CPU capacity, whole fleet.
    pub utilisation: f64,
}
