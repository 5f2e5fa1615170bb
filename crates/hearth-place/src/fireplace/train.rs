//! Training FirePlace by hindsight imitation: roll out the teacher, fit a
//! model to its choices (depth chosen on validation decisions), then DAgger
//! rounds: roll out the learner, label the states it reaches with the
//! teacher, refit on everything.

use super::features::{feature_names, CANDIDATE_FEATURES, ROW_FEATURES};
use super::model_file::FirePlaceModel;
use super::policy::prefers;
use super::rollout::{Recorded, Rollout};
use crate::teacher::Teacher;
use hearth_ml::{Dataset, Model, ModelParams, Task};
use hearth_sim::{run, Decider, Fleet, ServerId, SimConfig};
use hearth_trace::Workload;
use serde::Serialize;
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Tree,
    Forest,
    Gbdt,
}

impl Family {
    fn params(self, depth: u16) -> ModelParams {
        match self {
            Family::Tree => ModelParams::DecisionTree {
                max_depth: depth,
                min_samples_leaf: 5,
            },
            Family::Forest => ModelParams::RandomForest {
                trees: 40,
                max_depth: depth,
                min_samples_leaf: 5,
                max_features: None,
            },
            Family::Gbdt => ModelParams::Gbdt {
                iterations: 80,
                learning_rate: 0.1,
                max_depth: depth as usize,
            },
        }
    }

    /// Depths tried on validation data.
    pub fn depths(self) -> Vec<u16> {
        match self {
            Family::Tree => vec![3, 5, 7, 9, 12],
            Family::Forest => vec![6, 10],
            Family::Gbdt => vec![3, 5],
        }
    }
}

pub struct TrainSettings {
    pub k: usize,
    pub family: Family,
    pub teacher: Teacher,
    pub dagger_rounds: usize,
    pub config: SimConfig,
    pub seed: u64,
    /// Extra copies of critical decisions in training rollouts (see [`Rollout`]).
    pub critical_copies: usize,
}

/// Where training and validation rollouts run.
pub struct Arena<'a> {
    pub workload: &'a Workload,
    pub fleet: Fleet,
}

#[derive(Debug, Serialize, Clone)]
pub struct RoundReport {
    pub round: usize,
    pub training_rows: usize,
    pub training_decisions: u32,
    /// Share of validation decisions where the model picks the teacher's choice.
    pub validation_accuracy: f64,
}

#[derive(Debug, Serialize, Clone)]
pub struct TrainReport {
    pub family: Family,
    pub depth: u16,
    pub depth_search: Vec<(u16, f64)>,
    pub rounds: Vec<RoundReport>,
    /// How often power-of-two's rule makes the teacher's choice on the same
    /// validation decisions: the yardstick for the learner's accuracy.
    pub power_of_two_accuracy: f64,
}

#[derive(Debug, Error)]
pub enum TrainError {
    #[error("simulation failed: {0}")]
    Sim(#[from] hearth_sim::SimError),
    #[error("fitting failed: {0}")]
    Fit(#[from] hearth_ml::MlError),
    #[error(
        "the rollout made no decision with two or more candidates: the fleet is too small or too idle to learn from"
    )]
    NoDecisions,
}

/// Rolls out on `arena` (the teacher acting unless a learner is given).
pub fn roll_out(
    arena: &Arena,
    s: &TrainSettings,
    learner: Option<Arc<FirePlaceModel>>,
    critical_copies: usize,
) -> Result<Recorded, TrainError> {
    let out = Rc::new(RefCell::new(Recorded::default()));
    let mut rollout = Rollout::new(s.teacher.clone(), s.k, learner, out.clone());
    rollout.critical_copies = critical_copies;
    run(
        arena.workload,
        &arena.fleet,
        &s.config,
        &mut Decider::Hindsight(Box::new(rollout)),
    )?;
    let recorded = out.borrow().clone();
    if recorded.decisions == 0 {
        return Err(TrainError::NoDecisions);
    }
    Ok(recorded)
}

/// Column of the candidate's observed CPU share in a row.
const CPU_OBSERVED: usize = super::features::CPU_WINDOWS.len() * 6 + 2;

/// Share of decisions where power-of-two's rule (least observed CPU share,
/// the first listed on ties) picks the teacher's choice.
pub fn power_of_two_accuracy(data: &Recorded) -> f64 {
    let mut best: Vec<(f64, f64)> = vec![(f64::INFINITY, 0.0); data.decisions as usize];
    for (i, (&g, &label)) in data.groups.iter().zip(&data.labels).enumerate() {
        let load = data.rows[i * ROW_FEATURES + CPU_OBSERVED];
        let b = &mut best[g as usize];
        if load < b.0 {
            *b = (load, label);
        }
    }
    best.iter().filter(|(_, label)| *label == 1.0).count() as f64 / best.len().max(1) as f64
}

/// Share of decisions in which the candidate the model would choose is the
/// teacher's: the highest score, ties to the lowest server id, as the
/// deployed policy breaks them ([`super::policy::prefers`]).
pub fn decision_accuracy(model: &Model, data: &Recorded) -> f64 {
    let scores = model.predict(&data.rows, ROW_FEATURES);
    let mut best: Vec<Option<(ServerId, f64, f64)>> = vec![None; data.decisions as usize];
    for (((&g, &p), &label), &s) in data.groups.iter().zip(&scores).zip(&data.labels).zip(&data.servers) {
        let b = &mut best[g as usize];
        if b.is_none_or(|(bs, bp, _)| prefers((s, p), (bs, bp))) {
            *b = Some((s, p, label));
        }
    }
    let right = best.iter().flatten().filter(|(_, _, label)| *label == 1.0).count();
    right as f64 / best.len().max(1) as f64
}

fn fit(family: Family, depth: u16, data: &Recorded, seed: u64) -> Result<Model, TrainError> {
    let set = Dataset::new(data.rows.clone(), data.labels.clone(), ROW_FEATURES, feature_names());
    Ok(family.params(depth).fit(Task::Classification, &set, seed)?)
}

fn fit_forecast(data: &Recorded, seed: u64) -> Result<Model, TrainError> {
    let names = feature_names()[..CANDIDATE_FEATURES].to_vec();
    let set = Dataset::new(
        data.forecast_x.clone(),
        data.forecast_y.clone(),
        CANDIDATE_FEATURES,
        names,
    );
    let params = ModelParams::Gbdt {
        iterations: 80,
        learning_rate: 0.1,
        max_depth: 5,
    };
    Ok(params.fit(Task::Regression, &set, seed)?)
}

/// Trains FirePlace on `train`, choosing depth and judging rounds on `valid`.
pub fn train(train: &Arena, valid: &Arena, s: &TrainSettings) -> Result<(FirePlaceModel, TrainReport), TrainError> {
    let mut data = roll_out(train, s, None, s.critical_copies)?;
    let valid_data = roll_out(valid, s, None, 0)?;
    let mut depth_search = Vec::new();
    for depth in s.family.depths() {
        let m = fit(s.family, depth, &data, s.seed)?;
        depth_search.push((depth, decision_accuracy(&m, &valid_data)));
    }
    let depth = depth_search
        .iter()
        .copied()
        .fold((0, -1.0), |b, d| if d.1 > b.1 { d } else { b })
        .0;
    let mut model = wrap(s, fit(s.family, depth, &data, s.seed)?, None);
    let mut rounds = vec![report(0, &data, &model, &valid_data)];
    for round in 1..=s.dagger_rounds {
        let reached = roll_out(train, s, Some(Arc::new(model.clone())), s.critical_copies)?;
        append(&mut data, reached);
        model = wrap(s, fit(s.family, depth, &data, s.seed)?, None);
        rounds.push(report(round, &data, &model, &valid_data));
    }
    model.forecast = Some(fit_forecast(&data, s.seed)?);
    let report = TrainReport {
        family: s.family,
        depth,
        depth_search,
        rounds,
        power_of_two_accuracy: power_of_two_accuracy(&valid_data),
    };
    Ok((model, report))
}

fn wrap(s: &TrainSettings, chooser: Model, forecast: Option<Model>) -> FirePlaceModel {
    FirePlaceModel {
        k: s.k,
        feature_schema: feature_names(),
        chooser,
        forecast,
        provenance: json!(null),
    }
}

fn report(round: usize, data: &Recorded, model: &FirePlaceModel, valid: &Recorded) -> RoundReport {
    RoundReport {
        round,
        training_rows: data.labels.len(),
        training_decisions: data.decisions,
        validation_accuracy: decision_accuracy(&model.chooser, valid),
    }
}

fn append(data: &mut Recorded, more: Recorded) {
    let offset = data.decisions;
    data.rows.extend(more.rows);
    data.labels.extend(more.labels);
    data.groups.extend(more.groups.into_iter().map(|g| g + offset));
    data.servers.extend(more.servers);
    data.decisions += more.decisions;
    data.forecast_x.extend(more.forecast_x);
    data.forecast_y.extend(more.forecast_y);
}
