//! Placement heuristics, each a small type behind [`hearth_sim::Policy`].

mod best_fit;
mod best_fit_threshold;
mod cosine_similarity;
mod delta_perp_distance;
mod dot_product;
mod first_fit;
mod n_sigma;
mod norm_diff;
mod power_of_k;
mod random;
mod rc_p95;
mod round_robin;
mod shares;
mod weighted_dot_product;
mod worst_fit;

pub use best_fit::BestFit;
pub use best_fit_threshold::BestFitThreshold;
pub use cosine_similarity::CosineSimilarity;
pub use delta_perp_distance::DeltaPerpDistance;
pub use dot_product::DotProduct;
pub use first_fit::FirstFit;
pub use n_sigma::NSigma;
pub use norm_diff::NormDiff;
pub use power_of_k::PowerOfK;
pub use random::Random;
pub use rc_p95::RcP95;
pub use round_robin::RoundRobin;
pub use weighted_dot_product::WeightedDotProduct;
pub use worst_fit::WorstFit;
