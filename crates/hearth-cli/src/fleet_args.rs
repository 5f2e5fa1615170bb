//! Command-line options that describe the fleet and its admission.

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use hearth_sim::{Admission, FleetSpec, SimConfig};
use hearth_trace::{ImportOptions, Resources, Source};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AdmissionArg {
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

#[derive(Args, Debug, Clone)]
pub struct FleetArgs {
    /// CPU cores of each server (homogeneous fleet). The default is the Azure packing trace's
    /// machine type 2.
    #[arg(long, default_value_t = 24.0)]
    pub server_cores: f32,
    /// Memory of each server in GiB (homogeneous fleet; machine type 2 by default).
    #[arg(long, default_value_t = 192.0)]
    pub server_memory_gib: f32,
    /// Take servers from a node list instead (Alibaba openb `sn,cpu_milli,memory_mib,gpu,model`);
    /// `embedded` uses the shipped openb node list.
    #[arg(long, value_name = "FILE|embedded")]
    pub nodes: Option<String>,
    /// Admission mode.
    #[arg(long, value_enum, default_value_t = AdmissionArg::Usage)]
    pub admission: AdmissionArg,
    /// CPU oversubscription ratio under `requests` admission.
    #[arg(long, default_value_t = 1.0)]
    pub cpu_oversub: f32,
    /// Memory oversubscription ratio under `requests` admission.
    #[arg(long, default_value_t = 1.0)]
    pub memory_oversub: f32,
    /// A server-step is overloaded when CPU use exceeds capacity × this.
    #[arg(long, default_value_t = 1.0)]
    pub overload_threshold: f32,
}

impl FleetArgs {
    pub fn spec(&self) -> Result<FleetSpec> {
        if !(self.server_cores > 0.0 && self.server_memory_gib > 0.0) {
            bail!("--server-cores and --server-memory-gib must be positive");
        }
        let Some(nodes) = &self.nodes else {
            return Ok(FleetSpec::Homogeneous {
                capacity: Resources::new(self.server_cores, self.server_memory_gib),
            });
        };
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
            AdmissionArg::Usage => vec![Admission::Usage],
            AdmissionArg::UsageLagged => vec![Admission::UsageLagged],
            AdmissionArg::Requests => vec![requests],
            AdmissionArg::Both => vec![Admission::Usage, requests],
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
            Some(n) => format!("servers from node list {n}"),
            None => format!("{}-core, {}-GiB servers", self.server_cores, self.server_memory_gib),
        }
    }
}
