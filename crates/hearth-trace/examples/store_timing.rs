//! Write and read time of the Parquet workload store: 100,000 VMs living
//! 100 steps each, with pseudo-random full-precision usage (the hardest case
//! for compression). Prints its figures; BENCHMARKS.md records them.
//!
//! `cargo run --release -p hearth-trace --example store_timing`

use hearth_trace::{read_workload, write_workload, Priority, Provenance, Resources, Step, Usage, Vm, VmId, Workload};
use std::time::Instant;

const VMS: usize = 100_000;
const STEPS: u32 = 100;

fn workload() -> Workload {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    let vms = (0..VMS)
        .map(|i| {
            let arrival = (i / 4) as u32;
            Vm {
                tenant: None,
                vm_type: None,
                id: VmId(0),
                arrival: Step(arrival),
                departure: Step(arrival + STEPS),
                request: Resources::new(4.0, 16.0),
                priority: if i % 5 == 0 { Priority::Spot } else { Priority::OnDemand },
                usage: Usage {
                    cpu: (0..STEPS).map(|_| next() * 4.0).collect(),
                    memory: (0..STEPS).map(|_| next() * 16.0).collect(),
                },
            }
        })
        .collect();
    Workload::new(300, vms, Provenance::default()).expect("valid by construction")
}

fn main() -> hearth_trace::Result<()> {
    let w = workload();
    let dir = std::env::temp_dir().join(format!("hearth-store-timing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| hearth_trace::TraceError::io(&dir.display().to_string(), e))?;
    let path = dir.join("w.parquet");
    let t = Instant::now();
    write_workload(&path, &w)?;
    let write = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let back = read_workload(&path)?;
    let read = t.elapsed().as_secs_f64();
    assert_eq!(back.vms.len(), VMS);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{VMS} VMs x {STEPS} steps: write {write:.2} s, read {read:.2} s, file {:.1} MB (raw usage {:.1} MB)",
        size as f64 / 1e6,
        (VMS * STEPS as usize * 8) as f64 / 1e6
    );
    Ok(())
}
