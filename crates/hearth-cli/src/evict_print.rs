//! What `hearth evict` shows: its tables and notes on stdout and stderr,
//! (its progress is drawn by [`crate::progress::Bars`]).

use hearth_evict::eval::{Evaluation, Score};
use hearth_evict::forecast::Forecasts;
use hearth_evict::models;
use hearth_evict::region::Outcome;
use hearth_evict::saved_model::SavedModel;
use hearth_evict::scenario_run::Simulated;
use hearth_evict::skill::Skill;
use hearth_evict::skypilot_study::SkypilotReport;
use hearth_evict::snapshot::{RateDistribution, BANDS};
use hearth_evict::snapshot_input::FileSummary;
use hearth_evict::{Split, HORIZONS};

use crate::table::table;

pub fn print_scenario(sim: &Simulated) {
    let mut t = table(
        [
            "cluster",
            "nodes",
            "cores",
            "demand",
            "allocated",
            "VMs",
            "spot VMs",
            "evictions",
            "rejected",
        ]
        .map(String::from)
        .to_vec(),
    );
    for c in &sim.clusters {
        t.add_row(vec![
            c.cluster.to_string(),
            c.nodes.to_string(),
            format!("{:.0}", c.cores),
            format!("{:.0}%", c.demand_ratio * 100.0),
            format!("{:.0}%", c.mean_allocation * 100.0),
            c.vms.to_string(),
            c.spot_vms.to_string(),
            c.evictions.to_string(),
            c.rejections.to_string(),
        ]);
    }
    println!("{t}");
    print_bands(&sim.eviction_rate_bands);
    println!("simulated in {:.1} s", sim.seconds);
}

pub fn print_file(s: &FileSummary) {
    println!(
        "{}: {} clusters, {} nodes, {} hours from {} ({} cluster-hours without rows, filled by the gap rule)",
        s.path, s.clusters, s.nodes, s.hours, s.first_hour, s.gap_cluster_hours
    );
    print_bands(&s.eviction_rate_bands);
}

/// The share of cluster-hours per eviction-rate band, overall and per utilisation bucket.
pub fn print_bands(bands: &[RateDistribution]) {
    let mut header = vec!["clusters".to_string(), "cluster-hours".into()];
    header.extend(BANDS.iter().map(|b| b.to_string()));
    header.push("mean rate".into());
    let mut t = table(header);
    for d in bands {
        let mut row = vec![format!("{} ({})", d.group, d.clusters), d.cluster_hours.to_string()];
        row.extend(d.shares.iter().map(|s| format!("{:.1}%", s * 100.0)));
        row.push(format!("{:.2}%", d.mean_rate * 100.0));
        t.add_row(row);
    }
    println!("hourly cluster eviction rate (evicted / spot VMs that ran), share of cluster-hours:\n{t}");
}

pub fn print_scores(evals: &[Evaluation], split: Split) {
    let mut header = vec!["model".to_string(), "level".into(), "bucket".into()];
    for k in 1..=HORIZONS {
        header.push(format!("RMSE +{k}h"));
        header.push(format!("MAE +{k}h"));
    }
    header.push("fit s".into());
    let intervals = evals.iter().any(|e| e.interval.is_some());
    if intervals {
        header.push("80% interval coverage +1/+2/+3h".into());
        header.push("adaptive: coverage +1/+2/+3h".into());
    }
    let mut t = table(header);
    for e in evals {
        for bucket in ["all", "low", "medium", "high"] {
            let s: Vec<&Score> = e.scores.iter().filter(|s| s.bucket == bucket).collect();
            if s.is_empty() {
                continue;
            }
            t.add_row(score_row(e, bucket, &s, intervals));
        }
    }
    println!("{split:?} hours, cluster eviction rate:\n{t}");
}

/// Each model's skill against the better naive forecast per horizon, with
/// its 90% block-bootstrap interval; `*` where the interval lies above zero.
pub fn print_skills(skills: &[Skill]) {
    if skills.is_empty() {
        return;
    }
    let mut header = vec!["model".to_string(), "level".into()];
    header.extend((1..=HORIZONS).map(|k| format!("skill +{k}h [90% CI] vs")));
    let mut t = table(header);
    for row in skills.chunks(HORIZONS) {
        let mut cells = vec![row[0].model.clone(), row[0].level.clone()];
        cells.extend(row.iter().map(|s| {
            let mark = if s.beats_reference { "*" } else { "" };
            format!(
                "{:+.1}% [{:+.1}, {:+.1}]{mark} {}",
                s.skill * 100.0,
                s.low * 100.0,
                s.high * 100.0,
                s.reference
            )
        }));
        t.add_row(cells);
    }
    println!("skill = 1 - RMSE / RMSE of the better naive forecast (* the interval excludes zero):\n{t}");
}

/// One (model, bucket) row: RMSE and MAE per horizon, fit time, coverage.
fn score_row(e: &Evaluation, bucket: &str, s: &[&Score], intervals: bool) -> Vec<String> {
    let mut row = vec![e.model.clone(), e.level.clone(), format!("{bucket} ({})", s[0].samples)];
    for x in s {
        row.push(format!("{:.4}", x.rmse));
        row.push(format!("{:.4}", x.mae));
    }
    row.push(format!("{:.1}", e.fit_seconds));
    if intervals {
        let c: Vec<String> = s
            .iter()
            .map(|x| x.coverage.map_or("-".into(), |c| format!("{:.0}%", c * 100.0)))
            .collect();
        row.push(c.join(" / "));
        let a: Vec<String> = s
            .iter()
            .map(|x| x.coverage_adaptive.map_or("-".into(), |c| format!("{:.0}%", c * 100.0)))
            .collect();
        row.push(a.join(" / "));
    }
    row
}

/// Says which models `all` left out of this build, so none goes missing unannounced.
pub fn note_left_out(names: &[String], offered: &[&str]) {
    let left_out = models::left_out_of(names, offered);
    if !left_out.is_empty() {
        eprintln!(
            "note: `all` leaves out {} in this build; rebuild with `--features nn` to run them",
            left_out.join(" and ")
        );
    }
}

/// The SkyPilot check's errors per zone and model.
pub fn print_zones(report: &SkypilotReport) {
    let mut header = vec![
        "zone".to_string(),
        "hours".into(),
        "lost/h (test)".into(),
        "model".into(),
    ];
    header.extend((1..=HORIZONS).flat_map(|k| [format!("RMSE +{k}h"), format!("MAE +{k}h")]));
    let mut t = table(header);
    for r in &report.zones {
        let models: Vec<&str> = r.scores.iter().step_by(HORIZONS).map(|s| s.model.as_str()).collect();
        for (i, m) in models.iter().enumerate() {
            let mut row = vec![
                r.zone.clone(),
                r.hours.to_string(),
                format!("{:.3}", r.test_mean_lost),
                m.to_string(),
            ];
            for s in &r.scores[i * HORIZONS..(i + 1) * HORIZONS] {
                row.push(format!("{:.3}", s.rmse));
                row.push(format!("{:.3}", s.mae));
            }
            t.add_row(row);
        }
    }
    println!("{t}");
    if !report.skipped_too_short.is_empty() {
        println!(
            "too short for a 48-hour window and a time split: {}",
            report.skipped_too_short.join(", ")
        );
    }
}

/// Each cluster's forecast at +1..+3 h with its interval.
pub fn print_forecasts(saved: &SavedModel, f: &Forecasts) {
    let mut header = vec!["cluster".to_string(), "as of (UTC)".into()];
    header.extend((1..=HORIZONS).map(|k| format!("+{k}h rate [80% interval]")));
    let mut t = table(header);
    for rows in f.rows.chunks(HORIZONS) {
        let mut row = vec![rows[0].cluster.clone(), rows[0].as_of.clone()];
        row.extend(
            rows.iter()
                .map(|r| format!("{:.4} [{:.4}, {:.4}]", r.rate, r.lower, r.upper)),
        );
        t.add_row(row);
    }
    println!(
        "{} ({} level) forecasts of the spot eviction rate (evicted / spot VMs that ran):\n{t}",
        saved.model,
        saved.level.name()
    );
    if !f.too_short.is_empty() {
        println!("not forecast, fewer than 48 hours: {}", f.too_short.join(", "));
    }
}

pub fn print_outcomes(outcomes: &[Outcome]) {
    let header = [
        "router",
        "node rule",
        "spot VMs offered",
        "spot rejected",
        "evictions",
        "evictions / 1,000 spot VM-h",
        "spot VMs evicted",
        "on-demand rejected",
        "spot VMs per cluster",
    ];
    let mut t = table(header);
    for o in outcomes {
        let per: Vec<String> = o.spot_vms_per_cluster.iter().map(u64::to_string).collect();
        t.add_row(vec![
            o.router.to_string(),
            o.node_rule.name().to_string(),
            o.spot_vms_offered.to_string(),
            o.spot_vms_rejected.to_string(),
            o.evictions.to_string(),
            format!("{:.2}", o.evictions_per_1000_spot_vm_hours),
            format!("{:.2}%", 100.0 * o.share_spot_evicted),
            format!("{} of {}", o.on_demand_rejected, o.on_demand_vms_offered),
            per.join(" "),
        ]);
    }
    println!("spot placement over the observed hours (after the warm-up):\n{t}");
}
