//! Fitting through smartcore: regression trees and forests, linear/ridge regression, RBF SVR.
//!
//! Every fitted smartcore model is turned into a structure of ours right after fitting:
//! trees into a [`TreeEnsemble`] (read through smartcore's serde form, since its nodes are
//! private), linear models into coefficients, SVR into support vectors and weights. That
//! removes smartcore's generic types and SVR's borrow of the training data from [`crate::Model`].

use serde::Deserialize;
use smartcore::ensemble::random_forest_regressor::{RandomForestRegressor, RandomForestRegressorParameters};
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::linear_regression::{LinearRegression, LinearRegressionParameters};
use smartcore::linear::ridge_regression::{RidgeRegression, RidgeRegressionParameters};
use smartcore::svm::svr::{SVRParameters, SVR};
use smartcore::svm::Kernels;
use smartcore::tree::decision_tree_regressor::{DecisionTreeRegressor, DecisionTreeRegressorParameters};

use crate::model::{LinearModel, SvrModel, TargetScale};
use crate::scaler::StandardScaler;
use crate::trees::{Combine, SourceNode, TreeEnsemble};
use crate::{Dataset, MlError};

type Matrix = DenseMatrix<f64>;

/// smartcore's serialised tree node (the fields we need).
#[derive(Deserialize)]
struct ScNode {
    output: f64,
    split_feature: usize,
    split_value: Option<f64>,
    true_child: Option<usize>,
    false_child: Option<usize>,
}

#[derive(Deserialize)]
struct ScTree {
    nodes: Vec<ScNode>,
}

#[derive(Deserialize)]
struct ScTreeRegressor {
    tree_regressor: Option<ScTree>,
}

#[derive(Deserialize)]
struct ScForest {
    trees: Option<Vec<ScTree>>,
}

#[derive(Deserialize)]
struct ScForestRegressor {
    forest_regressor: Option<ScForest>,
}

/// Settings shared by the single tree and the forest.
pub struct TreeSettings {
    pub trees: usize,
    pub max_depth: u16,
    pub min_samples_leaf: usize,
    pub max_features: Option<usize>,
}

fn matrix(model: &'static str, x: &[f64], rows: usize, cols: usize) -> Result<Matrix, MlError> {
    DenseMatrix::new(rows, cols, x.to_vec(), false).map_err(|e| MlError::library(model, "building the matrix", e))
}

/// Reads a fitted smartcore model's structure through its serde form.
fn structure<T: for<'de> Deserialize<'de>>(model: &'static str, fitted: &impl serde::Serialize) -> Result<T, MlError> {
    let value = serde_json::to_value(fitted).map_err(|e| MlError::library(model, "reading the fitted trees", e))?;
    serde_json::from_value(value).map_err(|e| MlError::library(model, "reading the fitted trees", e))
}

fn push_sc_tree(ensemble: &mut TreeEnsemble, tree: &ScTree) {
    ensemble.push_tree(|i| {
        let n = &tree.nodes[i];
        match (n.true_child, n.false_child) {
            (Some(left), Some(right)) => SourceNode::Split {
                feature: n.split_feature,
                threshold: n.split_value.unwrap_or(f64::NAN),
                left,
                right,
            },
            _ => SourceNode::Leaf(n.output),
        }
    });
}

/// A CART regression tree (MSE splits). On 0/1 targets its leaves are class frequencies,
/// i.e. probabilities, and MSE splitting equals Gini splitting, so it serves classification too.
pub fn fit_tree(data: &Dataset, s: &TreeSettings, seed: u64) -> Result<TreeEnsemble, MlError> {
    const M: &str = "decision tree";
    let x = matrix(M, &data.x, data.rows, data.cols)?;
    let params = DecisionTreeRegressorParameters {
        max_depth: Some(s.max_depth),
        min_samples_leaf: s.min_samples_leaf,
        min_samples_split: 2,
        seed: Some(seed),
    };
    let fitted = DecisionTreeRegressor::fit(&x, &data.y, params).map_err(|e| MlError::library(M, "fitting", e))?;
    let sc: ScTreeRegressor = structure(M, &fitted)?;
    let tree = sc
        .tree_regressor
        .ok_or_else(|| MlError::library(M, "reading the fitted tree", missing()))?;
    let mut ensemble = TreeEnsemble::new(0.0, Combine::Mean);
    push_sc_tree(&mut ensemble, &tree);
    Ok(ensemble)
}

/// A bootstrap random forest of regression trees (probabilities on 0/1 targets, as above).
pub fn fit_forest(data: &Dataset, s: &TreeSettings, seed: u64) -> Result<TreeEnsemble, MlError> {
    const M: &str = "random forest";
    let x = matrix(M, &data.x, data.rows, data.cols)?;
    let params = RandomForestRegressorParameters {
        max_depth: Some(s.max_depth),
        min_samples_leaf: s.min_samples_leaf,
        min_samples_split: 2,
        n_trees: s.trees,
        m: s.max_features.map(|m| m.min(data.cols)),
        keep_samples: false,
        seed,
    };
    let fitted = RandomForestRegressor::fit(&x, &data.y, params).map_err(|e| MlError::library(M, "fitting", e))?;
    let sc: ScForestRegressor = structure(M, &fitted)?;
    let trees = sc.forest_regressor.and_then(|f| f.trees);
    let trees = trees.ok_or_else(|| MlError::library(M, "reading the fitted trees", missing()))?;
    let mut ensemble = TreeEnsemble::new(0.0, Combine::Mean);
    trees.iter().for_each(|t| push_sc_tree(&mut ensemble, t));
    Ok(ensemble)
}

fn missing() -> std::io::Error {
    std::io::Error::other("smartcore's serialised model has no trees")
}

/// Least squares on standardised features: plain (SVD solver) when `ridge == 0`, else ridge
/// (Cholesky) on centred targets, so the intercept is the target mean and is not penalised.
pub fn fit_linear(data: &Dataset, ridge: f64) -> Result<LinearModel, MlError> {
    const M: &str = "linear regression";
    let scaler = StandardScaler::fit(&data.x, data.rows, data.cols);
    let x = matrix(M, &scaler.transform(&data.x), data.rows, data.cols)?;
    let (coef, intercept) = if ridge == 0.0 {
        let params = LinearRegressionParameters::default();
        let fitted = LinearRegression::fit(&x, &data.y, params).map_err(|e| MlError::library(M, "fitting", e))?;
        (fitted.coefficients().iter_col_major(), *fitted.intercept())
    } else {
        let mean = data.y.iter().sum::<f64>() / data.rows as f64;
        let y: Vec<f64> = data.y.iter().map(|v| v - mean).collect();
        let params = RidgeRegressionParameters::default()
            .with_alpha(ridge)
            .with_normalize(false);
        let fitted = RidgeRegression::fit(&x, &y, params).map_err(|e| MlError::library(M, "fitting ridge", e))?;
        (fitted.coefficients().iter_col_major(), mean + *fitted.intercept())
    };
    Ok(LinearModel {
        scaler,
        coef,
        intercept,
    })
}

/// Column-major values of a one-column coefficient matrix.
trait ColMajor {
    fn iter_col_major(&self) -> Vec<f64>;
}

impl ColMajor for Matrix {
    fn iter_col_major(&self) -> Vec<f64> {
        use smartcore::linalg::basic::arrays::Array;
        let (rows, _) = self.shape();
        (0..rows).map(|r| *self.get((r, 0))).collect()
    }
}

/// smartcore's serialised SVR (the fields we need).
#[derive(Deserialize)]
struct ScSvr {
    instances: Option<Vec<Vec<f64>>>,
    w: Option<Vec<f64>>,
    b: f64,
}

/// Epsilon-SVR with an RBF kernel on standardised features. smartcore's `SVR` borrows its
/// training data and parameters, so we keep only what prediction needs: the support vectors,
/// their weights and the bias.
///
/// `data` is what the solver sees (a sample, to bound SMO's cost); `all` is
/// every training row, from which the target scale and the bias are taken.
pub fn fit_svr(
    data: &Dataset,
    all: &Dataset,
    c: f64,
    epsilon: f64,
    gamma: f64,
    scale_target: bool,
) -> Result<SvrModel, MlError> {
    const M: &str = "SVR";
    let scaler = StandardScaler::fit(&data.x, data.rows, data.cols);
    let x = matrix(M, &scaler.transform(&data.x), data.rows, data.cols)?;
    let params = SVRParameters::default()
        .with_c(c)
        .with_eps(epsilon)
        .with_kernel(Kernels::rbf().with_gamma(gamma));
    let target = scale_target.then(|| TargetScale::fit(&all.y));
    let y: Vec<f64> = match target {
        Some(t) => data.y.iter().map(|v| (v - t.mean) / t.sd).collect(),
        None => data.y.clone(),
    };
    let fitted = SVR::fit(&x, &y, &params).map_err(|e| MlError::library(M, "fitting", e))?;
    let sc: ScSvr = structure(M, &fitted)?;
    let (Some(instances), Some(weights)) = (sc.instances, sc.w) else {
        return Err(MlError::library(M, "reading the fitted model", missing()));
    };
    let support = instances.concat();
    let mut model = SvrModel {
        scaler,
        support,
        weights,
        bias: sc.b,
        gamma,
        target,
    };
    if let Some(t) = target {
        let all_y: Vec<f64> = all.y.iter().map(|v| (v - t.mean) / t.sd).collect();
        model.bias = median_residual(&model, all, &all_y);
    }
    Ok(model)
}

/// The median training residual of the kernel part: the bias that
/// minimises absolute training error given the kernel weights. smartcore's
/// own bias can sit far from the data; where test points lie far from every
/// support vector the kernel part is ~0 and the forecast is the bias alone
/// (seen on spot-eviction windows: a constant 0.12–0.33 for a cluster whose
/// rate was always 0).
fn median_residual(model: &SvrModel, data: &Dataset, y: &[f64]) -> f64 {
    let mut residuals: Vec<f64> = (0..data.rows)
        .map(|i| y[i] - model.kernel_sum(data.row(i), 0.0))
        .collect();
    residuals.sort_by(f64::total_cmp);
    residuals.get(residuals.len() / 2).copied().unwrap_or(0.0)
}
