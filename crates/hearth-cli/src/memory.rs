//! Resident memory from /proc (Linux), for the benchmarks' figures.

use anyhow::{Context, Result};

/// Peak resident set size of this process, from /proc (Linux).
pub fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .map(|kb| {
            let k: f64 = kb.trim_end_matches(" kB").trim().parse().unwrap_or(0.0);
            format!("{:.2} GiB ({kb})", k / 1024.0 / 1024.0)
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".into())
}

/// Resident set size of process `pid` in MiB.
pub fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS line")?;
    Ok(kb / 1024.0)
}
