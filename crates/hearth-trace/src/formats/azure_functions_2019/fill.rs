//! The medians that stand in for missing rows: a day's execution time for
//! function-days without a duration row, the app memory for apps without a
//! memory row.

use super::trace::Trace;
use crate::error::{Result, TraceError};
use std::collections::{BTreeMap, HashMap};

/// The median of some values (the mean of the middle two of an even count), if any.
pub(crate) fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    // The two middle values coincide when the count is odd.
    let lower = *values.get(n.checked_sub(1)? / 2)?;
    let upper = *values.get(n / 2)?;
    Some(lower / 2.0 + upper / 2.0)
}

pub(super) struct Medians {
    pub(super) by_day: BTreeMap<u8, f64>,
    pub(super) all: f64,
}

pub(super) fn day_medians(day_durations: &BTreeMap<u8, Vec<f64>>) -> Result<Medians> {
    let by_day: BTreeMap<u8, f64> = day_durations
        .iter()
        .filter_map(|(&d, v)| Some((d, median(v.clone())?)))
        .collect();
    let all = median(day_durations.values().flatten().copied().collect()).ok_or_else(|| {
        TraceError::Invalid("azure-functions-2019: no usable duration rows to take execution times from".into())
    })?;
    Ok(Medians { by_day, all })
}

/// Memory used by each microVM of an app (GiB), and how many apps took the median.
pub(super) fn app_memory_gib(trace: &Trace) -> Result<(HashMap<String, f32>, usize)> {
    let mut per_app: HashMap<&str, u32> = HashMap::new();
    for ((app, _), _) in trace.functions.iter().filter(|(_, f)| !f.periods.is_empty()) {
        *per_app.entry(app.as_str()).or_default() += 1;
    }
    let mb: HashMap<&str, f64> = trace
        .app_memory
        .iter()
        .map(|(a, &(sum, days))| (a.as_str(), sum / days.max(1) as f64))
        .collect();
    let median_mb = median(mb.values().copied().collect());
    let mut filled = 0;
    let mut out = HashMap::new();
    for (app, n) in per_app {
        let app_mb = match (mb.get(app), median_mb) {
            (Some(&x), _) => x,
            (None, Some(m)) => {
                filled += 1;
                m
            }
            (None, None) => {
                let reason = "azure-functions-2019: no usable memory rows to take application memory from";
                return Err(TraceError::Invalid(reason.into()));
            }
        };
        out.insert(app.to_string(), (app_mb / 1024.0 / n.max(1) as f64) as f32);
    }
    Ok((out, filled))
}
