//! FirePlace (Balaji, Kakovitch, Narayanaswamy, MLSys 2021): placement by
//! hindsight imitation. A decision tree (or forest, or GBDT) over features
//! of k sampled candidates learns to make the hindsight teacher's choice
//! from what is observable now.

pub mod features;
pub mod forecast;
pub mod history_features;
pub mod model_file;
pub mod policy;
pub mod rollout;
pub mod train;

pub use forecast::{ForecastPolicy, Forecaster};
pub use model_file::{FirePlaceModel, ModelFileError};
pub use policy::FirePlace;
pub use train::{train, Arena, Family, TrainError, TrainReport, TrainSettings};
