//! hearth-report: one self-contained HTML page of plots (inline SVG drawn by
//! plotters, no network fetch) from the JSON outputs of `hearth compare`,
//! `fireplace eval`, `evict run|eval` and `evict predict`.
//!
//! Plots: servers needed per policy with the spread over seeds and the fluid
//! lower bound; overload rate against fleet size from the sizing search; load
//! per step of the chosen fleet, peak against average; eviction RMSE by
//! horizon and by utilisation bucket; forecast against actual rate with the
//! 80% interval; a saved model's forecasts with intervals.

mod chart;
mod error;
mod evict_plots;
pub mod inputs;
mod page;
mod sections;
mod sizing_plots;

pub use error::{ReportError, Result};
pub use inputs::Doc;
pub use page::escape;

/// Writes the page for the given documents, one section each, in order.
/// `name` names the document (its file) in headings, captions and errors.
pub fn render(docs: &[(String, serde_json::Value)]) -> Result<String> {
    let mut out = Vec::new();
    for (name, json) in docs {
        let doc = Doc::read(name, json.clone())?;
        out.push(sections::section(name, &doc)?);
    }
    Ok(page::render(&out))
}
