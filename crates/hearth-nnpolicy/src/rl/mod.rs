//! Reinforcement learning (PPO, Schulman et al. 2017) over the k sampled candidates, the
//! FirePlace paper's RL contender. Each decision: k servers drawn uniformly from the fleet,
//! FirePlace's feature row per candidate plus whether it admits the VM; an actor scores each row
//! (softmax over the candidates), a critic values the set.
//!
//! Training runs episodes of the simulator on the training workload. Rewards follow FirePlace's
//! objective: after every step, −(peak-to-average ratio of CPU load across active servers − 1),
//! credited to the last decision made by then, and −`penalty` on a decision whose chosen server
//! cannot admit the VM (it is then placed on an admissible server at random). The loop is kept
//! in pieces: [`rollout`] (what an episode recorded), [`gae`] (advantages), [`clipped`] (the
//! clipped surrogate objective), [`train`] (the iterations), [`policy`] (the deployed policy).

pub mod clipped;
pub mod gae;
pub mod model;
pub mod net;
pub mod policy;
pub mod rollout;
pub mod train;

pub use model::PpoModel;
pub use policy::PpoPolicy;
pub use train::{train, CurvePoint, PpoConfig};
