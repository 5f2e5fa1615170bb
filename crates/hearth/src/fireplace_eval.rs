//! FirePlace's evaluation (`hearth fireplace eval`): servers needed by
//! FirePlace, the heuristics, the forecast baselines and the teachers on
//! held-out data, at several overload limits, with the run one server below
//! each answer (which constraint binds there).

use crate::compare::{collect, jobs, size_all, PolicyResult};
use crate::fireplace::{one_admission, SampleOptions};
use crate::fleet::FleetOptions;
use crate::policies::{decider, PolicyContext, OTHERS};
use crate::samples::Part;
use crate::workload::WorkloadInput;
use anyhow::Result;
use hearth_sim::Progress;
use hearth_sim::{
    ffd_packing_estimate, fluid_lower_bound, FleetSpec, LowerBound, PackingEstimate, SimConfig, SizingOptions,
};
use hearth_trace::Workload;
use serde::Serialize;
use serde_json::json;
use std::path::PathBuf;

/// What to evaluate on, with `fireplace eval`'s defaults ([`EvalOptions::new`]).
#[derive(Clone)]
pub struct EvalOptions {
    /// The FirePlace model, and the neural policies' models.
    pub models: Vec<PathBuf>,
    /// The validation part of the samples instead of the test part.
    pub validation: bool,
    /// Evaluation workload; `None`: the test part of the shipped samples.
    pub workload: Option<WorkloadInput>,
    pub sample: SampleOptions,
    /// Largest VM of the default test workload, cores (default 8).
    pub max_vm_cores: Option<f32>,
    /// Largest VM of the default test workload, GiB (default 64 for Azure, 32 for openb).
    pub max_vm_memory_gib: Option<f32>,
    /// Overload limits, each a fraction in [0, 1).
    pub limits: Vec<f64>,
    pub seed: u64,
    pub seeds: u64,
    /// Policy names; default ([`eval_policies`]): every policy hearth knows but the neural ones.
    pub policies: Vec<String>,
    /// One admission mode.
    pub fleet: FleetOptions,
    pub forecast_refresh_steps: u32,
}

impl EvalOptions {
    /// The defaults, evaluating the model file `model`.
    pub fn new(model: PathBuf) -> Self {
        EvalOptions {
            models: vec![model],
            validation: false,
            workload: None,
            sample: SampleOptions::default(),
            max_vm_cores: None,
            max_vm_memory_gib: None,
            limits: vec![0.005, 0.01, 0.02],
            seed: 0,
            seeds: 3,
            policies: eval_policies(),
            fleet: FleetOptions::default(),
            forecast_refresh_steps: 1,
        }
    }
}

/// Every policy hearth knows by name: the heuristics, the learned ones and the teachers.
pub fn eval_policies() -> Vec<String> {
    hearth_place::HEURISTICS
        .iter()
        .chain(&OTHERS)
        .map(|s| s.to_string())
        .collect()
}

/// The run at one server fewer than a policy needs (with the seed that gave
/// the median): whether rejections or overloads limit the fleet, i.e. which
/// regime it is in.
#[derive(Serialize)]
pub struct OneFewer {
    pub servers: usize,
    pub seed: u64,
    pub rejections: u64,
    pub overload_rate: f64,
}

/// The results at one overload limit.
pub struct LimitResults {
    pub overload_limit: f64,
    pub results: Vec<PolicyResult>,
    pub one_fewer: Vec<Option<OneFewer>>,
}

/// The whole evaluation.
pub struct Evaluated {
    pub source: String,
    pub workload: Workload,
    pub tables: Vec<LimitResults>,
    /// The fluid lower bound and the FFD packing estimate, as `compare` reports them.
    pub bound: LowerBound,
    pub packing: PackingEstimate,
}

fn eval_workload(o: &EvalOptions) -> Result<(Workload, String)> {
    if let Some(input) = &o.workload {
        return input.load();
    }
    let mut d = o.sample.workload(o.seed + 2);
    d.max_vm_cores = o.max_vm_cores.unwrap_or(d.max_vm_cores);
    d.max_vm_memory_gib = o.max_vm_memory_gib.unwrap_or(d.max_vm_memory_gib);
    let part = if o.validation { Part::Validation } else { Part::Test };
    let w = d.build_part(part)?;
    Ok((w, format!("{} ({})", d.describe(), part.describe(d.arrivals))))
}

/// Sizes every policy at every limit; `each` sees each limit's results as
/// they are done.
pub fn evaluate(o: &EvalOptions, progress: &dyn Progress, each: &mut dyn FnMut(&LimitResults)) -> Result<Evaluated> {
    let ctx = PolicyContext::for_run(&o.models, o.fleet.overload_threshold, o.forecast_refresh_steps)?;
    let (w, source) = eval_workload(o)?;
    let spec = o.fleet.spec()?;
    let admission = one_admission(&o.fleet)?;
    progress.note(&format!("evaluating on {source}: {} VMs", w.vms.len()));
    let mut tables = Vec::new();
    for &limit in &o.limits {
        let jobs = jobs(&[admission], &o.policies, o.seed, o.seeds);
        let opts = SizingOptions {
            overload_limit: limit,
            ..Default::default()
        };
        let sized = size_all(&o.fleet, &w, &spec, &jobs, &opts, &ctx, progress)?;
        let results = collect(&jobs, sized, o.seeds as usize);
        let config = o.fleet.config(admission, o.seed)?;
        let one_fewer = (results.iter())
            .map(|r| one_fewer(&w, &spec, &config, r, &ctx))
            .collect::<Result<Vec<_>>>()?;
        let table = LimitResults {
            overload_limit: limit,
            results,
            one_fewer,
        };
        each(&table);
        tables.push(table);
    }
    let threshold = o.fleet.overload_threshold;
    Ok(Evaluated {
        source,
        bound: fluid_lower_bound(&w, &spec, threshold),
        packing: ffd_packing_estimate(&w, &spec, threshold),
        workload: w,
        tables,
    })
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

impl Evaluated {
    /// The JSON document of `fireplace eval --json`.
    pub fn to_json(&self, o: &EvalOptions) -> serde_json::Value {
        let tables: Vec<_> = (self.tables.iter())
            .map(|t| json!({"overload_limit": t.overload_limit, "results": t.results, "one_fewer": t.one_fewer}))
            .collect();
        let w = &self.workload;
        json!({"workload": {"source": self.source, "vms": w.vms.len(), "provenance": w.provenance},
            "model": o.models.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(), "seed": o.seed,
            "seeds": o.seeds, "forecast_refresh_steps": o.forecast_refresh_steps, "tables": tables,
            "lower_bound": self.bound, "packing_estimate": self.packing})
    }
}
