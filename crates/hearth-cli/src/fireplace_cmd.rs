//! `hearth fireplace`: train FirePlace by hindsight imitation and evaluate
//! it on held-out data.

use crate::compare::{collect, jobs, size_all, PolicyResult};
use crate::fleet_args::FleetArgs;
use crate::output::write_json;
use crate::policies::{decider, PolicyContext};
use crate::samples::{DefaultWorkload, Part, SampleArrivals, SampleUsage};
use crate::workload_file::WorkloadFileArgs;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use hearth_place::fireplace::{train, Arena, Family, TrainSettings};
use hearth_place::{Objective, Teacher};
use hearth_sim::{servers_needed, Admission, Decider, FleetSpec, SimConfig, SizingOptions};
use hearth_trace::{split_by_time, Workload};
use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum FirePlaceCmd {
    /// Train a FirePlace model by imitating the hindsight teacher (with DAgger rounds).
    Train(TrainArgs),
    /// Servers needed by FirePlace, the heuristics, the forecast baselines and the teacher on held-out data.
    Eval(EvalArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FamilyArg {
    Tree,
    Forest,
    Gbdt,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ObjectiveArg {
    /// Server-steps of overload added (ties: peak): aligned with the overload limit.
    Overload,
    /// FirePlace's normalised future peak (L2 of CPU and memory).
    Peak,
}

/// The default workloads composed from the shipped samples.
#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Arrival trace of the default workloads: the Azure zone sample in real time, or openb
    /// time-scaled (then --vms VMs per workload).
    #[arg(long, value_enum, default_value_t = SampleArrivals::Azure)]
    pub sample: SampleArrivals,
    /// Usage trace of the default workloads.
    #[arg(long, value_enum, default_value_t = SampleUsage::Bitbrains)]
    pub sample_usage: SampleUsage,
    /// VMs of each default openb workload.
    #[arg(long, default_value_t = 20_000)]
    pub vms: usize,
    /// Which VMs share a usage source (see `hearth trace compose --help`).
    #[arg(long, value_enum, default_value_t = crate::trace_cmd::UsageByArg::Tenant)]
    pub usage_by: crate::trace_cmd::UsageByArg,
}

impl SampleArgs {
    pub(crate) fn workload(&self, seed: u64) -> DefaultWorkload {
        let mut d = DefaultWorkload::of(self.sample, self.sample_usage, seed);
        d.vms = self.vms;
        d.usage_by = self.usage_by.into();
        d
    }
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Training workload; its last 20% of arrivals are held out for validation. Default: the
    /// training and validation parts of the shipped samples.
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[arg(long = "model", value_enum, default_value_t = FamilyArg::Tree)]
    pub family: FamilyArg,
    /// Candidates sampled per decision.
    #[arg(long, default_value_t = 2)]
    pub k: usize,
    #[arg(long, default_value_t = 2)]
    pub dagger_rounds: usize,
    /// Extra copies, in training rollouts, of the decisions where the candidates differ in the
    /// teacher's objective (one would overload, the other not); ties on it are the vast majority.
    #[arg(long, default_value_t = 0)]
    pub critical_copies: usize,
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Overload)]
    pub teacher: ObjectiveArg,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The FirePlace model; repeat the flag to add the neural policies' models (`nn` feature).
    #[arg(long, required = true)]
    pub model: Vec<PathBuf>,
    /// Evaluate on the validation part of the samples instead of the test part: for choosing
    /// training settings without looking at the test data.
    #[arg(long)]
    pub validation: bool,
    /// Evaluation workload; default: the test part of the shipped samples (days and VMs training never saw).
    #[arg(long)]
    pub workload: Option<PathBuf>,
    #[command(flatten)]
    pub workload_file: WorkloadFileArgs,
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Largest VM of the default test workload, cores (larger VMs are left out of the pools;
    /// default 8).
    #[arg(long)]
    pub max_vm_cores: Option<f32>,
    /// Largest VM of the default test workload, GiB (default 64 for Azure, 32 for openb).
    #[arg(long)]
    pub max_vm_memory_gib: Option<f32>,
    #[arg(long, value_delimiter = ',', default_value = "0.005,0.01,0.02")]
    pub limits: Vec<f64>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// Policies, comma-separated; default: the heuristics, the forecast baselines, FirePlace and the teachers.
    #[arg(long, value_delimiter = ',')]
    pub policies: Option<Vec<String>>,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub forecast: crate::policies_nn::ForecastRefreshArgs,
    #[arg(long)]
    pub json: Option<PathBuf>,
}

pub fn run(cmd: FirePlaceCmd) -> Result<()> {
    match cmd {
        FirePlaceCmd::Train(a) => train_cmd(a),
        FirePlaceCmd::Eval(a) => eval_cmd(a),
    }
}

pub(crate) fn one_admission(fleet: &FleetArgs) -> Result<Admission> {
    match fleet.admissions()?.as_slice() {
        [a] => Ok(*a),
        _ => bail!("pick one --admission for FirePlace (usage or requests)"),
    }
}

fn train_workloads(a: &TrainArgs) -> Result<(Workload, Workload, String)> {
    match &a.workload {
        Some(p) => {
            let w = a.workload_file.read(p)?;
            Ok((
                split_by_time(&w, 0.0, 0.8)?,
                split_by_time(&w, 0.8, 1.0)?,
                p.display().to_string(),
            ))
        }
        None => {
            let mut d = a.sample.workload(a.seed);
            let t = d.build_part(Part::Train)?;
            d.seed = a.seed + 1;
            let v = d.build_part(Part::Validation)?;
            d.seed = a.seed;
            Ok((t, v, format!("{} ({})", d.describe(), Part::Train.describe(d.arrivals))))
        }
    }
}

/// The fleet where the teacher just meets the limit: the regime to learn.
pub(crate) fn teacher_fleet(w: &Workload, spec: &FleetSpec, config: &SimConfig, teacher: &Teacher) -> Result<usize> {
    let opts = SizingOptions::default();
    let mut make = || Decider::Hindsight(Box::new(teacher.clone()));
    let s = servers_needed(w, spec, config, &opts, &mut make)?;
    s.servers_needed.with_context(|| {
        format!(
            "the teacher meets the limit at no fleet size: {}",
            s.reason.unwrap_or_default()
        )
    })
}

fn train_cmd(a: TrainArgs) -> Result<()> {
    let (train_w, valid_w, source) = train_workloads(&a)?;
    let spec = a.fleet.spec()?;
    let config = a.fleet.config(one_admission(&a.fleet)?, a.seed)?;
    let objective = match a.teacher {
        ObjectiveArg::Overload => Objective::Overload,
        ObjectiveArg::Peak => Objective::NormalisedPeak,
    };
    let teacher = Teacher::new(Some(a.k), objective, a.fleet.overload_threshold);
    let (n_train, n_valid) = (
        teacher_fleet(&train_w, &spec, &config, &teacher)?,
        teacher_fleet(&valid_w, &spec, &config, &teacher)?,
    );
    eprintln!(
        "training on {source}: {} VMs, rollouts on {n_train} servers (validation: {} VMs, {n_valid} servers)",
        train_w.vms.len(),
        valid_w.vms.len()
    );
    let family = match a.family {
        FamilyArg::Tree => Family::Tree,
        FamilyArg::Forest => Family::Forest,
        FamilyArg::Gbdt => Family::Gbdt,
    };
    let settings = TrainSettings {
        k: a.k,
        family,
        teacher,
        dagger_rounds: a.dagger_rounds,
        config,
        seed: a.seed,
        critical_copies: a.critical_copies,
    };
    let bar = crate::output::progress(0, "training");
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let trained = train(
        &Arena {
            workload: &train_w,
            fleet: spec.build(n_train),
        },
        &Arena {
            workload: &valid_w,
            fleet: spec.build(n_valid),
        },
        &settings,
    );
    bar.finish_and_clear();
    let (mut model, report) = trained?;
    for (depth, acc) in &report.depth_search {
        println!("depth {depth:>2}: validation imitation accuracy {:.1}%", acc * 100.0);
    }
    for r in &report.rounds {
        println!(
            "round {} ({}): {} decisions, validation imitation accuracy {:.1}%",
            r.round,
            if r.round == 0 { "teacher rollouts" } else { "DAgger" },
            r.training_decisions,
            r.validation_accuracy * 100.0
        );
    }
    println!(
        "power-of-two's rule on the same validation decisions: {:.1}%",
        report.power_of_two_accuracy * 100.0
    );
    model.provenance = json!({
        "training_workload": source,
        "training_provenance": train_w.provenance,
        "validation_provenance": valid_w.provenance,
        "seed": a.seed,
        "teacher": format!("{:?}", objective),
        "k": a.k,
        "rollout_servers": {"train": n_train, "validation": n_valid},
        "fleet": a.fleet.describe(),
        "admission": config.admission.name(),
        "report": report,
    });
    model.save(&a.out)?;
    eprintln!(
        "wrote {} ({} model, depth {})",
        a.out.display(),
        model.chooser.params.name(),
        report.depth
    );
    Ok(())
}

/// Every policy hearth knows by name: the heuristics, the learned ones and the teachers.
fn eval_policies() -> Vec<String> {
    hearth_place::HEURISTICS
        .iter()
        .chain(&crate::policies::OTHERS)
        .map(|s| s.to_string())
        .collect()
}

fn eval_cmd(a: EvalArgs) -> Result<()> {
    let models: Vec<&std::path::Path> = a.model.iter().map(PathBuf::as_path).collect();
    let mut ctx = PolicyContext::with_models(&models, a.fleet.overload_threshold)?;
    ctx.nn.set_forecast_refresh(a.forecast.forecast_refresh_steps);
    let (w, source) = match &a.workload {
        Some(p) => (a.workload_file.read(p)?, p.display().to_string()),
        None => {
            let mut d = a.sample.workload(a.seed + 2);
            d.max_vm_cores = a.max_vm_cores.unwrap_or(d.max_vm_cores);
            d.max_vm_memory_gib = a.max_vm_memory_gib.unwrap_or(d.max_vm_memory_gib);
            let part = if a.validation { Part::Validation } else { Part::Test };
            (
                d.build_part(part)?,
                format!("{} ({})", d.describe(), part.describe(d.arrivals)),
            )
        }
    };
    let spec = a.fleet.spec()?;
    let admission = one_admission(&a.fleet)?;
    let policies = a.policies.clone().unwrap_or_else(eval_policies);
    eprintln!("evaluating on {source}: {} VMs", w.vms.len());
    let mut tables = Vec::new();
    for &limit in &a.limits {
        let jobs = jobs(&[admission], &policies, a.seed, a.seeds);
        let opts = SizingOptions {
            overload_limit: limit,
            ..Default::default()
        };
        let results = collect(
            &jobs,
            size_all(&a.fleet, &w, &spec, &jobs, &opts, &ctx)?,
            a.seeds as usize,
        );
        let config = a.fleet.config(admission, a.seed)?;
        let fewer = results
            .iter()
            .map(|r| one_fewer(&w, &spec, &config, r, &ctx))
            .collect::<Result<Vec<_>>>()?;
        print_eval(limit, &results, &fewer);
        tables.push(json!({"overload_limit": limit, "results": results, "one_fewer": fewer}));
    }
    if let Some(path) = &a.json {
        let doc = json!({"workload": {"source": source, "vms": w.vms.len(), "provenance": w.provenance},
            "model": a.model.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(), "seed": a.seed, "seeds": a.seeds,
            "forecast_refresh_steps": a.forecast.forecast_refresh_steps, "tables": tables});
        write_json(path, &doc)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The run at one server fewer than a policy needs (with the seed that gave
/// the median): whether rejections or overloads limit the fleet, i.e. which
/// regime it is in.
#[derive(serde::Serialize)]
struct OneFewer {
    servers: usize,
    seed: u64,
    rejections: u64,
    overload_rate: f64,
}

fn one_fewer(
    w: &Workload,
    spec: &FleetSpec,
    config: &SimConfig,
    r: &PolicyResult,
    ctx: &PolicyContext,
) -> Result<Option<OneFewer>> {
    let Some(n) = r.servers_needed.filter(|&n| n > 1) else {
        return Ok(None);
    };
    let at = r.servers_needed_by_seed.iter().position(|&x| x == Some(n)).unwrap_or(0);
    let config = SimConfig {
        seed: r.seeds[at],
        ..*config
    };
    let m = hearth_sim::run(w, &spec.build(n - 1), &config, &mut decider(&r.policy, ctx)?)?;
    Ok(Some(OneFewer {
        servers: n - 1,
        seed: config.seed,
        rejections: m.rejections,
        overload_rate: m.overload_rate,
    }))
}

fn print_eval(limit: f64, results: &[PolicyResult], fewer: &[Option<OneFewer>]) {
    let p2c = results
        .iter()
        .find(|r| r.policy == "power-of-two")
        .and_then(|r| r.servers_needed);
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "policy",
        "servers needed (median)",
        "by seed",
        "vs power-of-two",
        "overload %",
        "peak/avg",
        "one server fewer: rejections, overload %",
    ]);
    for (r, f) in results.iter().zip(fewer) {
        let by_seed: Vec<String> = r
            .servers_needed_by_seed
            .iter()
            .map(|x| x.map_or("none".into(), |n| n.to_string()))
            .collect();
        let vs = match (r.servers_needed, p2c) {
            (Some(n), Some(p)) => format!("{:+.1}%", (n as f64 / p as f64 - 1.0) * 100.0),
            _ => "-".into(),
        };
        t.add_row(vec![
            r.policy.clone(),
            r.servers_needed.map_or("none".into(), |n| n.to_string()),
            by_seed.join(" "),
            vs,
            format!("{:.2}", r.overload_rate * 100.0),
            format!("{:.2}", r.peak_to_average),
            f.as_ref().map_or("-".into(), |f| {
                format!("{}, {:.2}", f.rejections, f.overload_rate * 100.0)
            }),
        ]);
    }
    println!("overload limit {}%", limit * 100.0);
    println!("{t}");
}
