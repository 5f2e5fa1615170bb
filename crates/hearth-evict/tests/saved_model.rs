//! Save → load → predict gives bit-identical forecasts to the in-memory
//! model, for every family; a model expecting other inputs is refused.

mod common;

use common::run_small;
use hearth_evict::eval::calibrate;
use hearth_evict::forecast::{forecast, iso_utc};
use hearth_evict::models::{self, ModelOptions};
use hearth_evict::nn_options::NnOptions;
use hearth_evict::saved_model::{SavedModel, TrainedOn};
use hearth_evict::snapshot_file::SnapshotSet;
use hearth_evict::{Dataset, Level, Split};

fn trained_on(opts: ModelOptions) -> TrainedOn {
    TrainedOn {
        snapshot_file: "test".into(),
        snapshot_sha256: "0".repeat(64),
        first_hour_utc_s: 0,
        train_until_utc_s: 0,
        validation_until_utc_s: 0,
        clusters: 3,
        train_samples: 0,
        validation_samples: 0,
        seed: 7,
        settings: opts,
        hearth_version: "test".into(),
    }
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-evict-saved-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn bits(rows: &[[f32; 3]]) -> Vec<u32> {
    rows.iter().flatten().map(|v| v.to_bits()).collect()
}

#[test]
fn every_family_round_trips_bit_identical() {
    let snaps: Vec<_> = run_small(5).into_iter().map(|r| r.snapshots).collect();
    let data = Dataset::new(snaps.clone()).unwrap();
    let test = data.samples(Split::Test);
    let opts = ModelOptions {
        max_node_train_rows: 400,
        nn: NnOptions {
            epochs: 1,
            max_st_windows: 16,
            width: 8,
        },
    };
    let cases = [
        ("last-rate", Level::Cluster),
        ("linear", Level::Node),
        ("svr", Level::Cluster),
        ("random-forest", Level::Cluster),
        ("gbdt", Level::Cluster),
        ("lstm", Level::Node),
        ("st-transformer", Level::Node),
    ];
    let in_this_build = cases
        .into_iter()
        .filter(|(name, _)| models::HAS_NN || !models::NEURAL.contains(name));
    for (name, level) in in_this_build {
        let mut p = models::build(name, level, &opts).unwrap();
        p.fit(&data, 7).unwrap();
        let interval = calibrate(p.as_ref(), &data).unwrap();
        let saved = SavedModel::capture(p.as_ref(), trained_on(opts), interval).unwrap();
        let path = tmp(&format!("{name}.json"));
        saved.save(&path).unwrap();
        let loaded = SavedModel::load(&path).unwrap();
        assert_eq!(loaded, saved, "{name}");
        let q = loaded.predictor().unwrap();
        assert_eq!((q.name(), q.level()), (p.name(), p.level()));
        let (a, b) = (p.predict(&data, test).unwrap(), q.predict(&data, test).unwrap());
        assert_eq!(bits(&a), bits(&b), "{name} at {level:?}");
        // The product path agrees too.
        let set = SnapshotSet::from_simulation(snaps.clone()).unwrap();
        let f1 = forecast(p.as_ref(), &saved.interval, set.clone()).unwrap();
        let f2 = forecast(q.as_ref(), &loaded.interval, set).unwrap();
        assert_eq!(f1.rows, f2.rows, "{name}");
        assert_eq!(f1.rows.len(), 3 * 3);
        assert!(f1.rows.iter().all(|r| r.lower <= r.rate && r.rate <= r.upper), "{name}");
    }
}

#[test]
fn a_model_expecting_other_features_or_another_family_is_refused() {
    let data = Dataset::new(run_small(6).into_iter().map(|r| r.snapshots).collect()).unwrap();
    let opts = ModelOptions::default();
    let mut p = models::build("gbdt", Level::Cluster, &opts).unwrap();
    p.fit(&data, 1).unwrap();
    let interval = calibrate(p.as_ref(), &data).unwrap();
    let saved = SavedModel::capture(p.as_ref(), trained_on(opts), interval).unwrap();

    let mut other = saved.clone();
    other.features[3] = "on_demand_vm_count_avg".into();
    let e = other.predictor().err().unwrap().to_string();
    assert!(
        e.contains("expects other features") && e.contains("on_demand_vm_count_avg"),
        "{e}"
    );

    let mut other = saved.clone();
    other.window_h = 24;
    assert!(other.predictor().err().unwrap().to_string().contains("24-hour windows"));

    let mut other = saved.clone();
    other.model = "lstm".into();
    assert!(other
        .predictor()
        .err()
        .unwrap()
        .to_string()
        .contains("does not fit a lstm model"));

    // On disk: a changed byte, another version, another kind of file, other features.
    let path = tmp("gbdt.json");
    saved.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let load_err = |text: String| {
        std::fs::write(&path, text).unwrap();
        SavedModel::load(&path).err().map(|e| e.to_string()).unwrap_or_default()
    };
    let e = load_err(text.replacen("\"seed\":7", "\"seed\":8", 1));
    assert!(e.contains("gbdt.json") && e.contains("checksum mismatch"), "{e}");
    let e = load_err(text.replacen("\"version\":1", "\"version\":2", 1));
    assert!(e.contains("version 2; this build reads version 1"), "{e}");
    let e = load_err(text.replacen("hearth-evict-model", "hearth-fireplace-model", 1));
    assert!(e.contains("not a \"hearth-evict-model\" file"), "{e}");
    let mut other = saved.clone();
    other.features.pop();
    other.save(&path).unwrap();
    let e = SavedModel::load(&path).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("gbdt.json") && e.contains("expects other features"), "{e}");
}

#[test]
fn as_of_is_iso_utc() {
    assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
    assert_eq!(iso_utc(1_793_491_200 + 96 * 3600), "2026-11-05T00:00:00Z");
    assert_eq!(iso_utc(951_782_400 + 3661), "2000-02-29T01:01:01Z");
}
