//! `hearth._hearth`: the compiled half of the Python package `hearth`
//! (python/). Each function runs the same code as the `hearth` command it is
//! named for; options arrive as that command's arguments and are parsed by
//! its own parser, so Python accepts and refuses what the command line does,
//! with the same messages. The Python half (python/hearth) turns keyword
//! arguments into those arguments and results into pandas, numpy and Arrow.

mod boundary;
mod commands;
mod workload;

use pyo3::prelude::*;

pyo3::create_exception!(
    _hearth,
    HearthError,
    pyo3::exceptions::PyException,
    "An error of hearth: bad input or a failed run, with the message the command line gives."
);

#[pymodule]
fn _hearth(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("HearthError", m.py().get_type::<HearthError>())?;
    m.add_function(wrap_pyfunction!(workload::read_workload, m)?)?;
    m.add_function(wrap_pyfunction!(workload::write_workload, m)?)?;
    m.add_function(wrap_pyfunction!(commands::run_command, m)?)?;
    m.add_function(wrap_pyfunction!(commands::compare_csv, m)?)?;
    m.add_function(wrap_pyfunction!(commands::simulate, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
