//! Writing results for other tools: atomically, so a reader never sees a
//! half-written file and a failed run never clobbers an earlier result.

use anyhow::{Context, Result};
use std::path::Path;

/// Writes `bytes` atomically (see [`hearth_file::atomic`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    hearth_file::atomic::write_atomic(path, bytes).with_context(|| format!("writing {}", path.display()))
}

pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// Writes rows as CSV (see [`csv_text`]).
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    write_atomic(path, csv_text(header, rows).as_bytes())
}

/// Rows as CSV text, header first; fields holding commas, quotes or newlines are quoted.
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let quote = |f: &str| {
        if f.contains([',', '"', '\n']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    };
    let mut text = header.join(",");
    text.push('\n');
    for row in rows {
        text.push_str(&row.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
        text.push('\n');
    }
    text
}
