//! Which plots each kind of document gives, with their captions.

use crate::evict_plots as ev;
use crate::inputs::{Compare, Doc, EvictRun, FirePlaceEval, PolicyRow};
use crate::page::{Figure, Section};
use crate::sizing_plots as sz;
use crate::Result;

pub fn section(name: &str, doc: &Doc) -> Result<Section> {
    let mut s = Section {
        heading: String::new(),
        figures: Vec::new(),
        notes: Vec::new(),
    };
    match doc {
        Doc::Compare(c) => compare(name, c, &mut s)?,
        Doc::FirePlaceEval(f) => fireplace(name, f, &mut s)?,
        Doc::EvictRun(e) => evict_run(name, e, &mut s)?,
        Doc::EvictPredict(rows) => {
            s.heading = format!("Eviction forecasts: {name}");
            s.figures.push(Figure {
                svg: ev::predictions("Forecast spot eviction rate per cluster", rows)?,
                caption: format!(
                    "{name}: each cluster's forecast +1..3 h after its last snapshot hour, with the 80% interval."
                ),
            });
        }
    }
    Ok(s)
}

/// Rows grouped by admission mode, in the order first seen.
fn by_admission(rows: &[PolicyRow]) -> Vec<(String, Vec<&PolicyRow>)> {
    let mut out: Vec<(String, Vec<&PolicyRow>)> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|(a, _)| *a == r.admission) {
            Some((_, v)) => v.push(r),
            None => out.push((r.admission.clone(), vec![r])),
        }
    }
    out
}

fn sizing(name: &str, rows: &[PolicyRow], limit: f64, bound: Option<usize>, s: &mut Section) -> Result<()> {
    let pct = limit * 100.0;
    for (admission, rows) in by_admission(rows) {
        s.figures.push(Figure {
            svg: sz::servers_needed(
                &format!("Servers needed, {admission} admission, overload ≤ {pct}%"),
                &rows,
                bound,
            )?,
            caption: format!(
                "{name}: the smallest fleet with no rejection and overload rate ≤ {pct}% per policy; large dot: median \
                 over seeds, small dots and bar: each seed; cross at the right edge: no fleet size meets the limit; \
                 grey: the fluid lower bound (peak total usage), which no policy can beat."
            ),
        });
        if rows.iter().all(|r| r.search.is_empty()) {
            s.notes.push(format!(
                "{name}: no sizing search recorded ({admission}); rerun compare to plot it."
            ));
            continue;
        }
        s.figures.push(Figure {
            svg: sz::overload_vs_fleet(
                &format!("Overload rate against fleet size, {admission} admission"),
                &rows,
                limit,
            )?,
            caption: format!(
                "{name}: every fleet size the search ran for the median seed; crosses on the limit line: runs stopped \
                 early, certain to fail the limit (no measured rate)."
            ),
        });
    }
    Ok(())
}

fn compare(name: &str, c: &Compare, s: &mut Section) -> Result<()> {
    s.heading = format!("Fleet sizing: {name}");
    sizing(
        name,
        &c.results,
        c.overload_limit,
        c.lower_bound.as_ref().map(|b| b.servers),
        s,
    )?;
    if c.chosen_fleet_load.is_empty() {
        s.notes.push(format!(
            "{name}: no load per step (no policy met the limit, or a file from an older hearth)."
        ));
    }
    for l in &c.chosen_fleet_load {
        s.figures.push(Figure {
            svg: sz::step_load(
                &format!(
                    "Load per step: {} on {} servers, {} admission",
                    l.policy, l.servers, l.admission
                ),
                l,
            )?,
            caption: format!(
                "{name}: the chosen fleet (the policy needing fewest servers, at its median seed): CPU utilisation of \
                 the busiest server against the mean of the active servers at each step."
            ),
        });
    }
    Ok(())
}

fn fireplace(name: &str, f: &FirePlaceEval, s: &mut Section) -> Result<()> {
    s.heading = format!("FirePlace evaluation: {name}");
    for t in &f.tables {
        sizing(name, &t.results, t.overload_limit, None, s)?;
    }
    Ok(())
}

fn evict_run(name: &str, e: &EvictRun, s: &mut Section) -> Result<()> {
    s.heading = format!("Spot eviction prediction: {name}");
    s.figures.push(Figure {
        svg: ev::rmse_by_horizon("Eviction rate RMSE by horizon", &e.results)?,
        caption: format!("{name}: RMSE of each model's forecast of the cluster eviction rate over the test hours."),
    });
    s.figures.push(Figure {
        svg: ev::rmse_by_bucket("Eviction rate RMSE by utilisation bucket, +1 h", &e.results_by_bucket)?,
        caption: format!("{name}: RMSE at +1 h over the test clusters of each utilisation bucket."),
    });
    let rmse_1h = |model: &str, level: &str| {
        (e.results.iter())
            .find(|r| r.model == model && r.level == level && r.horizon_h == 1)
            .and_then(|r| r.rmse)
            .unwrap_or(f64::INFINITY)
    };
    let best =
        (e.forecast_series.iter()).min_by(|a, b| rmse_1h(&a.model, &a.level).total_cmp(&rmse_1h(&b.model, &b.level)));
    match best {
        Some(f) => s.figures.push(Figure {
            svg: ev::forecast_vs_actual(&format!("Forecast against actual, cluster {}", f.cluster), f)?,
            caption: format!(
                "{name}: the model with the lowest +1 h RMSE, {} ({}), hour by hour over cluster {}'s test hours, \
                 with its 80% interval calibrated on the validation hours.",
                f.model, f.level, f.cluster
            ),
        }),
        None => s.notes.push(format!(
            "{name}: no forecast series (a file from an older hearth); rerun to plot it."
        )),
    }
    Ok(())
}
