//! Each family learns simple functions; held-out rows are the last ones (split by index).

mod common;

use common::{families, plane, step};
use hearth_ml::metrics::{accuracy, r2, rmse};
use hearth_ml::Task;

#[test]
fn every_family_classifies_a_step() {
    let data = step(400, 1);
    let (train, test) = (data.slice(0, 300), data.slice(300, 400));
    for params in families() {
        let model = params.fit(Task::Classification, &train, 7).unwrap();
        let prob = model.predict(&test.x, test.cols);
        assert!(
            prob.iter().all(|p| (0.0..=1.0).contains(p)),
            "{}: probabilities out of [0,1]",
            params.name()
        );
        let acc = accuracy(&test.y, &prob);
        assert!(acc > 0.9, "{}: held-out accuracy {acc}", params.name());
    }
}

#[test]
fn every_family_regresses_a_plane() {
    let data = plane(500, 2);
    let (train, test) = (data.slice(0, 400), data.slice(400, 500));
    for params in families() {
        let model = params.fit(Task::Regression, &train, 7).unwrap();
        let pred = model.predict(&test.x, test.cols);
        let score = r2(&test.y, &pred);
        assert!(
            score > 0.8,
            "{}: held-out R² {score}, RMSE {}",
            params.name(),
            rmse(&test.y, &pred)
        );
    }
}

#[test]
fn predict_matches_predict_row() {
    let data = plane(120, 3);
    for params in families() {
        let model = params.fit(Task::Regression, &data, 1).unwrap();
        let rows: Vec<f64> = (0..data.rows).map(|i| model.predict_row(data.row(i))).collect();
        assert_eq!(
            common::bits(&rows),
            common::bits(&model.predict(&data.x, data.cols)),
            "{}",
            params.name()
        );
    }
}
