//! Same data, params and seed give bit-identical predictions, also after a JSON round trip.

mod common;

use common::{bits, families, plane, step};
use hearth_ml::{Model, Task};

#[test]
fn refitting_is_bit_identical() {
    let data = plane(200, 4);
    for params in families() {
        let a = params.fit(Task::Regression, &data, 42).unwrap();
        let b = params.fit(Task::Regression, &data, 42).unwrap();
        assert_eq!(a, b, "{}", params.name());
        assert_eq!(
            bits(&a.predict(&data.x, data.cols)),
            bits(&b.predict(&data.x, data.cols))
        );
    }
}

#[test]
fn json_round_trip_is_exact() {
    for (task, data) in [(Task::Regression, plane(200, 5)), (Task::Classification, step(200, 6))] {
        for params in families() {
            let model = params.fit(task, &data, 3).unwrap();
            let loaded = Model::from_json(&model.to_json().unwrap()).unwrap();
            assert_eq!(model, loaded, "{}", params.name());
            let (p, q) = (model.predict(&data.x, data.cols), loaded.predict(&data.x, data.cols));
            assert_eq!(bits(&p), bits(&q), "{}", params.name());
        }
    }
}

#[test]
fn model_file_round_trip() {
    let data = step(100, 8);
    let model = families()[4].fit(Task::Classification, &data, 1).unwrap();
    let path = std::env::temp_dir().join(format!("hearth-ml-{}.json", std::process::id()));
    model.save(&path).unwrap();
    let loaded = Model::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(model, loaded);
}

#[test]
fn forest_seed_matters() {
    let data = plane(200, 9);
    let params = &families()[4];
    let a = params.fit(Task::Regression, &data, 1).unwrap();
    let b = params.fit(Task::Regression, &data, 2).unwrap();
    assert_ne!(
        bits(&a.predict(&data.x, data.cols)),
        bits(&b.predict(&data.x, data.cols))
    );
}
