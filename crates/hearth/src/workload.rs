//! Where a command's workload comes from: a workload file (hearth's own, or
//! one written by pandas, polars or Spark), or the default composed from the
//! shipped samples.

use crate::samples::DefaultWorkload;
use anyhow::{Context, Result};
use hearth_trace::{read_workload_with, ReadOptions, Workload};
use std::path::PathBuf;

/// A workload to run on.
#[derive(Clone)]
pub enum WorkloadInput {
    /// A workload file; `step_seconds` gives the step length of a file without
    /// `hearth.step_seconds` metadata (a file that has the key must agree).
    File { path: PathBuf, step_seconds: Option<u32> },
    /// Composed from the shipped samples.
    Samples(DefaultWorkload),
}

impl WorkloadInput {
    /// The workload and its description (the file's path, or what it was composed from).
    pub fn load(&self) -> Result<(Workload, String)> {
        match self {
            WorkloadInput::File { path, step_seconds } => {
                let w = read_file(path, *step_seconds)?;
                Ok((w, path.display().to_string()))
            }
            WorkloadInput::Samples(d) => Ok((d.build()?, d.describe())),
        }
    }
}

/// Reads the workload file at `path` (see [`WorkloadInput::File`]).
pub fn read_file(path: &std::path::Path, step_seconds: Option<u32>) -> Result<Workload> {
    let opts = ReadOptions { step_seconds };
    read_workload_with(path, &opts).with_context(|| format!("reading workload {}", path.display()))
}
