//! Crossing into Rust and back: the GIL is released while hearth runs, a
//! Rust error becomes `HearthError` with the command line's message, and a
//! panic is caught here and raised as `HearthError` too (never unwinding
//! into Python).

use crate::HearthError;
use pyo3::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f` without the GIL; errors and panics become `HearthError`.
pub fn guarded<T: Send>(py: Python<'_>, f: impl FnOnce() -> anyhow::Result<T> + Send) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(HearthError::new_err(format!("{e:#}"))),
        Err(panic) => {
            let what = (panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            Err(HearthError::new_err(format!(
                "internal error (a bug in hearth, please report it): {what}"
            )))
        }
    }
}

/// Parses `args` as a `hearth` command line (without the program name).
pub fn parse(args: Vec<String>) -> anyhow::Result<hearth_cli::Cli> {
    use clap::Parser;
    let argv = std::iter::once("hearth".to_string()).chain(args);
    hearth_cli::Cli::try_parse_from(argv).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))
}
