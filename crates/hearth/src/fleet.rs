//! The fleet a run places on and its admission rule, as the commands and
//! the Python package describe them: servers of one size, a node list or the
//! Azure packing trace's machine types; an admission mode; oversubscription
//! and the overload threshold.

use anyhow::{bail, Context, Result};
use hearth_sim::{Admission, FleetSpec, SimConfig};
use hearth_trace::formats::azure_packing_2020::read_server_types;
use hearth_trace::{ImportOptions, Resources, Source};
use std::path::PathBuf;

/// Which admission rule a run uses (`hearth_sim::Admission` without its ratios).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum AdmissionChoice {
    /// Observed usage (last measurement plus requests placed since) plus the
    /// request must fit capacity (FirePlace; default).
    Usage,
    /// As `usage`, but VMs placed since the last measurement count for
    /// nothing (lagged telemetry; the rule of hearth's first figures).
    UsageLagged,
    /// Sum of requests within capacity × oversubscription (IaaS).
    Requests,
    /// Both, one after the other.
    Both,
}

impl std::str::FromStr for AdmissionChoice {
    type Err = String;

    /// The names the command line takes: `usage`, `usage-lagged`, `requests`, `both`.
    fn from_str(name: &str) -> Result<Self, String> {
        Ok(match name {
            "usage" => AdmissionChoice::Usage,
            "usage-lagged" => AdmissionChoice::UsageLagged,
            "requests" => AdmissionChoice::Requests,
            "both" => AdmissionChoice::Both,
            _ => {
                return Err(format!(
                    "unknown admission {name:?}: use usage, usage-lagged, requests or both"
                ))
            }
        })
    }
}

/// The fleet of a run, with `hearth compare`'s defaults ([`FleetOptions::default`]).
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// CPU cores of each server of a homogeneous fleet (default: the Azure packing trace's
    /// machine type 2, 24 cores).
    pub server_cores: f32,
    /// Memory of each server in GiB (homogeneous fleet; default 192, machine type 2).
    pub server_memory_gib: f32,
    /// Servers from a node list or machine types instead of the homogeneous size:
    /// `embedded` (the shipped openb node list), an openb node-list FILE, `azure-packing[:M]`
    /// (CoSpot's machine types, cycling, or only type M), `FILE.json[:M]` (the same from a
    /// `server_vm_cores_ram.json` of your own).
    pub nodes: Option<String>,
    pub admission: AdmissionChoice,
    /// CPU oversubscription ratio under `requests` admission (at least 1).
    pub cpu_oversub: f32,
    /// Memory oversubscription ratio under `requests` admission (at least 1).
    pub memory_oversub: f32,
    /// A server-step is overloaded when CPU use exceeds capacity × this.
    pub overload_threshold: f32,
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            server_cores: 24.0,
            server_memory_gib: 192.0,
            nodes: None,
            admission: AdmissionChoice::Usage,
            cpu_oversub: 1.0,
            memory_oversub: 1.0,
            overload_threshold: 1.0,
        }
    }
}

impl FleetOptions {
    pub fn spec(&self) -> Result<FleetSpec> {
        if !(self.server_cores > 0.0 && self.server_memory_gib > 0.0) {
            bail!("--server-cores and --server-memory-gib must be positive");
        }
        let Some(nodes) = &self.nodes else {
            return Ok(FleetSpec::Homogeneous {
                capacity: Resources::new(self.server_cores, self.server_memory_gib),
            });
        };
        if let Some((file, id)) = machine_types_arg(nodes) {
            return machine_types_spec(file, id).with_context(|| format!("--nodes {nodes}"));
        }
        let opts = ImportOptions::default();
        let nodes = if nodes == "embedded" {
            crate::samples::openb_nodes(&opts)?
        } else {
            let source = Source::open(&PathBuf::from(nodes))?;
            hearth_trace::formats::alibaba_openb::read_nodes(source, &opts)
                .with_context(|| format!("reading --nodes {nodes}"))?
        };
        if nodes.is_empty() {
            bail!("the node list {} holds no nodes", self.nodes.as_deref().unwrap_or(""));
        }
        Ok(FleetSpec::Nodes { nodes })
    }

    pub fn admissions(&self) -> Result<Vec<Admission>> {
        if !(self.cpu_oversub >= 1.0 && self.memory_oversub >= 1.0) {
            bail!("--cpu-oversub and --memory-oversub must be at least 1.0");
        }
        let requests = Admission::Requests {
            cpu_oversub: self.cpu_oversub,
            memory_oversub: self.memory_oversub,
        };
        Ok(match self.admission {
            AdmissionChoice::Usage => vec![Admission::Usage],
            AdmissionChoice::UsageLagged => vec![Admission::UsageLagged],
            AdmissionChoice::Requests => vec![requests],
            AdmissionChoice::Both => vec![Admission::Usage, requests],
        })
    }

    pub fn config(&self, admission: Admission, seed: u64) -> Result<SimConfig> {
        if self.overload_threshold.is_nan() || self.overload_threshold <= 0.0 {
            bail!("--overload-threshold must be positive");
        }
        Ok(SimConfig {
            admission,
            overload_threshold: self.overload_threshold,
            seed,
        })
    }

    pub fn describe(&self) -> String {
        match &self.nodes {
            Some(n) if machine_types_arg(n).is_some() => format!("servers of Azure packing machine types {n}"),
            Some(n) => format!("servers from node list {n}"),
            None => format!("{}-core, {}-GiB servers", self.server_cores, self.server_memory_gib),
        }
    }
}

/// `azure-packing[:M]` or `FILE.json[:M]` as (file, machine type): `None`
/// for the file means the embedded types; `None` overall: not machine types.
fn machine_types_arg(arg: &str) -> Option<(Option<&str>, Option<&str>)> {
    let (base, id) = match arg.rsplit_once(':') {
        Some((base, id)) if base == EMBEDDED_TYPES || base.ends_with(".json") => (base, Some(id)),
        _ => (arg, None),
    };
    if base == EMBEDDED_TYPES {
        Some((None, id))
    } else if base.ends_with(".json") {
        Some((Some(base), id))
    } else {
        None
    }
}

const EMBEDDED_TYPES: &str = "azure-packing";

/// One machine type as a homogeneous fleet, or all of them cycling.
fn machine_types_spec(file: Option<&str>, id: Option<&str>) -> Result<FleetSpec> {
    let types = match file {
        None => crate::samples_azure::azure_server_types()?,
        Some(f) => read_server_types(Source::open(&PathBuf::from(f))?).with_context(|| format!("reading {f}"))?,
    };
    let Some(id) = id else {
        let nodes = types.iter().map(|t| t.capacity).collect();
        return Ok(FleetSpec::Nodes { nodes });
    };
    let known: Vec<String> = types.iter().map(|t| t.id.to_string()).collect();
    let id: u32 = id.parse().with_context(|| {
        format!(
            "machine type {id:?} is not a whole number; the types are {}",
            known.join(", ")
        )
    })?;
    let capacity = types
        .iter()
        .find(|t| t.id == id)
        .map(|t| t.capacity)
        .with_context(|| format!("no machine type {id}; the types are {}", known.join(", ")))?;
    Ok(FleetSpec::Homogeneous { capacity })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(nodes: &str) -> Result<FleetSpec> {
        FleetOptions {
            server_cores: 16.0,
            server_memory_gib: 64.0,
            nodes: Some(nodes.to_string()),
            ..FleetOptions::default()
        }
        .spec()
    }

    fn capacities(spec: FleetSpec) -> Vec<Resources> {
        match spec {
            FleetSpec::Homogeneous { capacity } => vec![capacity],
            FleetSpec::Nodes { nodes } => nodes,
        }
    }

    #[test]
    fn azure_machine_types_as_fleets() {
        let one = spec("azure-packing:2").unwrap();
        assert!(matches!(one, FleetSpec::Homogeneous { .. }));
        assert_eq!(capacities(one), [Resources::new(24.0, 192.0)]);
        let all = capacities(spec("azure-packing").unwrap());
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], Resources::new(96.0, 562.5));
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/samples/azure-packing-2020/server_vm_cores_ram.json"
        );
        assert_eq!(
            capacities(spec(&format!("{file}:16")).unwrap()),
            [Resources::new(104.0, 562.5)]
        );
        assert_eq!(capacities(spec(file).unwrap()), all);
    }

    #[test]
    fn unknown_machine_types_are_clear_errors() {
        let err = format!("{:#}", spec("azure-packing:3").unwrap_err());
        assert!(
            err.contains("no machine type 3; the types are 1, 2, 4, 10, 12, 16"),
            "{err}"
        );
        let err = format!("{:#}", spec("azure-packing:big").unwrap_err());
        assert!(err.contains("not a whole number"), "{err}");
        let err = format!("{:#}", spec("/nonexistent/types.json:2").unwrap_err());
        assert!(err.contains("/nonexistent/types.json"), "{err}");
        // Other values keep their meaning: an openb node list.
        assert!(machine_types_arg("embedded").is_none());
        assert!(machine_types_arg("nodes.csv").is_none());
    }
}
