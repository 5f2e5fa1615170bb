//! Placement heuristics, each a small type behind [`hearth_sim::Policy`].

mod best_fit;
mod dot_product;
mod first_fit;
mod power_of_k;
mod random;
mod round_robin;
mod worst_fit;

pub use best_fit::BestFit;
pub use dot_product::DotProduct;
pub use first_fit::FirstFit;
pub use power_of_k::PowerOfK;
pub use random::Random;
pub use round_robin::RoundRobin;
pub use worst_fit::WorstFit;
