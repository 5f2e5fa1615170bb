//! CoSpot's machine types of the Azure packing trace
//! (`server_vm_cores_ram.json`, DCResourceManage/cospot-socc2022): a fleet
//! description, not a workload.
//!
//! The file is a JSON array of objects whose keys are `vm_cores[t]`,
//! `vm_ram[t]` (VM type t's size) and `server_cores[m]`, `server_ram[m]`
//! (machine type m's capacity), in the units of the CoSpot CSV: 100 core
//! units = 1 core and 4 RAM units = 1 GiB, so type 2, (2400, 768), is 24
//! cores and 192 GiB. The published file has six machine types: 1, 2, 4,
//! 10, 12 and 16.

use super::{CORE_UNITS_PER_CORE, RAM_UNITS_PER_GIB};
use crate::error::{Result, TraceError};
use crate::source::Source;
use crate::units::Resources;
use std::collections::BTreeMap;

/// One machine type: its id in the trace (`machineId`) and its capacity in
/// cores and GiB.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServerType {
    pub id: u32,
    pub capacity: Resources,
}

/// Reads the machine types of a `server_vm_cores_ram.json`, sorted by id.
/// `vm_*` keys are ignored. Errors name the file and key: a key of no known
/// kind, an id that is not a whole number, a capacity that is not a positive
/// number, a type with cores but no RAM (or the reverse), or no types at all.
pub fn read_server_types(source: Source) -> Result<Vec<ServerType>> {
    let name = source.name().to_string();
    let text = source.read_to_string()?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| TraceError::row(&name, e.line() as u64, format!("not valid JSON: {e}")))?;
    let objects: Vec<&serde_json::Map<String, serde_json::Value>> = match &value {
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_object()).collect(),
        serde_json::Value::Object(map) => vec![map],
        _ => Vec::new(),
    };
    if objects.is_empty() {
        return Err(TraceError::file(
            &name,
            "expected a JSON array of objects keyed `server_cores[m]`, `server_ram[m]`",
        ));
    }
    let (mut cores, mut ram) = (BTreeMap::new(), BTreeMap::new());
    for (key, v) in objects.iter().flat_map(|m| m.iter()) {
        let (kind, id) = parse_key(key, &name)?;
        let amount = v
            .as_f64()
            .filter(|x| x.is_finite() && *x > 0.0)
            .ok_or_else(|| TraceError::file(&name, format!("key `{key}`: {v} is not a positive number")))?;
        match kind {
            Kind::Cores => cores.insert(id, amount),
            Kind::Ram => ram.insert(id, amount),
            Kind::Vm => None,
        };
    }
    pair_up(&cores, &ram, &name)
}

enum Kind {
    Cores,
    Ram,
    Vm,
}

/// `server_cores[2]` → (Cores, 2).
fn parse_key(key: &str, file: &str) -> Result<(Kind, u32)> {
    let bad = || {
        let reason = format!("key `{key}` is none of `server_cores[m]`, `server_ram[m]`, `vm_cores[t]`, `vm_ram[t]` with a whole-number id");
        TraceError::file(file, reason)
    };
    let (prefix, rest) = key.split_once('[').ok_or_else(bad)?;
    let id: u32 = rest.strip_suffix(']').and_then(|d| d.parse().ok()).ok_or_else(bad)?;
    let kind = match prefix {
        "server_cores" => Kind::Cores,
        "server_ram" => Kind::Ram,
        "vm_cores" | "vm_ram" => Kind::Vm,
        _ => return Err(bad()),
    };
    Ok((kind, id))
}

fn pair_up(cores: &BTreeMap<u32, f64>, ram: &BTreeMap<u32, f64>, file: &str) -> Result<Vec<ServerType>> {
    if let Some(id) = cores.keys().find(|id| !ram.contains_key(id)) {
        return Err(TraceError::file(
            file,
            format!("machine type {id} has `server_cores[{id}]` but no `server_ram[{id}]`"),
        ));
    }
    if let Some(id) = ram.keys().find(|id| !cores.contains_key(id)) {
        return Err(TraceError::file(
            file,
            format!("machine type {id} has `server_ram[{id}]` but no `server_cores[{id}]`"),
        ));
    }
    if cores.is_empty() {
        return Err(TraceError::file(
            file,
            "no machine types (`server_cores[m]`, `server_ram[m]`)",
        ));
    }
    Ok(cores
        .iter()
        .map(|(&id, &c)| ServerType {
            id,
            capacity: Resources::new((c / CORE_UNITS_PER_CORE) as f32, (ram[&id] / RAM_UNITS_PER_GIB) as f32),
        })
        .collect())
}
