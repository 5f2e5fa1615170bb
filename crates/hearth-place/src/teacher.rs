//! The hindsight teacher: sees the future usage of every VM (through the
//! simulator's separately named [`Hindsight`] interface) and picks the
//! candidate server that the future shows to be best.

use crate::sample::sample_admissible;
use hearth_sim::{FleetView, Hindsight, HindsightPolicy, ServerId, SimRng, VmView};
use serde::{Deserialize, Serialize};

/// What the teacher minimises over the new VM's lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// FirePlace's: the future peak of (server load + the VM's usage) as a
    /// fraction of capacity; with memory, the L2 norm of the CPU and memory peaks.
    NormalisedPeak,
    /// The server-steps of overload that placing the VM there adds, ties
    /// broken by the normalised peak: aligned with the overload-rate limit.
    Overload,
}

#[derive(Clone, Debug)]
pub struct Teacher {
    /// Candidates sampled among admissible servers; `None`: all of them.
    pub k: Option<usize>,
    pub objective: Objective,
    /// The simulation's overload threshold (CPU), so the teacher counts what the metric counts.
    pub overload_threshold: f32,
}

impl Teacher {
    pub fn new(k: Option<usize>, objective: Objective, overload_threshold: f32) -> Teacher {
        Teacher {
            k,
            objective,
            overload_threshold,
        }
    }

    /// The best of the given candidates (ties: lowest server id).
    pub fn best_of(&self, candidates: &[ServerId], fleet: &FleetView, future: &Hindsight) -> Option<ServerId> {
        Self::pick(candidates, &self.scores(candidates, fleet, future))
    }

    /// Each candidate's score, in the candidates' order.
    pub fn scores(&self, candidates: &[ServerId], fleet: &FleetView, future: &Hindsight) -> Vec<(f64, f64)> {
        candidates.iter().map(|&s| self.score(s, fleet, future)).collect()
    }

    /// The candidate with the lowest score (ties: lowest server id).
    pub fn pick(candidates: &[ServerId], scores: &[(f64, f64)]) -> Option<ServerId> {
        let best = candidates
            .iter()
            .zip(scores)
            .min_by(|(a, sa), (b, sb)| sa.partial_cmp(sb).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(b)));
        best.map(|(&s, _)| s)
    }

    /// (primary, tie-break): lower is better.
    fn score(&self, s: ServerId, fleet: &FleetView, future: &Hindsight) -> (f64, f64) {
        let cap = fleet.capacity(s);
        let (cpu, vm_cpu) = (future.server_cpu(s), future.vm_cpu());
        let (mem, vm_mem) = (future.server_memory(s), future.vm_memory());
        let cpu_limit = cap.cpu.0 * self.overload_threshold;
        let (mut peak_cpu, mut peak_mem, mut added) = (0.0f32, 0.0f32, 0i64);
        for t in 0..cpu.len() {
            let (c, m) = (cpu[t] + vm_cpu[t], mem[t] + vm_mem[t]);
            peak_cpu = peak_cpu.max(c);
            peak_mem = peak_mem.max(m);
            let over_with = c > cpu_limit || m > cap.memory.0;
            let over_without = cpu[t] > cpu_limit || mem[t] > cap.memory.0;
            added += i64::from(over_with) - i64::from(over_without);
        }
        let share = |x: f32, c: f32| if c > 0.0 { (x / c) as f64 } else { 0.0 };
        let peak = share(peak_cpu, cap.cpu.0).hypot(share(peak_mem, cap.memory.0));
        match self.objective {
            Objective::NormalisedPeak => (peak, 0.0),
            Objective::Overload => (added as f64, peak),
        }
    }

    pub fn candidates(&self, vm: &VmView, fleet: &FleetView, rng: &mut SimRng) -> Vec<ServerId> {
        match self.k {
            Some(k) => sample_admissible(k, vm, fleet, rng),
            None => fleet.ids().filter(|&s| fleet.admits(s, vm)).collect(),
        }
    }
}

impl HindsightPolicy for Teacher {
    fn name(&self) -> String {
        let objective = match self.objective {
            Objective::NormalisedPeak => "-peak",
            Objective::Overload => "",
        };
        match self.k {
            Some(2) => format!("teacher{objective}"),
            Some(k) => format!("teacher{objective}-k{k}"),
            None => format!("teacher{objective}-all"),
        }
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, future: &Hindsight, rng: &mut SimRng) -> Option<ServerId> {
        let candidates = self.candidates(vm, fleet, rng);
        self.best_of(&candidates, fleet, future)
    }
}
