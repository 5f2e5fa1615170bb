mod common;

use std::sync::Arc;

use common::{periodic, tmp};
use hearth_nn::TrainConfig;
use hearth_nnpolicy::accuracy::evaluate;
use hearth_nnpolicy::window::{windows, HISTORY, HORIZON, INPUT_FEATURES, OUTPUTS};
use hearth_nnpolicy::{Architecture, ForecastConfig, ForecastPlacement, PolicyError, UsageForecaster};
use hearth_sim::{run, Decider, FleetSpec, SimConfig};
use hearth_trace::{Cores, Gib, Resources};

fn tiny(architecture: Architecture) -> ForecastConfig {
    ForecastConfig {
        architecture,
        width: 8,
        train: TrainConfig {
            epochs: 3,
            batch_size: 32,
            learning_rate: 1e-2,
            ..TrainConfig::default()
        },
        max_windows: 400,
    }
}

#[test]
fn windows_hold_the_past_as_input_and_the_future_as_target() {
    let w = periodic(3, 0, 1.0);
    let win = windows(&w, usize::MAX);
    assert_eq!(win.x.len(), win.len() * HISTORY * INPUT_FEATURES);
    assert_eq!(win.y.len(), win.len() * OUTPUTS);
    assert!(win.at.windows(2).all(|p| p[0] <= p[1]), "windows not in time order");
    // Find the window of VM 0 at age 60: its last input is step 59, its first target step 60.
    let vm = &w.vms[0];
    let i = (0..win.len())
        .find(|&i| {
            win.at[i].0 == vm.arrival.0 + 60 && (win.y[i * OUTPUTS] - vm.usage.cpu[60] / vm.request.cpu.0).abs() < 1e-6
        })
        .expect("a window at age 60");
    let x = &win.x[i * HISTORY * INPUT_FEATURES..(i + 1) * HISTORY * INPUT_FEATURES];
    let last = &x[(HISTORY - 1) * INPUT_FEATURES..];
    assert!((last[0] - vm.usage.cpu[59] / vm.request.cpu.0).abs() < 1e-6);
    assert_eq!(last[2], 1.0);
    let y = &win.y[i * OUTPUTS..(i + 1) * OUTPUTS];
    assert!((y[HORIZON - 1] - vm.usage.cpu[79] / vm.request.cpu.0).abs() < 1e-6);
    assert!((y[HORIZON] - 0.5).abs() < 1e-6, "memory target");
    // A young VM's window is padded in front with flag 0.
    let young = (0..win.len()).find(|&i| win.x[(i * HISTORY) * INPUT_FEATURES + 2] == 0.0);
    assert!(young.is_some(), "no padded window of a young VM");
}

#[test]
fn lstm_and_tcn_train_save_load_and_are_scored_beside_the_naive_forecasts() {
    let (train, test) = (periodic(40, 0, 1.0), periodic(12, 0, 1.0));
    for arch in [Architecture::Lstm, Architecture::Tcn] {
        let (model, n) = UsageForecaster::train(&tiny(arch), &train, 1).unwrap();
        assert!(n > 100 && n <= 400, "{n} windows");
        let win = windows(&test, 200);
        let pred = model.predict(win.x.clone()).unwrap();
        assert_eq!(pred.len(), win.len() * OUTPUTS);
        assert!(pred.iter().all(|v| v.is_finite() && *v >= 0.0));

        let path = tmp(&format!("{arch:?}.hnn"));
        model.save(&path).unwrap();
        let back = UsageForecaster::load(&path).unwrap();
        assert_eq!(back.architecture(), arch);
        assert_eq!(
            back.predict(win.x.clone()).unwrap(),
            pred,
            "save/load changed predictions"
        );

        let table = evaluate(Some(("model", &back)), &win).unwrap();
        assert_eq!(table.len(), 4);
        assert!(table.iter().all(|a| a.cpu_rmse >= a.cpu_mae && a.cpu_mae.is_finite()));
        // Memory is a flat 50%: every naive forecast is exact once a step is measured.
        let last_value = &table[1];
        assert!(last_value.memory_mae < 1e-6, "{last_value:?}");
    }
}

#[test]
fn a_corrupt_or_foreign_file_is_refused() {
    let (model, _) = UsageForecaster::train(&tiny(Architecture::Tcn), &periodic(20, 0, 1.0), 3).unwrap();
    let path = tmp("corrupt.hnn");
    model.save(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let err = UsageForecaster::load(&path).unwrap_err();
    assert!(err.to_string().contains("corrupt.hnn"), "{err}");
    let err = UsageForecaster::train(&tiny(Architecture::Lstm), &periodic(0, 0, 1.0), 0).unwrap_err();
    assert!(matches!(err, PolicyError::NoWindows(_)), "{err}");
}

#[test]
fn forecast_placement_sees_only_the_past() {
    // Two workloads identical up to step 60, different after: every VM placed before step 60
    // must go to the same server in both.
    let (model, _) = UsageForecaster::train(&tiny(Architecture::Lstm), &periodic(30, 0, 1.0), 2).unwrap();
    let model = Arc::new(model);
    let (a, b) = (periodic(50, 60, 1.0), periodic(50, 60, 3.0));
    let fleet = FleetSpec::Homogeneous {
        capacity: Resources {
            cpu: Cores(16.0),
            memory: Gib(64.0),
        },
    }
    .build(20);
    let config = SimConfig::default();
    let place = |w| {
        let mut d = Decider::Online(Box::new(ForecastPlacement::new(2, model.clone(), 1)));
        run(w, &fleet, &config, &mut d).unwrap().assignment
    };
    let (pa, pb) = (place(&a), place(&b));
    let before: Vec<usize> = (0..a.vms.len()).filter(|&i| a.vms[i].arrival.0 < 60).collect();
    assert!(before.len() >= 25);
    for i in before {
        assert_eq!(pa[i], pb[i], "VM {i} placed differently: the policy saw the future");
    }
    assert_ne!(pa, pb, "the future usage should change some later decision");
}
