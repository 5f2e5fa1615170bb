//! Gradient-boosted trees through forust-ml (XGBoost's algorithm, pure Rust).
//!
//! The fitted booster is compiled into a [`TreeEnsemble`] so that one row is scored without
//! building forust's column-major `Matrix`.

use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};

use crate::trees::{below, Combine, SourceNode, TreeEnsemble};
use crate::{Dataset, MlError, Task};

/// Boosting settings.
pub struct GbdtSettings {
    pub iterations: usize,
    pub learning_rate: f64,
    pub max_depth: usize,
}

/// Fits squared loss for regression, log loss for classification (the ensemble then
/// outputs log-odds; [`crate::Model`] applies the sigmoid). Single-threaded, so the result
/// does not depend on the thread count and other jobs on the machine keep their cores.
pub fn fit_gbdt(task: Task, data: &Dataset, s: &GbdtSettings, seed: u64) -> Result<TreeEnsemble, MlError> {
    const M: &str = "GBDT";
    let objective = match task {
        Task::Regression => ObjectiveType::SquaredLoss,
        Task::Classification => ObjectiveType::LogLoss,
    };
    let mut booster = GradientBooster::default()
        .set_objective_type(objective)
        .set_iterations(s.iterations)
        .set_learning_rate(s.learning_rate as f32)
        .set_max_depth(s.max_depth)
        .set_parallel(false)
        .set_seed(seed);
    let columns = column_major(data);
    let matrix = Matrix::new(&columns, data.rows, data.cols);
    booster
        .fit_unweighted(&matrix, &data.y, None)
        .map_err(|e| MlError::library(M, "fitting", e))?;
    Ok(compile(&booster))
}

fn column_major(data: &Dataset) -> Vec<f64> {
    (0..data.cols)
        .flat_map(|c| (0..data.rows).map(move |r| data.x[r * data.cols + c]))
        .collect()
}

/// forust sends `x < t` left; for finite `x` that is `x <= below(t)`, our rule.
fn compile(booster: &GradientBooster) -> TreeEnsemble {
    let mut ensemble = TreeEnsemble::new(booster.base_score, Combine::Sum);
    for tree in &booster.trees {
        ensemble.push_tree(|i| {
            let n = &tree.nodes[i];
            if n.is_leaf {
                SourceNode::Leaf(n.weight_value as f64)
            } else {
                let threshold = below(n.split_value);
                SourceNode::Split {
                    feature: n.split_feature,
                    threshold,
                    left: n.left_child,
                    right: n.right_child,
                }
            }
        });
    }
    ensemble
}
