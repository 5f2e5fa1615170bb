//! Fitting: hyperparameters and data into an owned model (linfa's split of
//! params / fit / fitted), dispatched to the library each family comes from.

use crate::gbdt::{fit_gbdt, GbdtSettings};
use crate::model::{Fitted, Model};
use crate::params::ModelParams;
use crate::smart::{fit_forest, fit_linear, fit_svr, fit_tree, TreeSettings};
use crate::{Dataset, MlError, Task};

impl ModelParams {
    /// Validates the data and hyperparameters, fits, and returns an owned model.
    /// Deterministic: the same data, params and seed give bit-identical predictions.
    pub fn fit(&self, task: Task, data: &Dataset, seed: u64) -> Result<Model, MlError> {
        self.validate()?;
        data.validate(task)?;
        let fitted = self.fit_validated(task, data, seed)?;
        let feature_names = (0..data.cols).map(|j| data.feature_name(j)).collect();
        Ok(Model {
            params: self.clone(),
            task,
            feature_names,
            cols: data.cols,
            fitted,
        })
    }

    fn fit_validated(&self, task: Task, data: &Dataset, seed: u64) -> Result<Fitted, MlError> {
        Ok(match *self {
            ModelParams::Linear { ridge } => Fitted::Linear(fit_linear(data, ridge)?),
            ModelParams::Svr {
                c,
                epsilon,
                gamma,
                max_train_rows,
                scale_target,
            } => {
                let sample = data.subsample(max_train_rows.unwrap_or(usize::MAX), seed);
                Fitted::Svr(fit_svr(&sample, data, c, epsilon, gamma, scale_target)?)
            }
            ModelParams::DecisionTree {
                max_depth,
                min_samples_leaf,
            } => {
                let s = TreeSettings {
                    trees: 1,
                    max_depth,
                    min_samples_leaf,
                    max_features: None,
                };
                Fitted::Trees(fit_tree(data, &s, seed)?)
            }
            ModelParams::RandomForest {
                trees,
                max_depth,
                min_samples_leaf,
                max_features,
            } => {
                let s = TreeSettings {
                    trees,
                    max_depth,
                    min_samples_leaf,
                    max_features,
                };
                Fitted::Trees(fit_forest(data, &s, seed)?)
            }
            ModelParams::Gbdt {
                iterations,
                learning_rate,
                max_depth,
            } => {
                let s = GbdtSettings {
                    iterations,
                    learning_rate,
                    max_depth,
                };
                Fitted::Trees(fit_gbdt(task, data, &s, seed)?)
            }
        })
    }
}
