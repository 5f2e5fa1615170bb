//! `hearth`: decide where cloud VMs should run, learned and measured by
//! simulation over real public traces. The commands live in the library
//! (`lib.rs`), which the Python package shares.

use clap::Parser;

fn main() {
    if let Err(e) = hearth_cli::run(hearth_cli::Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
