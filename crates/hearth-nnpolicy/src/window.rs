//! Usage windows of single VMs: the last [`HISTORY`] measured steps in, the next [`HORIZON`]
//! steps out, as utilisation (usage ÷ request) so that one model serves VMs of every size.
//!
//! Layout of an input window: `[HISTORY, INPUT_FEATURES]`, oldest first; per step CPU
//! utilisation, memory utilisation and 1 for a measured step. A VM younger than `HISTORY` steps
//! has its window padded at the front with zeros and flag 0. A target row is
//! `[cpu h1..h20, memory h1..h20]`.

use hearth_trace::{Step, Vm, Workload};

/// Measured steps a forecast reads (the FirePlace paper's setting).
pub const HISTORY: usize = 50;
/// Steps ahead a forecast covers.
pub const HORIZON: usize = 20;
/// Values per input step: CPU utilisation, memory utilisation, measured flag.
pub const INPUT_FEATURES: usize = 3;
/// Values per target row: CPU then memory utilisation for each of the next `HORIZON` steps.
pub const OUTPUTS: usize = 2 * HORIZON;

fn share(x: f32, of: f32) -> f32 {
    if of > 0.0 {
        x / of
    } else {
        0.0
    }
}

/// Appends one input window built from measured series (oldest first, at most `HISTORY` used:
/// the most recent ones) to `out`.
pub fn push_window(cpu: &[f32], memory: &[f32], request: (f32, f32), out: &mut Vec<f32>) {
    let n = cpu.len().min(memory.len()).min(HISTORY);
    let (cpu, memory) = (&cpu[cpu.len() - n..], &memory[memory.len() - n..]);
    out.extend(std::iter::repeat_n(0.0, (HISTORY - n) * INPUT_FEATURES));
    for (c, m) in cpu.iter().zip(memory) {
        out.extend([share(*c, request.0), share(*m, request.1), 1.0]);
    }
}

/// Windows cut from a workload's VMs, with their targets.
#[derive(Clone, Debug, Default)]
pub struct Windows {
    /// Row-major `[windows, HISTORY, INPUT_FEATURES]`.
    pub x: Vec<f32>,
    /// Row-major `[windows, OUTPUTS]`.
    pub y: Vec<f32>,
    /// Absolute step each window's forecast starts at (its first target step).
    pub at: Vec<Step>,
}

impl Windows {
    /// Number of windows.
    pub fn len(&self) -> usize {
        self.at.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }
}

/// Cut points of a VM: ages (measured steps) from 1 to `life - HORIZON`.
fn cut_ages(vm: &Vm) -> std::ops::RangeInclusive<usize> {
    1..=(vm.lifetime() as usize).saturating_sub(HORIZON)
}

/// Every `stride`-th of all (VM, age) cut points, counted across VMs, so VMs contribute in
/// proportion to their lives (a per-VM stride would keep every VM's age-1 window and flood the
/// set with one-step histories). Windows are sorted by the step the forecast starts at (the last
/// are the most recent: the validation tail). The stride is the smallest that keeps at most
/// `max_windows` windows.
pub fn windows(w: &Workload, max_windows: usize) -> Windows {
    let total: usize = w.vms.iter().map(|vm| cut_ages(vm).count()).sum();
    let stride = total.div_ceil(max_windows.max(1)).max(1);
    let mut cuts: Vec<(Step, usize, usize)> = Vec::new();
    let mut g = 0usize;
    for (i, vm) in w.vms.iter().enumerate() {
        for age in cut_ages(vm) {
            if g.is_multiple_of(stride) {
                cuts.push((Step(vm.arrival.0 + age as u32), i, age));
            }
            g += 1;
        }
    }
    cuts.sort_unstable();
    let mut out = Windows::default();
    for (at, i, age) in cuts {
        let vm = &w.vms[i];
        let request = (vm.request.cpu.0, vm.request.memory.0);
        push_window(&vm.usage.cpu[..age], &vm.usage.memory[..age], request, &mut out.x);
        let future = age..age + HORIZON;
        out.y
            .extend(vm.usage.cpu[future.clone()].iter().map(|c| share(*c, request.0)));
        out.y
            .extend(vm.usage.memory[future].iter().map(|m| share(*m, request.1)));
        out.at.push(at);
    }
    out
}
