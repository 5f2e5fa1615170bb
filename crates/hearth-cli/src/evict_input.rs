//! Where `hearth evict` gets its hourly node snapshots, shown as they come:
//! the simulated scenario (its table) or a snapshot file (`--snapshots`, its
//! summary). hearth-evict's [`snapshot_input`] and [`scenario_run`] compute.

use crate::evict_args::{InputArgs, ScenarioArgs};
use crate::evict_print::{print_file, print_scenario};
use crate::progress::Bars;
use anyhow::Result;
use hearth_evict::scenario_run::{self, Simulated};
use hearth_evict::snapshot_file::SnapshotSet;
use hearth_evict::snapshot_input::{self, InputSummary, Loaded};

/// Simulates the scenario: its summary and its snapshots.
pub fn simulate(args: &ScenarioArgs) -> Result<(Simulated, SnapshotSet)> {
    let config = args.config();
    config.validate()?;
    let make = args.deciders()?;
    let inputs = args.inputs()?;
    Ok(scenario_run::simulate(
        &config,
        inputs,
        &make,
        args.threads,
        &Bars::default(),
    )?)
}

/// Simulates or reads, prints a summary, and splits by time (70/10/20).
pub fn load(args: &InputArgs) -> Result<Loaded> {
    let (summary, set) = match &args.snapshots {
        None => {
            let (sim, set) = simulate(&args.scenario)?;
            print_scenario(&sim);
            (InputSummary::Simulated(sim), set)
        }
        Some(path) => {
            let set = snapshot_input::read(path)?;
            let summary = snapshot_input::summarise(path, &set)?;
            print_file(&summary);
            (InputSummary::File(summary), set)
        }
    };
    Ok(Loaded::split(summary, set, args.test_clusters)?)
}
