//! What `compare` writes for other tools: the JSON document (results, the
//! fluid lower bound, the FFD packing estimate, the workload's summary and provenance, and the chosen
//! fleet's load per step) and the CSV table.

use crate::compare::{median_index, Compared, PolicyResult};
use crate::output::{csv_text, write_atomic, write_json};
use crate::step_load::{step_load, Run, StepLoad};
use anyhow::Result;
use hearth_sim::FleetSpec;
use hearth_trace::summarize;
use serde_json::json;
use std::path::Path;

impl Compared {
    /// The JSON document of `compare --json`. It runs the chosen fleet once
    /// per admission mode to record its load per step.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        let (opts, w) = (&self.options, &self.workload);
        let loads = self.chosen_fleet_loads()?;
        let s = summarize(w);
        Ok(json!({
            "workload": {
                "source": self.source,
                "vms": s.vms,
                "spot_vms": s.spot_vms,
                "step_seconds": s.step_seconds,
                "span_hours": s.span_hours,
                "peak_vms_alive": s.peak_vms_alive,
                "provenance": w.provenance,
            },
            "fleet": spec_json(&self.spec),
            "overload_limit": opts.overload_limit,
            "overload_threshold": opts.fleet.overload_threshold,
            "seed": opts.seed,
            "seeds": opts.seeds,
            "forecast_refresh_steps": opts.forecast_refresh_steps,
            "results": self.results,
            "lower_bound": self.bound,
            "packing_estimate": self.packing,
            "chosen_fleet_load": loads,
        }))
    }

    /// The load per step of the chosen fleet: for each admission mode, the
    /// policy needing the fewest servers, on that many servers, at its median seed.
    fn chosen_fleet_loads(&self) -> Result<Vec<StepLoad>> {
        let mut loads = Vec::new();
        for admission in self.options.fleet.admissions()? {
            let best = (self.results.iter())
                .filter(|r| r.admission == admission.name())
                .filter_map(|r| Some((r.servers_needed?, r)))
                .min_by_key(|(n, _)| *n);
            let Some((servers, r)) = best else { continue };
            let seed = r.seeds[median_index(&r.servers_needed_by_seed)];
            let run = Run {
                policy: &r.policy,
                admission,
                servers,
                seed,
            };
            let fleet = &self.options.fleet;
            loads.push(step_load(fleet, &self.workload, &self.spec, &run, &self.ctx)?.1);
        }
        Ok(loads)
    }

    /// Writes the JSON document and the CSV table, each atomically, where asked.
    pub fn write(&self, json: Option<&Path>, csv_path: Option<&Path>) -> Result<()> {
        if let Some(path) = json {
            write_json(path, &self.to_json()?)?;
        }
        if let Some(path) = csv_path {
            write_atomic(path, csv(&self.results).as_bytes())?;
        }
        Ok(())
    }
}

fn spec_json(spec: &FleetSpec) -> serde_json::Value {
    match spec {
        FleetSpec::Homogeneous { capacity } => {
            json!({"kind": "homogeneous", "cores": capacity.cpu.0, "memory_gib": capacity.memory.0})
        }
        FleetSpec::Nodes { nodes } => json!({"kind": "node-list", "nodes": nodes.len()}),
    }
}

/// The results as `compare --csv` writes them (header row first).
pub fn csv(results: &[PolicyResult]) -> String {
    csv_text(&CSV_HEADER, &results.iter().map(csv_row).collect::<Vec<_>>())
}

const CSV_HEADER: [&str; 12] = [
    "policy",
    "admission",
    "servers_needed",
    "overload_rate",
    "vm_overload_rate",
    "peak_to_average",
    "utilisation",
    "rejections",
    "evictions",
    "decisions_per_second",
    "servers_needed_by_seed",
    "reason",
];

fn csv_row(r: &PolicyResult) -> Vec<String> {
    let opt = |x: Option<usize>| x.map_or(String::new(), |n| n.to_string());
    vec![
        r.policy.clone(),
        r.admission.clone(),
        opt(r.servers_needed),
        r.overload_rate.to_string(),
        r.vm_overload_rate.to_string(),
        r.peak_to_average.to_string(),
        r.utilisation.to_string(),
        r.rejections.to_string(),
        r.evictions.to_string(),
        r.decisions_per_second.to_string(),
        r.servers_needed_by_seed
            .iter()
            .map(|x| opt(*x))
            .collect::<Vec<_>>()
            .join(" "),
        r.reason.clone().unwrap_or_default(),
    ]
}
