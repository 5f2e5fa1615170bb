//! Bad data and bad hyperparameters are reported, naming what is wrong and where.

mod common;

use common::{families, plane, step};
use hearth_ml::{Dataset, MlError, ModelParams, Task};

fn tree() -> ModelParams {
    ModelParams::DecisionTree {
        max_depth: 4,
        min_samples_leaf: 1,
    }
}

#[test]
fn empty_data() {
    let data = Dataset::new(vec![], vec![], 3, vec![]);
    for params in families() {
        let err = params.fit(Task::Regression, &data, 0).unwrap_err();
        assert!(matches!(err, MlError::Empty { rows: 0, cols: 3 }), "{err}");
    }
}

#[test]
fn mismatched_lengths() {
    let mut data = plane(10, 1);
    data.x.pop();
    assert!(matches!(
        tree().fit(Task::Regression, &data, 0),
        Err(MlError::ShapeMismatch { len: 39, .. })
    ));
    let mut data = plane(10, 1);
    data.y.pop();
    data.rows = 10;
    assert!(matches!(
        tree().fit(Task::Regression, &data, 0),
        Err(MlError::TargetLength { len: 9, rows: 10 })
    ));
    let mut data = plane(10, 1);
    data.feature_names.pop();
    assert!(matches!(
        tree().fit(Task::Regression, &data, 0),
        Err(MlError::FeatureNames { len: 3, cols: 4 })
    ));
}

#[test]
fn non_finite_feature_names_row_and_column() {
    let mut data = plane(10, 1);
    data.x[6 * 4 + 2] = f64::NAN;
    let err = tree().fit(Task::Regression, &data, 0).unwrap_err();
    assert!(
        matches!(&err, MlError::NonFinite { row: 6, column: 2, name, .. } if name == "f2"),
        "{err}"
    );
    assert_eq!(err.to_string(), "non-finite value NaN in column 2 ('f2') at row 6");
}

#[test]
fn non_finite_target() {
    let mut data = plane(10, 1);
    data.y[3] = f64::INFINITY;
    assert!(matches!(
        tree().fit(Task::Regression, &data, 0),
        Err(MlError::NonFiniteTarget { row: 3, .. })
    ));
}

#[test]
fn classification_labels_are_zero_or_one() {
    let mut data = step(10, 1);
    data.y[5] = 2.0;
    assert!(matches!(
        tree().fit(Task::Classification, &data, 0),
        Err(MlError::BadLabel { row: 5, .. })
    ));
}

#[test]
fn invalid_hyperparameters() {
    let data = plane(20, 1);
    let bad = [
        ModelParams::Linear { ridge: -1.0 },
        ModelParams::Svr {
            c: 0.0,
            epsilon: 0.1,
            gamma: 1.0,
            max_train_rows: None,
            scale_target: false,
        },
        ModelParams::DecisionTree {
            max_depth: 0,
            min_samples_leaf: 1,
        },
        ModelParams::RandomForest {
            trees: 0,
            max_depth: 3,
            min_samples_leaf: 1,
            max_features: None,
        },
        ModelParams::Gbdt {
            iterations: 10,
            learning_rate: f64::NAN,
            max_depth: 3,
        },
    ];
    for params in bad {
        let err = params.fit(Task::Regression, &data, 0).unwrap_err();
        assert!(matches!(err, MlError::InvalidParam { .. }), "{}: {err}", params.name());
    }
}

#[test]
fn library_errors_carry_context() {
    // Plain least squares needs more rows than columns: smartcore refuses, we say who and when.
    let data = plane(3, 1);
    let err = ModelParams::Linear { ridge: 0.0 }
        .fit(Task::Regression, &data, 0)
        .unwrap_err();
    assert!(
        matches!(
            err,
            MlError::Library {
                model: "linear regression",
                ..
            }
        ),
        "{err}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn corrupt_model_file() {
    assert!(matches!(
        hearth_ml::Model::from_json("{\"params\": 1}"),
        Err(MlError::Json { .. })
    ));
}
