//! The flags that describe the fleet and its admission, as
//! [`hearth::fleet::FleetOptions`].

use clap::Args;
use hearth::fleet::{AdmissionChoice, FleetOptions};

#[derive(Args, Debug, Clone)]
pub struct FleetArgs {
    /// CPU cores of each server (homogeneous fleet). The default is the Azure packing trace's
    /// machine type 2.
    #[arg(long, default_value_t = 24.0)]
    pub server_cores: f32,
    /// Memory of each server in GiB (homogeneous fleet; machine type 2 by default).
    #[arg(long, default_value_t = 192.0)]
    pub server_memory_gib: f32,
    /// Take servers from a node list or machine types instead of --server-cores/--server-memory-gib.
    /// `embedded`: the shipped Alibaba openb node list; FILE: an openb node list
    /// (`sn,cpu_milli,memory_mib,gpu,model`). `azure-packing`: CoSpot's Azure machine types (shipped
    /// `server_vm_cores_ram.json`: 1, 2, 4, 10, 12, 16), servers cycling through them;
    /// `azure-packing:M`: only machine type M, homogeneous (2 = 24 cores, 192 GiB);
    /// `FILE.json` / `FILE.json:M`: the same from a `server_vm_cores_ram.json` of your own.
    #[arg(long, value_name = "embedded|FILE|azure-packing[:M]|FILE.json[:M]")]
    pub nodes: Option<String>,
    /// Admission mode.
    #[arg(long, value_enum, default_value_t = AdmissionChoice::Usage)]
    pub admission: AdmissionChoice,
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
    pub fn options(&self) -> FleetOptions {
        FleetOptions {
            server_cores: self.server_cores,
            server_memory_gib: self.server_memory_gib,
            nodes: self.nodes.clone(),
            admission: self.admission,
            cpu_oversub: self.cpu_oversub,
            memory_oversub: self.memory_oversub,
            overload_threshold: self.overload_threshold,
        }
    }
}
