//! FirePlace's features: what is observable now about each candidate server
//! and about the arriving VM. Each candidate feature appears twice: as a
//! fraction of the server's capacity, and relative to the mean over the
//! candidates, so one model serves fleets of any size on any day. Features
//! are symmetric in the candidates, so the decision cannot depend on the
//! order in which they are listed.

use super::history_features::{
    pair_feature_names, resident_feature_names, resident_features, vm_history_feature_names, vm_history_features,
    Arriving, PAIR_FEATURES, RESIDENT_FEATURES, VM_HISTORY_FEATURES,
};
use hearth_sim::{FleetView, ServerId, VmView};
use hearth_trace::Priority;

/// CPU history windows in steps (at 300 s: 15 min, 1 h, 6 h).
pub const CPU_WINDOWS: [u32; 3] = [3, 12, 72];
const MEMORY_WINDOW: u32 = 12;
/// Steps since the last placement are capped here (one day at 300 s).
const SINCE_CAP: f64 = 288.0;
const QUANTILES: [f64; 5] = [0.10, 0.25, 0.50, 0.75, 1.00];

/// Features of the candidate's load alone.
const LOAD_FEATURES: usize = CPU_WINDOWS.len() * 6 + 8;
/// Features of one candidate alone: its load, then its residents.
pub const CANDIDATE_FEATURES: usize = LOAD_FEATURES + RESIDENT_FEATURES;
/// Features of the arriving VM: its request, then its histories.
pub const VM_FEATURES: usize = 3 + VM_HISTORY_FEATURES;
/// A model input row: candidate, candidate relative to the set, VM, and
/// the VM on this candidate.
pub const ROW_FEATURES: usize = 2 * CANDIDATE_FEATURES + VM_FEATURES + PAIR_FEATURES;

/// Names of the row's columns, in order: the model file's feature schema.
pub fn feature_names() -> Vec<String> {
    let mut own = Vec::with_capacity(CANDIDATE_FEATURES);
    for w in CPU_WINDOWS {
        for q in ["p10", "p25", "p50", "p75", "p100", "mean"] {
            own.push(format!("cpu_{q}_{w}steps"));
        }
    }
    for f in [
        "memory_peak_12steps",
        "memory_mean_12steps",
        "cpu_observed",
        "memory_observed",
        "cpu_committed",
        "memory_committed",
        "vm_count",
        "steps_since_placement",
    ] {
        own.push(f.to_string());
    }
    own.extend(resident_feature_names());
    let mut names = own.clone();
    names.extend(own.iter().map(|n| format!("{n}_vs_candidates")));
    names.extend(["vm_cpu_request", "vm_memory_request", "vm_is_spot"].map(String::from));
    names.extend(vm_history_feature_names());
    names.extend(pair_feature_names());
    debug_assert_eq!(names.len(), ROW_FEATURES);
    names
}

/// Fills `out` with the candidate's own features (`CANDIDATE_FEATURES` values)
/// and, given the arriving VM, its pair features (see [`resident_features`]).
pub fn candidate_features(s: ServerId, fleet: &FleetView, out: &mut [f64], pair: Option<(&Arriving, &mut [f64])>) {
    let cap = fleet.capacity(s);
    let (cpu_cap, mem_cap) = (cap.cpu.0.max(1e-9) as f64, cap.memory.0.max(1e-9) as f64);
    let mut i = 0;
    let mut buf = [0f32; 72];
    for w in CPU_WINDOWS {
        let h = fleet.cpu_history(s, w);
        let n = h.len();
        buf[..n].copy_from_slice(h);
        let sorted = &mut buf[..n];
        sorted.sort_unstable_by(f32::total_cmp);
        for q in QUANTILES {
            out[i] = if n == 0 {
                0.0
            } else {
                sorted[((n - 1) as f64 * q).round() as usize] as f64 / cpu_cap
            };
            i += 1;
        }
        out[i] = if n == 0 {
            0.0
        } else {
            sorted.iter().map(|&x| x as f64).sum::<f64>() / n as f64 / cpu_cap
        };
        i += 1;
    }
    let m = fleet.memory_history(s, MEMORY_WINDOW);
    out[i] = m.iter().fold(0f32, |a, &b| a.max(b)) as f64 / mem_cap;
    out[i + 1] = if m.is_empty() {
        0.0
    } else {
        m.iter().map(|&x| x as f64).sum::<f64>() / m.len() as f64 / mem_cap
    };
    let (obs, com) = (fleet.observed(s), fleet.committed(s));
    out[i + 2] = obs.cpu.0 as f64 / cpu_cap;
    out[i + 3] = obs.memory.0 as f64 / mem_cap;
    out[i + 4] = com.cpu.0 as f64 / cpu_cap;
    out[i + 5] = com.memory.0 as f64 / mem_cap;
    out[i + 6] = fleet.vm_count(s) as f64;
    out[i + 7] = steps_since_placement(s, fleet);
    debug_assert_eq!(i + 8, LOAD_FEATURES);
    resident_features(s, fleet, &mut out[LOAD_FEATURES..CANDIDATE_FEATURES], pair);
}

/// Steps since the server last received a VM, capped: VMs placed this step
/// are in no measurement yet, and this is how the model can see them.
fn steps_since_placement(s: ServerId, fleet: &FleetView) -> f64 {
    match fleet.last_placement(s) {
        Some(t) => ((fleet.now().0 - t.0) as f64).min(SINCE_CAP),
        None => SINCE_CAP,
    }
}

/// Model input rows for every candidate, row-major, `ROW_FEATURES` each.
pub fn rows(candidates: &[ServerId], vm: &VmView, fleet: &FleetView, out: &mut Vec<f64>) {
    out.clear();
    out.resize(candidates.len() * ROW_FEATURES, 0.0);
    let arriving = Arriving::of(vm, fleet);
    // Where the pair features sit in a row, counted from the end of the
    // candidate's own features.
    let pair_at = CANDIDATE_FEATURES + 3 + VM_HISTORY_FEATURES;
    for (row, &s) in out.chunks_mut(ROW_FEATURES).zip(candidates) {
        let (own, rest) = row.split_at_mut(CANDIDATE_FEATURES);
        let pair = arriving
            .as_ref()
            .map(|a| (a, &mut rest[pair_at..pair_at + PAIR_FEATURES]));
        candidate_features(s, fleet, own, pair);
    }
    relative_to_mean(candidates.len(), out);
    for (c, &s) in candidates.iter().enumerate() {
        let cap = fleet.capacity(s);
        let base = c * ROW_FEATURES + 2 * CANDIDATE_FEATURES;
        out[base] = vm.request.cpu.0 as f64 / cap.cpu.0.max(1e-9) as f64;
        out[base + 1] = vm.request.memory.0 as f64 / cap.memory.0.max(1e-9) as f64;
        out[base + 2] = f64::from(u8::from(vm.priority == Priority::Spot));
        let history = base + 3;
        if c == 0 {
            vm_history_features(vm, fleet, &mut out[history..history + VM_HISTORY_FEATURES]);
        } else {
            out.copy_within(
                history - c * ROW_FEATURES..history - c * ROW_FEATURES + VM_HISTORY_FEATURES,
                history,
            );
        }
        debug_assert_eq!(
            history + VM_HISTORY_FEATURES,
            c * ROW_FEATURES + CANDIDATE_FEATURES + pair_at
        );
    }
}

fn relative_to_mean(n: usize, out: &mut [f64]) {
    for j in 0..CANDIDATE_FEATURES {
        let mean = (0..n).map(|c| out[c * ROW_FEATURES + j]).sum::<f64>() / n as f64;
        for c in 0..n {
            out[c * ROW_FEATURES + CANDIDATE_FEATURES + j] = out[c * ROW_FEATURES + j] - mean;
        }
    }
}
