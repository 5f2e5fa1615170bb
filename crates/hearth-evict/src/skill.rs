//! Skill against the better naive forecast, with a confidence interval, so
//! that "model A beats the naive" is a claim the data supports (issue 22).
//!
//! Skill at a horizon is `1 − RMSE(model) / RMSE(reference)`, where the
//! reference is the better, on the scored hours, of `last-rate` and
//! `window-mean` at the same level: the stricter bar. Its 90% interval
//! comes from a moving-block bootstrap (Künsch 1989): the scored samples are
//! grouped into blocks of one cluster's [`BLOCK_HOURS`] consecutive hours,
//! since errors of neighbouring hours are correlated, and whole blocks are
//! redrawn with replacement. A model beats the reference only where the
//! interval lies above zero.

use crate::dataset::{Sample, HORIZONS};
use crate::eval::Evaluation;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// Hours per bootstrap block: a day, the period of the scenario's rhythm.
pub const BLOCK_HOURS: usize = 24;
/// Bootstrap resamples.
pub const RESAMPLES: usize = 1000;
/// The naive forecasts a model is measured against.
pub const NAIVE: [&str; 2] = ["last-rate", "window-mean"];

/// One model's skill at one level and horizon.
#[derive(Clone, Debug, Serialize)]
pub struct Skill {
    pub model: String,
    pub level: String,
    pub horizon_h: usize,
    /// The naive forecast measured against: the one with the lower RMSE.
    pub reference: String,
    pub skill: f64,
    /// The 90% block-bootstrap interval of the skill.
    pub low: f64,
    pub high: f64,
    /// The interval lies above zero.
    pub beats_reference: bool,
}

/// Squared errors per block and horizon of one evaluation's scored samples.
type BlockErrors = Vec<[f64; HORIZONS]>;

/// The skill of every non-naive evaluation whose level has both naive
/// evaluations among `evals`. `samples` are the scored samples, in the order
/// of every evaluation's predictions. Seeded: the same inputs give the same
/// intervals.
pub fn skills(evals: &[Evaluation], samples: &[Sample], seed: u64) -> Vec<Skill> {
    let blocks = block_of(samples);
    let n_blocks = blocks.iter().copied().max().map_or(0, |b| b + 1);
    if n_blocks == 0 {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5c11_b007);
    let draws: Vec<Vec<usize>> = (0..RESAMPLES)
        .map(|_| (0..n_blocks).map(|_| rng.random_range(0..n_blocks)).collect())
        .collect();
    let errors: Vec<Option<BlockErrors>> = evals.iter().map(|e| block_errors(e, &blocks, n_blocks)).collect();
    let mut out = Vec::new();
    for (e, err) in evals.iter().zip(&errors) {
        let Some(err) = err else { continue };
        if NAIVE.contains(&e.model.as_str()) {
            continue;
        }
        for k in 0..HORIZONS {
            let Some((reference, ref_err)) = reference(evals, &errors, &e.level, k) else {
                continue;
            };
            out.push(one_skill(e, k, (reference, ref_err), err, &draws));
        }
    }
    out
}

/// Each sample's block: one cluster's run of [`BLOCK_HOURS`] hours, numbered densely.
fn block_of(samples: &[Sample]) -> Vec<usize> {
    let mut ids: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for s in samples {
        let next = ids.len();
        ids.entry((s.cluster, s.end / BLOCK_HOURS)).or_insert(next);
    }
    samples.iter().map(|s| ids[&(s.cluster, s.end / BLOCK_HOURS)]).collect()
}

/// Summed squared errors per block and horizon; `None` when the evaluation
/// kept no predictions of these samples.
fn block_errors(e: &Evaluation, blocks: &[usize], n_blocks: usize) -> Option<BlockErrors> {
    if e.predictions.len() != blocks.len() || e.truth.len() != blocks.len() {
        return None;
    }
    let mut out = vec![[0.0; HORIZONS]; n_blocks];
    for ((p, t), b) in e.predictions.iter().zip(&e.truth).zip(blocks) {
        for k in 0..HORIZONS {
            let d = p[k] as f64 - t[k] as f64;
            out[*b][k] += d * d;
        }
    }
    Some(out)
}

/// The naive evaluation at `level` with the lower error at horizon `k`.
fn reference<'a>(
    evals: &'a [Evaluation],
    errors: &'a [Option<BlockErrors>],
    level: &str,
    k: usize,
) -> Option<(&'a str, &'a BlockErrors)> {
    let total = |err: &BlockErrors| err.iter().map(|b| b[k]).sum::<f64>();
    let naive: Vec<(&str, &BlockErrors)> = evals
        .iter()
        .zip(errors)
        .filter(|(e, _)| e.level == level && NAIVE.contains(&e.model.as_str()))
        .filter_map(|(e, err)| Some((e.model.as_str(), err.as_ref()?)))
        .collect();
    if naive.len() < NAIVE.len() {
        return None;
    }
    naive.into_iter().min_by(|a, b| total(a.1).total_cmp(&total(b.1)))
}

fn one_skill(
    e: &Evaluation,
    k: usize,
    (reference, ref_err): (&str, &BlockErrors),
    err: &BlockErrors,
    draws: &[Vec<usize>],
) -> Skill {
    // Blocks hold sums, so a ratio of summed squared errors is a ratio of MSEs.
    let skill_of = |pick: &mut dyn Iterator<Item = usize>| {
        let (mut m, mut r) = (0.0, 0.0);
        for b in pick {
            m += err[b][k];
            r += ref_err[b][k];
        }
        if r > 0.0 {
            1.0 - (m / r).sqrt()
        } else {
            f64::NAN
        }
    };
    let skill = skill_of(&mut (0..err.len()));
    let mut boot: Vec<f64> = draws.iter().map(|d| skill_of(&mut d.iter().copied())).collect();
    boot.retain(|s| s.is_finite());
    boot.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        boot.get(((boot.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let (low, high) = (quantile(0.05), quantile(0.95));
    Skill {
        model: e.model.clone(),
        level: e.level.clone(),
        horizon_h: k + 1,
        reference: reference.to_string(),
        skill,
        low,
        high,
        beats_reference: low > 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(model: &str, predictions: Vec<[f32; HORIZONS]>, truth: &[[f32; HORIZONS]]) -> Evaluation {
        Evaluation {
            model: model.into(),
            level: "cluster".into(),
            fit_seconds: 0.0,
            predict_seconds: 0.0,
            interval: None,
            adaptive: None,
            scores: Vec::new(),
            predictions,
            truth: truth.to_vec(),
        }
    }

    /// 4 clusters × 96 hours; truth alternates, so errors of ±0.1 are noise.
    fn case() -> (Vec<Sample>, Vec<[f32; HORIZONS]>) {
        let samples: Vec<Sample> = (0..4)
            .flat_map(|c| (0..96).map(move |end| Sample { cluster: c, end }))
            .collect();
        let truth = samples.iter().map(|s| [(s.end % 2) as f32 * 0.1; HORIZONS]).collect();
        (samples, truth)
    }

    #[test]
    fn a_better_model_beats_the_better_naive_and_an_equal_one_does_not() {
        let (samples, truth) = case();
        let off = |by: f32| truth.iter().map(|t| t.map(|x| x + by)).collect::<Vec<_>>();
        let noisy = |amp: f32| {
            let mut r = ChaCha8Rng::seed_from_u64(1);
            truth
                .iter()
                .map(|t| t.map(|x| x + amp * r.random_range(-1.0..1.0f32)))
                .collect::<Vec<_>>()
        };
        let evals = vec![
            eval("last-rate", off(0.2), &truth),
            eval("window-mean", noisy(0.1), &truth),
            eval("good", noisy(0.02), &truth),
            eval("same", noisy(0.1), &truth),
        ];
        let s = skills(&evals, &samples, 7);
        assert_eq!(s.len(), 2 * HORIZONS);
        let good = &s[0];
        assert_eq!((good.model.as_str(), good.reference.as_str()), ("good", "window-mean"));
        assert!(good.skill > 0.7 && good.low > 0.5 && good.beats_reference, "{good:?}");
        let same = &s[HORIZONS];
        assert!(same.skill.abs() < 1e-9 && !same.beats_reference, "{same:?}");
        assert!(same.low <= 0.0 && same.high >= 0.0, "{same:?}");
        assert_eq!(skills(&evals, &samples, 7)[0].low, good.low, "seeded");
    }

    #[test]
    fn no_skill_without_both_naive_models() {
        let (samples, truth) = case();
        let evals = vec![
            eval("last-rate", truth.clone(), &truth),
            eval("good", truth.clone(), &truth),
        ];
        assert!(skills(&evals, &samples, 7).is_empty());
    }
}
