//! The commands: any command line run as the binary runs it, and the two
//! whose results Python takes as data (compare's table, a run's series),
//! their options parsed by the command line's own parser and computed by the
//! library API (the `hearth` crate), as the binary computes them.

use crate::boundary::{guarded, parse};
use anyhow::bail;
use hearth_cli::Command;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

/// Runs a `hearth` command line (e.g. `["trace", "import", ...]`) as the binary does, output included.
#[pyfunction]
pub fn run_command(py: Python<'_>, args: Vec<String>) -> PyResult<()> {
    guarded(py, || hearth_cli::run(parse(args)?))
}

/// `hearth compare ARGS`: the results as the text `--csv` writes; `--json`
/// and `--csv` are written as by the command; the table is not printed.
#[pyfunction]
pub fn compare_csv(py: Python<'_>, args: Vec<String>) -> PyResult<String> {
    guarded(py, || {
        let mut full = vec!["compare".to_string()];
        full.extend(args);
        let Command::Compare(a) = parse(full)?.command else {
            bail!("not a compare command line");
        };
        let c = hearth::compare::compute(&a.options(), &hearth::Silent)?;
        c.write(a.json.as_deref(), a.csv.as_deref())?;
        Ok(hearth::compare_output::csv(&c.results))
    })
}

type Series<'py> = Bound<'py, PyArray1<f32>>;

/// `hearth simulate ARGS` (without its file outputs): the metrics as JSON,
/// then per step (length: the workload's steps) the CPU cores and memory GiB
/// used over all servers, and the busiest and the mean active server's CPU
/// utilisation (1.0 = full).
#[pyfunction]
pub fn simulate<'py>(
    py: Python<'py>,
    args: Vec<String>,
) -> PyResult<(String, Series<'py>, Series<'py>, Series<'py>, Series<'py>)> {
    let (json, cpu, memory, peak, mean) = guarded(py, || {
        let mut full = vec!["simulate".to_string()];
        full.extend(args);
        let Command::Simulate(a) = parse(full)?.command else {
            bail!("not a simulate command line");
        };
        let s = hearth::simulate::compute(&a.options(), &hearth::Silent)?;
        let json = serde_json::to_string(&s.to_json())?;
        let cpu = s.metrics.step_load.iter().map(|r| r.cpu.0).collect::<Vec<f32>>();
        let memory = s.metrics.step_load.iter().map(|r| r.memory.0).collect::<Vec<f32>>();
        Ok((
            json,
            cpu,
            memory,
            s.load.peak_cpu_utilisation,
            s.load.mean_cpu_utilisation,
        ))
    })?;
    Ok((
        json,
        cpu.into_pyarray(py),
        memory.into_pyarray(py),
        peak.into_pyarray(py),
        mean.into_pyarray(py),
    ))
}
