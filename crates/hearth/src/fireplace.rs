//! FirePlace training by hindsight imitation (`hearth fireplace train`): the
//! training and validation workloads, rollouts on the fleet where the teacher
//! just meets the limit, the model with its provenance.

use crate::fleet::FleetOptions;
use crate::samples::{DefaultWorkload, Part, SampleArrivals, SampleUsage};
use crate::workload::WorkloadInput;
use anyhow::{bail, Context, Result};
use hearth_place::fireplace::{train, Arena, Family, FirePlaceModel, TrainReport, TrainSettings};
use hearth_place::{Objective, Teacher};
use hearth_sim::Progress;
use hearth_sim::{servers_needed, Admission, Decider, FleetSpec, SimConfig, SizingOptions};
use hearth_trace::{split_by_time, UsageKey, Workload};
use serde_json::json;

/// The default workloads composed from the shipped samples.
#[derive(Clone, Debug)]
pub struct SampleOptions {
    pub sample: SampleArrivals,
    pub sample_usage: SampleUsage,
    /// VMs of each default openb workload.
    pub vms: usize,
    /// Which VMs share a usage source.
    pub usage_by: UsageKey,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            sample: SampleArrivals::Azure,
            sample_usage: SampleUsage::Bitbrains,
            vms: 20_000,
            usage_by: UsageKey::Tenant,
        }
    }
}

impl SampleOptions {
    /// The default workload of these options at `seed`.
    pub fn workload(&self, seed: u64) -> DefaultWorkload {
        let mut d = DefaultWorkload::of(self.sample, self.sample_usage, seed);
        d.vms = self.vms;
        d.usage_by = self.usage_by;
        d
    }
}

/// How to train, with `fireplace train`'s defaults ([`TrainOptions::default`]).
#[derive(Clone)]
pub struct TrainOptions {
    /// Training workload, its last 20% of arrivals held out for validation;
    /// `None`: the training and validation parts of the shipped samples.
    pub workload: Option<WorkloadInput>,
    pub sample: SampleOptions,
    pub family: Family,
    /// Candidates sampled per decision.
    pub k: usize,
    pub dagger_rounds: usize,
    /// Extra copies of the decisions where the candidates differ in the teacher's objective.
    pub critical_copies: usize,
    pub objective: Objective,
    pub seed: u64,
    /// One admission mode.
    pub fleet: FleetOptions,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            workload: None,
            sample: SampleOptions::default(),
            family: Family::Tree,
            k: 2,
            dagger_rounds: 2,
            critical_copies: 0,
            objective: Objective::Overload,
            seed: 0,
            fleet: FleetOptions::default(),
        }
    }
}

/// A trained model (its provenance filled in) and how training went.
pub struct Trained {
    pub model: FirePlaceModel,
    pub report: TrainReport,
}

/// The one admission mode FirePlace trains and is evaluated under.
pub fn one_admission(fleet: &FleetOptions) -> Result<Admission> {
    match fleet.admissions()?.as_slice() {
        [a] => Ok(*a),
        _ => bail!("pick one --admission for FirePlace (usage or requests)"),
    }
}

fn train_workloads(o: &TrainOptions) -> Result<(Workload, Workload, String)> {
    match &o.workload {
        Some(input) => {
            let (w, source) = input.load()?;
            Ok((split_by_time(&w, 0.0, 0.8)?, split_by_time(&w, 0.8, 1.0)?, source))
        }
        None => {
            let mut d = o.sample.workload(o.seed);
            let t = d.build_part(Part::Train)?;
            d.seed = o.seed + 1;
            let v = d.build_part(Part::Validation)?;
            d.seed = o.seed;
            Ok((t, v, format!("{} ({})", d.describe(), Part::Train.describe(d.arrivals))))
        }
    }
}

/// The fleet where the teacher just meets the limit: the regime to learn.
pub fn teacher_fleet(w: &Workload, spec: &FleetSpec, config: &SimConfig, teacher: &Teacher) -> Result<usize> {
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

/// Trains FirePlace: teacher rollouts, then DAgger rounds, the tree's depth
/// chosen on the validation workload.
///
/// Errors: a workload that cannot be read or split, `both` admission modes,
/// a teacher that meets the limit at no fleet size, a failed fit.
pub fn train_model(o: &TrainOptions, progress: &dyn Progress) -> Result<Trained> {
    let (train_w, valid_w, source) = train_workloads(o)?;
    let spec = o.fleet.spec()?;
    let config = o.fleet.config(one_admission(&o.fleet)?, o.seed)?;
    let teacher = Teacher::new(Some(o.k), o.objective, o.fleet.overload_threshold);
    let (n_train, n_valid) = (
        teacher_fleet(&train_w, &spec, &config, &teacher)?,
        teacher_fleet(&valid_w, &spec, &config, &teacher)?,
    );
    progress.note(&format!(
        "training on {source}: {} VMs, rollouts on {n_train} servers (validation: {} VMs, {n_valid} servers)",
        train_w.vms.len(),
        valid_w.vms.len()
    ));
    let settings = TrainSettings {
        k: o.k,
        family: o.family,
        teacher,
        dagger_rounds: o.dagger_rounds,
        config,
        seed: o.seed,
        critical_copies: o.critical_copies,
    };
    progress.begin(0, "training");
    let train_arena = Arena {
        workload: &train_w,
        fleet: spec.build(n_train),
    };
    let valid_arena = Arena {
        workload: &valid_w,
        fleet: spec.build(n_valid),
    };
    let trained = train(&train_arena, &valid_arena, &settings);
    progress.finish();
    let (mut model, report) = trained?;
    model.provenance = json!({
        "training_workload": source,
        "training_provenance": train_w.provenance,
        "validation_provenance": valid_w.provenance,
        "seed": o.seed,
        "teacher": format!("{:?}", o.objective),
        "k": o.k,
        "rollout_servers": {"train": n_train, "validation": n_valid},
        "fleet": o.fleet.describe(),
        "admission": config.admission.name(),
        "report": report,
    });
    Ok(Trained { model, report })
}
