//! Busy periods of a function and the microVM made of each: activity joined
//! across idle gaps shorter than the keep-alive.

use crate::formats::{end_step_of, step_of};
use crate::units::{Resources, Step, VmId};
use crate::workload::{Priority, Usage, Vm};
use std::collections::BTreeMap;

/// How long an idle warm sandbox is kept, in seconds.
pub(crate) const KEEP_ALIVE_SECONDS: u64 = 600;
pub(super) const MICROS: u64 = 1_000_000;

/// One busy period of a function: its end (keep-alive included) and the CPU
/// seconds executed in each step.
#[derive(Default)]
struct Period {
    end_us: u64,
    cpu_seconds: BTreeMap<u32, f64>,
}

/// The busy periods of one function, keyed by start (µs from the trace
/// start). Intervals may arrive in any order: one that overlaps or bridges
/// periods merges them.
#[derive(Default)]
pub(crate) struct BusyPeriods {
    periods: BTreeMap<u64, Period>,
}

impl BusyPeriods {
    /// Adds activity over `[start_us, end_us)` (keep-alive included) with the
    /// CPU seconds it executed per step.
    pub(crate) fn add(&mut self, start_us: u64, end_us: u64, cpu: impl IntoIterator<Item = (u32, f64)>) {
        let (mut start, mut end) = (start_us, end_us.max(start_us.saturating_add(1)));
        let mut merged = Period::default();
        while let Some((key, key_end)) = self.periods.range(..end).next_back().map(|(&k, p)| (k, p.end_us)) {
            if key_end <= start {
                break;
            }
            let Some(p) = self.periods.remove(&key) else {
                break;
            };
            start = start.min(key);
            end = end.max(key_end);
            merged = join(merged, p);
        }
        merged.end_us = end;
        for (step, seconds) in cpu {
            *merged.cpu_seconds.entry(step).or_default() += seconds;
        }
        self.periods.insert(start, merged);
    }

    /// Whether no activity was added: such a function makes no microVM.
    pub(super) fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    /// One microVM per period, with `memory_gib` used throughout.
    pub(crate) fn into_vms(self, step_seconds: u32, memory_gib: f32, vms: &mut Vec<Vm>) {
        for (start, period) in self.periods {
            vms.push(microvm(start, period, step_seconds, memory_gib, vms.len()));
        }
    }
}

fn join(a: Period, b: Period) -> Period {
    let (mut big, small) = if a.cpu_seconds.len() >= b.cpu_seconds.len() {
        (a, b)
    } else {
        (b, a)
    };
    for (step, seconds) in small.cpu_seconds {
        *big.cpu_seconds.entry(step).or_default() += seconds;
    }
    big
}

fn microvm(start_us: u64, period: Period, step_seconds: u32, memory_gib: f32, index: usize) -> Vm {
    let arrival = step_of(start_us as f64 / MICROS as f64, step_seconds);
    let departure = end_step_of(period.end_us as f64 / MICROS as f64, step_seconds).max(arrival.saturating_add(1));
    let mut cpu = vec![0.0f32; departure.saturating_sub(arrival) as usize];
    for (&step, &seconds) in period.cpu_seconds.range(arrival..departure) {
        if let Some(x) = cpu.get_mut((step - arrival) as usize) {
            *x = (seconds / step_seconds as f64) as f32;
        }
    }
    let peak = cpu.iter().copied().fold(0.0f32, f32::max);
    let memory = vec![memory_gib; cpu.len()];
    Vm {
        tenant: None,
        vm_type: None,
        id: VmId(u32::try_from(index).unwrap_or(u32::MAX)),
        arrival: Step(arrival),
        departure: Step(departure),
        request: Resources::new(peak.ceil().max(1.0), memory_gib),
        priority: Priority::OnDemand,
        usage: Usage { cpu, memory },
    }
}
