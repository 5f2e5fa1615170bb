mod common;

use common::{mse_vs_mean, seq_data, HORIZONS};
use hearth_nn::{FittedLstm, LstmRegressor, NnError, Saved, Seq3, SeqData, TrainConfig};

fn small() -> LstmRegressor {
    let train = TrainConfig {
        epochs: 40,
        batch_size: 32,
        learning_rate: 1e-2,
        valid_fraction: 0.2,
        patience: 8,
    };
    LstmRegressor { hidden: 16, train }
}

/// Fits on the first `train` samples, returns (baseline MSE, model MSE) on the rest.
fn fit_and_score(cfg: &LstmRegressor, seed: u64) -> (f64, f64, FittedLstm, SeqData) {
    let (n, train, steps, features) = (400, 320, 8, 3);
    let data = seq_data(n, steps, features, 7);
    let head = Seq3::new(
        data.x().values()[..train * steps * features].to_vec(),
        [train, steps, features],
    )
    .unwrap();
    let head = SeqData::new(head, data.y()[..train * HORIZONS].to_vec(), HORIZONS).unwrap();
    let fitted = cfg.fit(&head, seed).unwrap();
    let pred = fitted.predict(data.x()).unwrap();
    assert_eq!(pred.len(), n * HORIZONS);
    let (base, model) = mse_vs_mean(data.y(), &pred, train, HORIZONS);
    (base, model, fitted, data)
}

#[test]
fn learns_mean_of_last_steps_better_than_training_mean() {
    let (base, model, fitted, _) = fit_and_score(&small(), 1);
    eprintln!(
        "lstm: baseline mse {base:.4}, model mse {model:.4}, report {:?}",
        fitted.report()
    );
    assert!(model < 0.3 * base, "model {model} vs baseline {base}");
}

#[test]
fn same_seed_is_bit_identical_and_save_load_round_trips() {
    let cfg = LstmRegressor {
        train: TrainConfig {
            epochs: 3,
            ..small().train
        },
        ..small()
    };
    let (_, _, a, data) = fit_and_score(&cfg, 5);
    let (_, _, b, _) = fit_and_score(&cfg, 5);
    let pa = a.predict(data.x()).unwrap();
    assert_eq!(pa, b.predict(data.x()).unwrap(), "same seed, different predictions");

    let bytes = a.to_saved().unwrap().to_bytes();
    let back = FittedLstm::from_saved(&Saved::from_bytes(&bytes).unwrap()).unwrap();
    assert_eq!(pa, back.predict(data.x()).unwrap());

    let dir = std::env::temp_dir().join(format!("hearth-nn-lstm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.hnn");
    a.save(&path).unwrap();
    assert_eq!(pa, FittedLstm::load(&path).unwrap().predict(data.x()).unwrap());
    assert_eq!(a.report(), FittedLstm::load(&path).unwrap().report());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shape_and_value_errors_name_the_problem() {
    let err = Seq3::new(vec![0.0; 10], [2, 3, 2]).unwrap_err();
    assert!(matches!(err, NnError::Shape { what: "x", .. }), "{err}");
    assert!(err.to_string().contains("[2, 3, 2]"), "{err}");

    let mut v = vec![0.0; 12];
    v[7] = f32::NAN;
    let err = Seq3::new(v, [2, 3, 2]).unwrap_err();
    assert!(matches!(err, NnError::NonFinite { index: 7, .. }), "{err}");

    let x = Seq3::new(vec![0.0; 12], [2, 3, 2]).unwrap();
    let err = SeqData::new(x.clone(), vec![0.0; 5], 3).unwrap_err();
    assert!(matches!(err, NnError::Shape { what: "y", .. }), "{err}");
    let err = SeqData::new(Seq3::new(vec![], [0, 3, 2]).unwrap(), vec![], 3).unwrap_err();
    assert!(matches!(err, NnError::Empty(_)), "{err}");

    let cfg = LstmRegressor {
        train: TrainConfig {
            epochs: 1,
            ..small().train
        },
        ..small()
    };
    let fitted = cfg.fit(&seq_data(40, 8, 3, 1), 0).unwrap();
    let err = fitted
        .predict(&Seq3::new(vec![0.0; 2 * 8 * 4], [2, 8, 4]).unwrap())
        .unwrap_err();
    assert!(matches!(err, NnError::Shape { what: "x", .. }), "{err}");
    assert!(err.to_string().contains("[samples, 8, 3]"), "{err}");

    let err = Saved::from_bytes(b"not a model").unwrap_err();
    assert!(matches!(err, NnError::File(_)), "{err}");
}

#[test]
fn a_damaged_model_file_is_refused_naming_the_file() {
    let cfg = LstmRegressor {
        train: TrainConfig {
            epochs: 1,
            ..small().train
        },
        ..small()
    };
    let (_, _, fitted, _) = fit_and_score(&cfg, 2);
    let dir = std::env::temp_dir().join(format!("hearth-nn-damage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.hnn");
    fitted.save(&path).unwrap();
    let good = std::fs::read(&path).unwrap();
    let load = |bytes: &[u8]| {
        std::fs::write(&path, bytes).unwrap();
        FittedLstm::load(&path).unwrap_err()
    };
    use hearth_file::FileError;
    for n in [0, 5, good.len() / 2, good.len() - 1] {
        let err = load(&good[..n]);
        assert!(matches!(err, NnError::File(_)), "truncated to {n}: {err}");
        assert!(err.to_string().contains("model.hnn"), "{err}");
    }
    // A byte in the weights, which sit at the end of the body before the checksum.
    let mut bad = good.clone();
    let weight = good.len() - 4 - 16;
    bad[weight] ^= 0x01;
    assert!(matches!(load(&bad), NnError::File(FileError::Checksum { .. })));
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 0x01;
    assert!(matches!(load(&bad), NnError::File(FileError::Checksum { .. })));
    let mut old = good.clone();
    old[8] = b'1';
    assert!(matches!(load(&old), NnError::File(FileError::Version { found: 1, .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}
