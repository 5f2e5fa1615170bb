//! What the acting policy recorded: per decision the candidates' rows, the action, its
//! log-probability, the critic's value and the reward credited to it.

/// Decisions of one or more episodes, in order.
#[derive(Clone, Debug, Default)]
pub struct Rollout {
    /// Values per row (FirePlace's row plus the admits flag).
    pub features: usize,
    /// Candidates per decision.
    pub k: usize,
    /// Row-major `[decisions, k, features]`, standardised as the network saw them.
    pub obs: Vec<f32>,
    /// Index of the chosen candidate.
    pub actions: Vec<usize>,
    /// Log-probability of the chosen candidate when it was chosen.
    pub logp: Vec<f32>,
    /// The critic's value of the decision's state.
    pub values: Vec<f32>,
    /// Reward credited to each decision.
    pub rewards: Vec<f32>,
    /// Whether the decision is the last of its episode.
    pub ends: Vec<bool>,
    /// Decisions whose chosen server could not admit the VM.
    pub inadmissible: usize,
}

impl Rollout {
    /// An empty rollout of decisions over `k` candidates with rows of `features` values.
    pub fn new(k: usize, features: usize) -> Self {
        Self {
            k,
            features,
            ..Self::default()
        }
    }

    /// Number of decisions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Whether none was recorded.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Records a decision with no reward yet.
    pub fn push(&mut self, obs: &[f32], action: usize, logp: f32, value: f32) {
        debug_assert_eq!(obs.len(), self.k * self.features);
        self.obs.extend_from_slice(obs);
        self.actions.push(action);
        self.logp.push(logp);
        self.values.push(value);
        self.rewards.push(0.0);
        self.ends.push(false);
    }

    /// Adds `r` to the last decision's reward; lost when nothing was decided yet in this episode.
    pub fn credit_last(&mut self, r: f32) {
        if let (Some(last), Some(false)) = (self.rewards.last_mut(), self.ends.last()) {
            *last += r;
        }
    }

    /// Marks the last decision as its episode's end.
    pub fn end_episode(&mut self) {
        if let Some(e) = self.ends.last_mut() {
            *e = true;
        }
    }
}
