mod common;

use common::{periodic, tmp};
use hearth_nnpolicy::rl::{train, PpoConfig, PpoModel, PpoPolicy};
use hearth_nnpolicy::PolicyError;
use hearth_sim::{run, Decider, FleetSpec, SimConfig};
use hearth_trace::{Cores, Gib, Resources};

fn fleet(n: usize) -> hearth_sim::Fleet {
    FleetSpec::Homogeneous {
        capacity: Resources {
            cpu: Cores(16.0),
            memory: Gib(64.0),
        },
    }
    .build(n)
}

fn tiny() -> PpoConfig {
    PpoConfig {
        hidden: 8,
        iterations: 3,
        epochs: 2,
        minibatch: 32,
        ..PpoConfig::default()
    }
}

#[test]
fn a_tiny_ppo_run_writes_a_curve_and_a_model_that_places_every_vm() {
    let w = periodic(60, 0, 1.0);
    let mut seen = 0;
    let (model, curve) = train(&tiny(), &w, &fleet(12), &SimConfig::default(), |_| seen += 1).unwrap();
    assert_eq!((curve.len(), seen), (3, 3));
    for p in &curve {
        assert_eq!(p.decisions, 60, "one decision per VM");
        assert!(p.episode_return.is_finite() && p.episode_return <= 0.0, "{p:?}");
        assert!(p.peak_to_average >= 1.0);
        assert!(p.entropy > 0.0 && p.entropy <= 2f64.ln() + 1e-6, "{p:?}");
        assert!(p.value_loss.is_finite() && p.approx_kl.is_finite());
    }

    let path = tmp("ppo.hnn");
    model.save(&path).unwrap();
    let back = PpoModel::load(&path).unwrap();
    assert_eq!(back.meta, model.meta);
    let mut a = Decider::Online(Box::new(PpoPolicy::greedy(&model)));
    let mut b = Decider::Online(Box::new(PpoPolicy::greedy(&back)));
    let (ma, mb) = (
        run(&w, &fleet(12), &SimConfig::default(), &mut a).unwrap(),
        run(&w, &fleet(12), &SimConfig::default(), &mut b).unwrap(),
    );
    assert_eq!(ma.rejections, 0);
    assert_eq!(ma.assignment, mb.assignment, "save/load changed decisions");
}

#[test]
fn bad_settings_and_foreign_files_are_refused() {
    let w = periodic(10, 0, 1.0);
    let cfg = PpoConfig { k: 1, ..tiny() };
    let err = train(&cfg, &w, &fleet(4), &SimConfig::default(), |_| {}).unwrap_err();
    assert!(matches!(err, PolicyError::Invalid { what: "k", .. }), "{err}");

    // A usage forecaster is not a PPO policy.
    let f = hearth_nnpolicy::ForecastConfig {
        architecture: hearth_nnpolicy::Architecture::Tcn,
        width: 4,
        train: hearth_nn::TrainConfig {
            epochs: 1,
            ..Default::default()
        },
        max_windows: 50,
    };
    let (m, _) = hearth_nnpolicy::UsageForecaster::train(&f, &periodic(10, 0, 1.0), 0).unwrap();
    let path = tmp("not-ppo.hnn");
    m.save(&path).unwrap();
    let err = PpoModel::load(&path).unwrap_err();
    assert!(matches!(err, PolicyError::WrongKind { .. }), "{err}");
    assert!(err.to_string().contains("not-ppo.hnn"), "{err}");
}
