//! The fluid lower bound on servers needed: the fewest servers whose
//! capacity could hold the workload's peak total usage if VMs could be split
//! across servers at will, taken over steps, for CPU and for memory.
//!
//! A fleet smaller than this is overloaded somewhere at the peak step, so no
//! policy meets a 0% overload limit with fewer servers. Under a positive
//! limit a policy could in principle overload a few server-steps at the peak
//! and come in under it, but never by much: the bound is the yardstick for
//! how much room is left above every policy.

use crate::fleet::FleetSpec;
use hearth_trace::{Step, Workload};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LowerBound {
    /// The larger of the CPU and memory bounds.
    pub servers: usize,
    pub cpu_servers: usize,
    pub memory_servers: usize,
    /// Peak total CPU usage (cores) and the first step with it.
    pub peak_cpu_cores: f64,
    pub peak_cpu_step: Step,
    /// Peak total memory usage (GiB) and the first step with it.
    pub peak_memory_gib: f64,
    pub peak_memory_step: Step,
}

/// The fluid lower bound of `w` on fleets of `spec`. CPU capacity counts at
/// `overload_threshold` × cores (a server-step is overloaded above that),
/// memory at its capacity. Costs one pass over every VM's usage series.
pub fn fluid_lower_bound(w: &Workload, spec: &FleetSpec, overload_threshold: f32) -> LowerBound {
    let (cpu, memory) = step_totals(w);
    let (peak_cpu_step, peak_cpu_cores) = peak(&cpu);
    let (peak_memory_step, peak_memory_gib) = peak(&memory);
    let cpu_servers = servers_holding(spec, peak_cpu_cores, |c| c.cpu.0 as f64 * overload_threshold as f64);
    let memory_servers = servers_holding(spec, peak_memory_gib, |c| c.memory.0 as f64);
    LowerBound {
        servers: cpu_servers.max(memory_servers),
        cpu_servers,
        memory_servers,
        peak_cpu_cores,
        peak_cpu_step,
        peak_memory_gib,
        peak_memory_step,
    }
}

/// Total CPU (cores) and memory (GiB) used at each step of the workload.
pub(crate) fn step_totals(w: &Workload) -> (Vec<f64>, Vec<f64>) {
    let horizon = w.end().index();
    let mut cpu = vec![0f64; horizon];
    let mut memory = vec![0f64; horizon];
    for vm in &w.vms {
        let from = vm.arrival.index();
        for (i, (&c, &m)) in vm.usage.cpu.iter().zip(&vm.usage.memory).enumerate() {
            cpu[from + i] += c as f64;
            memory[from + i] += m as f64;
        }
    }
    (cpu, memory)
}

/// The first step holding the series' maximum, and that maximum.
fn peak(series: &[f64]) -> (Step, f64) {
    series.iter().enumerate().fold(
        (Step(0), 0.0),
        |best, (t, &x)| if x > best.1 { (Step(t as u32), x) } else { best },
    )
}

/// The fewest servers of `spec`, taken in the order it builds fleets, whose
/// summed `capacity` reaches `total`.
pub(crate) fn servers_holding(
    spec: &FleetSpec,
    total: f64,
    capacity: impl Fn(&hearth_trace::Resources) -> f64,
) -> usize {
    // Guard against float residue: a total of 48.000001 cores on 24-core
    // servers is two servers, not three.
    let total = total * (1.0 - 1e-9);
    match spec {
        FleetSpec::Homogeneous { capacity: c } => {
            let each = capacity(c);
            if total <= 0.0 {
                0
            } else if each <= 0.0 {
                usize::MAX
            } else {
                (total / each).ceil() as usize
            }
        }
        FleetSpec::Nodes { nodes } => {
            let per_cycle: f64 = nodes.iter().map(&capacity).sum();
            if total <= 0.0 {
                return 0;
            }
            if per_cycle <= 0.0 {
                return usize::MAX;
            }
            let cycles = ((total / per_cycle).floor() as usize).saturating_sub(1);
            let mut held = cycles as f64 * per_cycle;
            let mut n = cycles * nodes.len();
            for node in nodes.iter().cycle() {
                if held >= total {
                    break;
                }
                held += capacity(node);
                n += 1;
            }
            n
        }
    }
}
