//! `hearth report`: one self-contained HTML page of plots from the JSON
//! outputs of other commands (see the hearth-report crate).

use anyhow::{bail, Context, Result};
use clap::Args;
use hearth::output::write_atomic;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// JSON outputs of `compare`, `fireplace eval`, `evict run|eval` or `evict predict` (`--json`), one section each.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The HTML page to write (one file: styles and plots inline, nothing fetched).
    #[arg(short, long)]
    pub out: PathBuf,
}

pub fn run(args: ReportArgs) -> Result<()> {
    if args.out.extension().is_none_or(|e| e != "html") {
        bail!("-o {}: the report is HTML; name it *.html", args.out.display());
    }
    let mut docs = Vec::new();
    for path in &args.inputs {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let json = serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
        docs.push((path.display().to_string(), json));
    }
    let html = hearth_report::render(&docs)?;
    write_atomic(&args.out, html.as_bytes())?;
    eprintln!("wrote {} ({} inputs)", args.out.display(), docs.len());
    Ok(())
}
