//! A small synthetic workload for the tests: VMs with periodic usage of known shape.
#![allow(dead_code)]

use hearth_trace::{Cores, Gib, Priority, Provenance, Resources, Step, TenantId, Usage, Vm, VmId, Workload};

/// `n` VMs arriving two steps apart, living 90 to 130 steps, each using a sine around 40% of its
/// request (period 20 steps) on CPU and a flat 50% of memory. `scale` multiplies usage from
/// absolute step `from` on (to build a workload that differs only in the future).
pub fn periodic(n: usize, from: u32, scale: f32) -> Workload {
    let vms = (0..n)
        .map(|i| {
            let arrival = 2 * i as u32;
            let life = 90 + (i as u32 * 7) % 41;
            let request = Resources {
                cpu: Cores(1.0 + (i % 4) as f32),
                memory: Gib(4.0),
            };
            let f = |t: u32| if arrival + t >= from { scale } else { 1.0 };
            let cpu = (0..life)
                .map(|t| {
                    let phase = (t as f32 + i as f32) * std::f32::consts::TAU / 20.0;
                    request.cpu.0 * (0.4 + 0.25 * phase.sin()) * f(t)
                })
                .collect();
            let memory = (0..life).map(|t| request.memory.0 * 0.5 * f(t)).collect();
            Vm {
                id: VmId(i as u32),
                arrival: Step(arrival),
                departure: Step(arrival + life),
                request,
                priority: Priority::OnDemand,
                tenant: Some(TenantId((i % 3) as u32)),
                vm_type: None,
                usage: Usage { cpu, memory },
            }
        })
        .collect();
    Workload::new(300, vms, Provenance::default()).unwrap()
}

/// A path in a directory of this test binary and process.
pub fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-nnpolicy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}
