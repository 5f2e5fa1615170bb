//! Rollouts that record training data: at each decision the teacher labels
//! the sampled candidates; the teacher acts (behaviour cloning) or the
//! learner acts (DAgger: the states the learner reaches, teacher's labels).

use super::features::{rows, CANDIDATE_FEATURES, ROW_FEATURES};
use super::model_file::FirePlaceModel;
use super::policy::choose;
use crate::sample::sample_admissible;
use crate::teacher::Teacher;
use hearth_sim::{FleetView, Hindsight, HindsightPolicy, ServerId, SimRng, VmView};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// Steps ahead of the learned forecast's target (1 h at 300 s).
pub const FORECAST_STEPS: u32 = 12;

/// What rollouts recorded: one row per candidate, grouped by decision.
#[derive(Default, Debug, Clone)]
pub struct Recorded {
    pub rows: Vec<f64>,
    /// 1 for the teacher's choice, else 0.
    pub labels: Vec<f64>,
    /// Decision index of each row.
    pub groups: Vec<u32>,
    /// The candidate server of each row (ties in the learner's score go to
    /// the lowest id, as in the deployed policy).
    pub servers: Vec<ServerId>,
    pub decisions: u32,
    /// The candidate's own features and its next-hour CPU peak (fraction of
    /// capacity) from the VMs already on it: the learned forecast's data.
    pub forecast_x: Vec<f64>,
    pub forecast_y: Vec<f64>,
}

pub struct Rollout {
    pub teacher: Teacher,
    pub k: usize,
    /// `None`: the teacher acts. `Some`: the learner acts (DAgger).
    pub learner: Option<Arc<FirePlaceModel>>,
    pub out: Rc<RefCell<Recorded>>,
    /// Extra copies recorded of decisions where the candidates differ in the
    /// teacher's primary objective (say, one would overload and the other
    /// not): the informative ones, which ties on the objective outnumber.
    pub critical_copies: usize,
    buf: Vec<f64>,
}

impl Rollout {
    pub fn new(teacher: Teacher, k: usize, learner: Option<Arc<FirePlaceModel>>, out: Rc<RefCell<Recorded>>) -> Self {
        Rollout {
            teacher,
            k,
            learner,
            out,
            critical_copies: 0,
            buf: Vec::new(),
        }
    }

    fn record(&mut self, candidates: &[ServerId], label: ServerId, fleet: &FleetView, future: &Hindsight) {
        let mut out = self.out.borrow_mut();
        let group = out.decisions;
        out.decisions += 1;
        for (c, &s) in candidates.iter().enumerate() {
            let row = &self.buf[c * ROW_FEATURES..(c + 1) * ROW_FEATURES];
            out.rows.extend_from_slice(row);
            out.labels.push(f64::from(u8::from(s == label)));
            out.groups.push(group);
            out.servers.push(s);
            out.forecast_x.extend_from_slice(&row[..CANDIDATE_FEATURES]);
            let ahead = future.server_cpu_ahead(s, FORECAST_STEPS);
            let peak = ahead.iter().fold(0f32, |a, &b| a.max(b)) as f64;
            out.forecast_y.push(peak / fleet.capacity(s).cpu.0.max(1e-9) as f64);
        }
    }
}

impl HindsightPolicy for Rollout {
    fn name(&self) -> String {
        match self.learner {
            None => "rollout-teacher".into(),
            Some(_) => "rollout-learner".into(),
        }
    }

    fn uses_history(&self) -> bool {
        true
    }

    fn place(&mut self, vm: &VmView, fleet: &FleetView, future: &Hindsight, rng: &mut SimRng) -> Option<ServerId> {
        let candidates = sample_admissible(self.k, vm, fleet, rng);
        if candidates.len() < 2 {
            return candidates.first().copied();
        }
        let scores = self.teacher.scores(&candidates, fleet, future);
        let label = Teacher::pick(&candidates, &scores)?;
        rows(&candidates, vm, fleet, &mut self.buf);
        let critical = scores.iter().any(|sc| sc.0 != scores[0].0);
        for _ in 0..1 + if critical { self.critical_copies } else { 0 } {
            self.record(&candidates, label, fleet, future);
        }
        Some(match &self.learner {
            None => label,
            Some(model) => choose(model, &candidates, &self.buf),
        })
    }
}
