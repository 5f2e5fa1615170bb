//! A summary of a workload: counts, span, concurrency, the distributions of
//! sizes, lifetimes and utilisation, the fleet-wide CPU usage over time and
//! the provenance. Serialisable (for `--json` output) and printable as an
//! aligned plain-text report.

use crate::units::Step;
use crate::workload::{Priority, Provenance, Workload};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Quantiles of a distribution. Quantiles are computed by linear
/// interpolation between the closest ranks (numpy's default): the q-quantile
/// of n sorted values sits at position q·(n−1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Quantiles {
    pub min: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub max: f64,
}

impl Quantiles {
    /// The quantiles of `values` (sorted in place), or `None` when empty.
    /// NaNs sort last.
    pub fn of(values: &mut [f64]) -> Option<Quantiles> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(|a, b| a.total_cmp(b));
        let at = |q: f64| -> f64 {
            let pos = q * (values.len() - 1) as f64;
            let lo = pos.floor() as usize;
            let hi = pos.ceil() as usize;
            let frac = pos - lo as f64;
            if lo == hi {
                values[lo]
            } else {
                values[lo] + (values[hi] - values[lo]) * frac
            }
        };
        Some(Quantiles {
            min: values[0],
            p10: at(0.1),
            p50: at(0.5),
            p90: at(0.9),
            max: values[values.len() - 1],
        })
    }
}

/// What [`summarize`] tells about a workload.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub vms: usize,
    pub spot_vms: usize,
    pub on_demand_vms: usize,
    pub step_seconds: u32,
    /// First arrival step (0 for an empty workload).
    pub first_step: Step,
    /// Last departure step: one past the last step at which a VM runs.
    pub end_step: Step,
    /// `end_step - first_step`.
    pub span_steps: u32,
    /// The span in hours: `span_steps * step_seconds / 3600`.
    pub span_hours: f64,
    pub observed_from: Step,
    /// Sum of all lifetimes.
    pub vm_steps: u64,
    /// Most VMs alive at one step, and the first step at which that many are.
    pub peak_vms_alive: usize,
    pub peak_vms_alive_step: Step,
    /// `None` for an empty workload.
    pub cpu_request_cores: Option<Quantiles>,
    pub memory_request_gib: Option<Quantiles>,
    pub lifetime_steps: Option<Quantiles>,
    /// Per VM: mean CPU usage over its life divided by its CPU request.
    /// VMs that request no CPU are left out (counted in
    /// `vms_without_cpu_request`); `None` when no VM is left.
    pub mean_cpu_utilisation: Option<Quantiles>,
    pub vms_without_cpu_request: usize,
    /// The largest fleet-wide CPU usage at one step (cores summed over all
    /// VMs alive), and the first step at which it occurs.
    pub cpu_usage_peak_cores: f64,
    pub cpu_usage_peak_step: Step,
    /// Fleet-wide CPU usage averaged over every step of the span (steps at
    /// which no VM runs count as 0).
    pub cpu_usage_mean_cores: f64,
    pub provenance: Provenance,
}

/// Summarises a workload. Runs in O(n log n + VM-steps) time; memory is
/// proportional to the span or to the VM-steps, whichever is smaller (plus
/// a few MB).
pub fn summarize(w: &Workload) -> Summary {
    let n = w.vms.len();
    let spot_vms = w.vms.iter().filter(|vm| vm.priority == Priority::Spot).count();
    let first = w.vms.iter().map(|vm| vm.arrival.0).min().unwrap_or(0);
    let end = w.vms.iter().map(|vm| vm.departure.0).max().unwrap_or(0).max(first);
    let span_steps = end - first;
    let vm_steps = w.vm_steps();

    let (peak, peak_step) = w.peak_alive();

    let mut cpu_req: Vec<f64> = w.vms.iter().map(|vm| vm.request.cpu.0 as f64).collect();
    let mut mem_req: Vec<f64> = w.vms.iter().map(|vm| vm.request.memory.0 as f64).collect();
    let mut lifetimes: Vec<f64> = w
        .vms
        .iter()
        .map(|vm| vm.departure.0.saturating_sub(vm.arrival.0) as f64)
        .collect();
    let mut utilisation: Vec<f64> = w
        .vms
        .iter()
        .filter(|vm| vm.request.cpu.0 > 0.0 && !vm.usage.cpu.is_empty())
        .map(|vm| {
            let mean = vm.usage.cpu.iter().map(|&x| x as f64).sum::<f64>() / vm.usage.cpu.len() as f64;
            mean / vm.request.cpu.0 as f64
        })
        .collect();
    let vms_without_cpu_request = n - utilisation.len();

    let (cpu_usage_peak_cores, cpu_usage_peak_step, total_cpu) = cpu_over_time(w, first, span_steps, vm_steps);

    Summary {
        vms: n,
        spot_vms,
        on_demand_vms: n - spot_vms,
        step_seconds: w.step_seconds,
        first_step: Step(first),
        end_step: Step(end),
        span_steps,
        span_hours: span_steps as f64 * w.step_seconds as f64 / 3600.0,
        observed_from: w.observed_from,
        vm_steps,
        peak_vms_alive: peak,
        peak_vms_alive_step: peak_step,
        cpu_request_cores: Quantiles::of(&mut cpu_req),
        memory_request_gib: Quantiles::of(&mut mem_req),
        lifetime_steps: Quantiles::of(&mut lifetimes),
        mean_cpu_utilisation: Quantiles::of(&mut utilisation),
        vms_without_cpu_request,
        cpu_usage_peak_cores,
        cpu_usage_peak_step: Step(cpu_usage_peak_step),
        cpu_usage_mean_cores: if span_steps > 0 {
            total_cpu / span_steps as f64
        } else {
            0.0
        },
        provenance: w.provenance.clone(),
    }
}

/// Peak of the fleet-wide CPU usage, the first step it occurs, and the total
/// CPU usage (core-steps). Dense over the span unless the span is much
/// longer than the VM-steps (sparse traces), then sparse.
fn cpu_over_time(w: &Workload, first: u32, span: u32, vm_steps: u64) -> (f64, u32, f64) {
    let mut total = 0.0f64;
    if (span as u64) <= vm_steps.max(1 << 20) {
        let mut per_step = vec![0.0f64; span as usize];
        for vm in &w.vms {
            let start = (vm.arrival.0 - first) as usize;
            for (i, &x) in vm.usage.cpu.iter().enumerate() {
                if let Some(slot) = per_step.get_mut(start + i) {
                    *slot += x as f64;
                }
                total += x as f64;
            }
        }
        let (mut peak, mut at) = (0.0f64, first);
        for (i, &x) in per_step.iter().enumerate() {
            if x > peak {
                peak = x;
                at = first + i as u32;
            }
        }
        (peak, at, total)
    } else {
        let mut per_step: BTreeMap<u32, f64> = BTreeMap::new();
        for vm in &w.vms {
            for (i, &x) in vm.usage.cpu.iter().enumerate() {
                *per_step.entry(vm.arrival.0 + i as u32).or_insert(0.0) += x as f64;
                total += x as f64;
            }
        }
        let (mut peak, mut at) = (0.0f64, first);
        for (&t, &x) in &per_step {
            if x > peak {
                peak = x;
                at = t;
            }
        }
        (peak, at, total)
    }
}

/// A number for people: whole numbers without decimals, others with up to
/// three decimals (trailing zeros dropped).
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else if x.is_finite() {
        let s = format!("{x:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        x.to_string()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const W: usize = 24;
        writeln!(
            f,
            "{:<W$}{} (spot {}, on-demand {})",
            "VMs", self.vms, self.spot_vms, self.on_demand_vms
        )?;
        writeln!(f, "{:<W$}{} s", "step length", self.step_seconds)?;
        writeln!(
            f,
            "{:<W$}steps {}..{}: {} steps, {} h",
            "span",
            self.first_step.0,
            self.end_step.0,
            self.span_steps,
            num((self.span_hours * 100.0).round() / 100.0)
        )?;
        writeln!(f, "{:<W$}step {}", "observed from", self.observed_from.0)?;
        writeln!(f, "{:<W$}{}", "VM-steps", self.vm_steps)?;
        writeln!(
            f,
            "{:<W$}{} at step {}",
            "peak VMs alive", self.peak_vms_alive, self.peak_vms_alive_step.0
        )?;
        writeln!(
            f,
            "{:<W$}peak {} at step {}, mean {}",
            "CPU usage, all VMs",
            num(self.cpu_usage_peak_cores),
            self.cpu_usage_peak_step.0,
            num(self.cpu_usage_mean_cores)
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<W$}{:>10}{:>10}{:>10}{:>10}{:>10}",
            "", "min", "p10", "p50", "p90", "max"
        )?;
        let rows = [
            ("CPU request (cores)", &self.cpu_request_cores),
            ("memory request (GiB)", &self.memory_request_gib),
            ("lifetime (steps)", &self.lifetime_steps),
            ("mean CPU utilisation", &self.mean_cpu_utilisation),
        ];
        for (label, q) in rows {
            match q {
                Some(q) => writeln!(
                    f,
                    "{label:<W$}{:>10}{:>10}{:>10}{:>10}{:>10}",
                    num(q.min),
                    num(q.p10),
                    num(q.p50),
                    num(q.p90),
                    num(q.max)
                )?,
                None => writeln!(f, "{label:<W$}{:>10}", "-")?,
            }
        }
        if self.vms_without_cpu_request > 0 {
            let (noun, verb) = if self.vms_without_cpu_request == 1 {
                ("VM", "is")
            } else {
                ("VMs", "are")
            };
            writeln!(
                f,
                "({} {noun} without a CPU request {verb} left out of the utilisation)",
                self.vms_without_cpu_request
            )?;
        }
        writeln!(f)?;
        let n = self.provenance.steps.len();
        writeln!(f, "provenance ({n} step{})", if n == 1 { "" } else { "s" })?;
        for step in &self.provenance.steps {
            let line = serde_json::to_string(step).unwrap_or_else(|e| format!("<unprintable: {e}>"));
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}
