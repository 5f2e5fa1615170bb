mod common;

use common::{mse_vs_mean, seq_data, HORIZONS};
use hearth_nn::{FittedTcn, NnError, Saved, Seq3, SeqData, TcnRegressor, TrainConfig};

fn small() -> TcnRegressor {
    let train = TrainConfig {
        epochs: 40,
        batch_size: 32,
        learning_rate: 1e-2,
        valid_fraction: 0.2,
        patience: 8,
    };
    TcnRegressor {
        channels: 8,
        kernel: 2,
        blocks: 3,
        train,
    }
}

fn split(data: &SeqData, train: usize) -> SeqData {
    let [_, steps, features] = data.x().dims();
    let head = Seq3::new(
        data.x().values()[..train * steps * features].to_vec(),
        [train, steps, features],
    )
    .unwrap();
    SeqData::new(head, data.y()[..train * HORIZONS].to_vec(), HORIZONS).unwrap()
}

#[test]
fn learns_mean_of_last_steps_better_than_training_mean() {
    let data = seq_data(400, 8, 3, 7);
    let fitted = small().fit(&split(&data, 320), 1).unwrap();
    let pred = fitted.predict(data.x()).unwrap();
    let (base, model) = mse_vs_mean(data.y(), &pred, 320, HORIZONS);
    eprintln!("tcn: baseline mse {base:.4}, model mse {model:.4}");
    assert!(model < 0.3 * base, "model {model} vs baseline {base}");
}

#[test]
fn outputs_depend_only_on_past_steps_within_the_receptive_field() {
    // Causality: the output is read at the last step, so every input step counts; but an input
    // older than the receptive field must not change the output.
    let cfg = TcnRegressor {
        train: TrainConfig {
            epochs: 2,
            ..small().train
        },
        ..small()
    };
    assert_eq!(cfg.receptive_field(), 8);
    let data = seq_data(64, 12, 3, 3);
    let fitted = cfg.fit(&data, 2).unwrap();
    let mut x = data.x().values().to_vec();
    let before = fitted.predict(data.x()).unwrap();
    // Steps 0..4 of every sample lie outside the last step's 8-step field.
    for sample in x.chunks_mut(12 * 3) {
        sample[..4 * 3].iter_mut().for_each(|v| *v += 5.0);
    }
    let after = fitted.predict(&Seq3::new(x.clone(), [64, 12, 3]).unwrap()).unwrap();
    assert_eq!(before, after, "an input outside the receptive field changed the output");
    for sample in x.chunks_mut(12 * 3) {
        sample[11 * 3] += 5.0; // the newest step
    }
    let newest = fitted.predict(&Seq3::new(x, [64, 12, 3]).unwrap()).unwrap();
    assert_ne!(before, newest, "the newest step must matter");
}

#[test]
fn same_seed_is_bit_identical_and_save_load_round_trips() {
    let cfg = TcnRegressor {
        train: TrainConfig {
            epochs: 3,
            ..small().train
        },
        ..small()
    };
    let data = seq_data(200, 8, 3, 5);
    let a = cfg.fit(&data, 5).unwrap();
    let b = cfg.fit(&data, 5).unwrap();
    let pa = a.predict(data.x()).unwrap();
    assert_eq!(pa, b.predict(data.x()).unwrap(), "same seed, different predictions");
    let bytes = a.to_saved().unwrap().to_bytes();
    let saved = Saved::from_bytes(&bytes).unwrap();
    assert_eq!(saved.kind().unwrap(), "tcn");
    assert_eq!(pa, FittedTcn::from_saved(&saved).unwrap().predict(data.x()).unwrap());
    let err = hearth_nn::FittedLstm::from_saved(&saved).unwrap_err();
    assert!(matches!(err, NnError::Persist(_)), "{err}");
}

#[test]
fn bad_settings_are_refused() {
    let data = seq_data(20, 8, 3, 5);
    let cfg = TcnRegressor { blocks: 0, ..small() };
    assert!(matches!(
        cfg.fit(&data, 0),
        Err(NnError::Invalid { what: "blocks", .. })
    ));
    let cfg = TcnRegressor { channels: 0, ..small() };
    assert!(matches!(cfg.fit(&data, 0), Err(NnError::Invalid { .. })));
}
