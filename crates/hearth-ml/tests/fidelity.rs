//! Our compiled trees, linear coefficients and SVR support vectors predict exactly what the
//! libraries' own `predict` does: the compilation loses nothing.

mod common;

use common::{bits, plane, step};
use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};
use hearth_ml::{ModelParams, StandardScaler, Task};
use smartcore::ensemble::random_forest_regressor::{RandomForestRegressor, RandomForestRegressorParameters};
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::svm::svr::{SVRParameters, SVR};
use smartcore::svm::Kernels;
use smartcore::tree::decision_tree_regressor::{DecisionTreeRegressor, DecisionTreeRegressorParameters};

fn matrix(x: &[f64], cols: usize) -> DenseMatrix<f64> {
    DenseMatrix::new(x.len() / cols, cols, x.to_vec(), false).unwrap()
}

#[test]
fn tree_matches_smartcore() {
    let (train, test) = (plane(300, 1), plane(200, 2));
    let ours = ModelParams::DecisionTree {
        max_depth: 10,
        min_samples_leaf: 2,
    };
    let ours = ours.fit(Task::Regression, &train, 5).unwrap();
    let params = DecisionTreeRegressorParameters {
        max_depth: Some(10),
        min_samples_leaf: 2,
        min_samples_split: 2,
        seed: Some(5),
    };
    let theirs = DecisionTreeRegressor::fit(&matrix(&train.x, 4), &train.y, params).unwrap();
    let expected: Vec<f64> = theirs.predict(&matrix(&test.x, 4)).unwrap();
    assert_eq!(bits(&ours.predict(&test.x, 4)), bits(&expected));
}

#[test]
fn forest_matches_smartcore() {
    let (train, test) = (plane(300, 1), plane(200, 2));
    let ours = ModelParams::RandomForest {
        trees: 20,
        max_depth: 8,
        min_samples_leaf: 1,
        max_features: Some(2),
    };
    let ours = ours.fit(Task::Regression, &train, 9).unwrap();
    let params = RandomForestRegressorParameters::default()
        .with_n_trees(20)
        .with_max_depth(8)
        .with_m(2)
        .with_seed(9);
    let params = params.with_min_samples_leaf(1);
    let theirs = RandomForestRegressor::fit(&matrix(&train.x, 4), &train.y, params).unwrap();
    let expected: Vec<f64> = theirs.predict(&matrix(&test.x, 4)).unwrap();
    assert_eq!(bits(&ours.predict(&test.x, 4)), bits(&expected));
}

fn column_major(x: &[f64], cols: usize) -> Vec<f64> {
    let rows = x.len() / cols;
    (0..cols)
        .flat_map(|c| (0..rows).map(move |r| x[r * cols + c]))
        .collect()
}

#[test]
fn gbdt_matches_forust() {
    for (task, objective, train, test) in [
        (
            Task::Regression,
            ObjectiveType::SquaredLoss,
            plane(300, 1),
            plane(200, 2),
        ),
        (Task::Classification, ObjectiveType::LogLoss, step(300, 1), step(200, 2)),
    ] {
        let ours = ModelParams::Gbdt {
            iterations: 40,
            learning_rate: 0.3,
            max_depth: 4,
        };
        let ours = ours.fit(task, &train, 3).unwrap();
        let mut theirs = GradientBooster::default()
            .set_objective_type(objective)
            .set_iterations(40);
        theirs = theirs
            .set_learning_rate(0.3)
            .set_max_depth(4)
            .set_parallel(false)
            .set_seed(3);
        let cols = train.cols;
        let train_cm = column_major(&train.x, cols);
        theirs
            .fit_unweighted(&Matrix::new(&train_cm, train.rows, cols), &train.y, None)
            .unwrap();
        let test_cm = column_major(&test.x, cols);
        let mut expected = theirs.predict(&Matrix::new(&test_cm, test.rows, cols), false);
        if task == Task::Classification {
            expected.iter_mut().for_each(|p| *p = 1.0 / (1.0 + (-*p).exp()));
        }
        assert_eq!(bits(&ours.predict(&test.x, cols)), bits(&expected), "{task:?}");
    }
}

#[test]
fn svr_matches_smartcore() {
    let (train, test) = (plane(150, 1), plane(50, 2));
    let ours = ModelParams::Svr {
        c: 5.0,
        epsilon: 0.1,
        gamma: 0.3,
        max_train_rows: None,
        scale_target: false,
    };
    let ours = ours.fit(Task::Regression, &train, 0).unwrap();
    let scaler = StandardScaler::fit(&train.x, train.rows, 4);
    let params = SVRParameters::default()
        .with_c(5.0)
        .with_eps(0.1)
        .with_kernel(Kernels::rbf().with_gamma(0.3));
    let x = matrix(&scaler.transform(&train.x), 4);
    let theirs = SVR::fit(&x, &train.y, &params).unwrap();
    let x_test = matrix(&scaler.transform(&test.x), 4);
    let expected = theirs.predict(&x_test).unwrap();
    let got = ours.predict(&test.x, 4);
    for (a, b) in got.iter().zip(&expected) {
        assert_eq!(a.to_bits(), b.to_bits(), "{a} vs {b}");
    }
}

#[test]
fn svr_subsample_is_seeded() {
    let data = plane(300, 1);
    let params = ModelParams::Svr {
        c: 5.0,
        epsilon: 0.1,
        gamma: 0.3,
        max_train_rows: Some(100),
        scale_target: false,
    };
    let a = params.fit(Task::Regression, &data, 1).unwrap();
    let b = params.fit(Task::Regression, &data, 1).unwrap();
    let c = params.fit(Task::Regression, &data, 2).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let hearth_ml::Fitted::Svr(svr) = &a.fitted else {
        panic!("not an SVR")
    };
    assert!(svr.support_vectors() <= 100);
}

#[test]
fn nan_goes_where_smartcore_sends_it() {
    let train = plane(200, 1);
    let ours = ModelParams::DecisionTree {
        max_depth: 6,
        min_samples_leaf: 1,
    };
    let ours = ours.fit(Task::Regression, &train, 5).unwrap();
    let params = DecisionTreeRegressorParameters {
        max_depth: Some(6),
        min_samples_leaf: 1,
        min_samples_split: 2,
        seed: Some(5),
    };
    let theirs = DecisionTreeRegressor::fit(&matrix(&train.x, 4), &train.y, params).unwrap();
    let mut test = plane(50, 2).x;
    test.iter_mut().step_by(3).for_each(|v| *v = f64::NAN);
    let expected: Vec<f64> = theirs.predict(&matrix(&test, 4)).unwrap();
    assert_eq!(bits(&ours.predict(&test, 4)), bits(&expected));
}

#[test]
fn below_is_the_next_float_down() {
    use hearth_ml::trees::below;
    for t in [1.0, -1.0, 0.5, 1e-300, -1e300, 0.0, -0.0, f64::MIN_POSITIVE] {
        let b = below(t);
        // No float lies strictly between: the midpoint rounds to one of them.
        let mid = b / 2.0 + t / 2.0;
        assert!(b < t && (mid == b || mid == t), "{t}");
    }
    assert_eq!(below(0.0), -f64::from_bits(1));
}
