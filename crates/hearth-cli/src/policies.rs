//! Policies by name, as the command line names them.

use anyhow::{bail, Result};
use hearth_sim::Decider;
use std::path::Path;

/// The decider for a policy name. `model` is the file of learned policies.
pub fn decider(name: &str, _model: Option<&Path>) -> Result<Decider> {
    if let Some(p) = hearth_place::heuristic(name) {
        return Ok(Decider::Online(p));
    }
    bail!(
        "unknown policy {name:?}; known: {}, power-of-K (any K ≥ 1)",
        hearth_place::HEURISTICS.join(", ")
    )
}
