//! What one run measures.

use crate::fleet::ServerId;
use hearth_trace::{Step, VmId};
use serde::Serialize;

/// A spot VM evicted to make room for an on-demand one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Eviction {
    pub step: Step,
    pub vm: VmId,
    pub server: ServerId,
    pub cores: f32,
    pub memory_gib: f32,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RunMetrics {
    pub policy: String,
    pub servers: usize,
    /// Servers that hosted at least one VM at some point.
    pub servers_used: usize,
    pub placed: u64,
    pub rejections: u64,
    pub rejected_spot: u64,
    pub evictions: u64,
    /// Server-steps with at least one VM.
    pub active_server_steps: u64,
    /// Active server-steps where CPU load exceeded capacity × the overload
    /// threshold or memory load exceeded capacity.
    pub overloaded_server_steps: u64,
    pub overload_rate: f64,
    pub vm_steps: u64,
    /// VM-steps spent on an overloaded server.
    pub overloaded_vm_steps: u64,
    pub vm_overload_rate: f64,
    /// Mean over steps of (highest CPU utilisation of an active server) /
    /// (mean CPU utilisation of active servers): FirePlace's objective.
    pub peak_to_average: f64,
    /// Mean CPU utilisation (load / capacity) of active server-steps.
    pub utilisation: f64,
    pub placement_seconds: f64,
    pub decisions_per_second: f64,
    pub wall_seconds: f64,
    /// Set when the sizing search stopped the run after this step, certain
    /// that it fails the limit (see `early_stop`): the figures then cover
    /// only the steps up to it and are no measured overload rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_early_at: Option<hearth_trace::Step>,
    #[serde(skip)]
    pub eviction_log: Vec<Eviction>,
    /// Where each VM was placed (by VM id), `None` if rejected.
    #[serde(skip)]
    pub assignment: Vec<Option<ServerId>>,
    /// Load summed over all servers at each step.
    #[serde(skip)]
    pub step_load: Vec<hearth_trace::Resources>,
}

/// Running sums from which the rates are computed at the end.
#[derive(Default)]
pub(crate) struct Accumulator {
    pub active_server_steps: u64,
    pub overloaded_server_steps: u64,
    pub vm_steps: u64,
    pub overloaded_vm_steps: u64,
    pub utilisation_sum: f64,
    pub par_sum: f64,
    pub par_steps: u64,
}

impl Accumulator {
    pub fn finish(&self, m: &mut RunMetrics) {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        m.active_server_steps = self.active_server_steps;
        m.overloaded_server_steps = self.overloaded_server_steps;
        m.overload_rate = ratio(self.overloaded_server_steps, self.active_server_steps);
        m.vm_steps = self.vm_steps;
        m.overloaded_vm_steps = self.overloaded_vm_steps;
        m.vm_overload_rate = ratio(self.overloaded_vm_steps, self.vm_steps);
        m.utilisation = if self.active_server_steps == 0 {
            0.0
        } else {
            self.utilisation_sum / self.active_server_steps as f64
        };
        m.peak_to_average = if self.par_steps == 0 {
            0.0
        } else {
            self.par_sum / self.par_steps as f64
        };
    }
}
