//! The service's eviction forecasts: hearth-evict's saved model and
//! forecast path (the one `hearth evict predict` runs) behind the
//! service's [`Forecaster`]. The model runs on a thread of its own
//! (predictors need not be `Send`); request bodies are read by the snapshot
//! file reader, from a private temporary file.

use crate::{ApiError, Forecaster, SnapshotFormat};
use anyhow::{Context, Result};
use axum::http::StatusCode;
use hearth_evict::forecast::forecast;
use hearth_evict::saved_model::SavedModel;
use hearth_evict::snapshot_file::{self, COL_CLUSTER, COL_HOUR, COL_NODE, MEASURES};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};

type Job = (PathBuf, SyncSender<Result<Value, ApiError>>);

struct EvictForecaster {
    jobs: Mutex<SyncSender<Job>>,
    dir: PathBuf,
    next: AtomicU64,
}

/// Loads and checks the saved model, starting its thread.
pub fn forecaster(model: &Path) -> Result<Arc<dyn Forecaster>> {
    let saved = SavedModel::load(model).with_context(|| format!("[evict] model {}", model.display()))?;
    // Built once on the caller's thread too, so a bad model fails the start.
    saved
        .predictor()
        .with_context(|| format!("loading the model in {}", model.display()))?;
    let dir = std::env::temp_dir().join(format!("hearth-serve-forecast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (tx, rx) = sync_channel::<Job>(64);
    let version = format!("{}-{}", saved.model, saved.level.name());
    std::thread::Builder::new()
        .name("forecast".into())
        .spawn(move || {
            let Ok(p) = saved.predictor() else { return };
            while let Ok((path, reply)) = rx.recv() {
                let answer = snapshot_file::read(&path)
                    .map_err(|e| ApiError::invalid("body", e.to_string()))
                    .and_then(|set| {
                        forecast(p.as_ref(), &saved.interval, set).map_err(|e| ApiError::invalid("body", e.to_string()))
                    })
                    .map(|f| json!({"model": version, "forecasts": f.rows, "too_short": f.too_short}));
                let _ = std::fs::remove_file(&path);
                let _ = reply.send(answer);
            }
        })
        .context("starting the forecast thread")?;
    Ok(Arc::new(EvictForecaster {
        jobs: Mutex::new(tx),
        dir,
        next: AtomicU64::new(0),
    }))
}

impl Forecaster for EvictForecaster {
    fn forecast(&self, body: &[u8], format: SnapshotFormat) -> Result<Value, ApiError> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let (name, bytes) = match format {
            SnapshotFormat::Parquet => (format!("{n}.parquet"), body.to_vec()),
            SnapshotFormat::Json => (format!("{n}.csv"), json_rows_to_csv(body)?),
        };
        let path = self.dir.join(name);
        std::fs::write(&path, &bytes).map_err(|e| ApiError::unavailable(format!("cannot stage the snapshots: {e}")))?;
        let (tx, rx) = sync_channel(1);
        let sent = self
            .jobs
            .lock()
            .map(|jobs| jobs.send((path, tx)).is_ok())
            .unwrap_or(false);
        if !sent {
            return Err(ApiError::unavailable("the forecast thread has stopped"));
        }
        rx.recv()
            .unwrap_or_else(|_| Err(ApiError::unavailable("the forecast thread dropped the request")))
    }
}

/// A number with no fractional part as a whole number (`3.0` → `3`), so
/// integer columns accept what JavaScript clients send.
fn whole(n: &serde_json::Number) -> Option<String> {
    let x = n.as_f64()?;
    (x.fract() == 0.0 && x.abs() < 9.0e15).then(|| format!("{}", x as i64))
}

/// JSON rows (objects keyed by the snapshot schema's columns) as the
/// schema's CSV, for the snapshot reader; unknown keys are errors.
fn json_rows_to_csv(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let rows: Vec<serde_json::Map<String, Value>> = crate::api::parse(body)?;
    let mut columns = vec![COL_CLUSTER, COL_NODE, COL_HOUR];
    columns.extend(MEASURES.iter().map(|(m, _)| *m));
    let mut out = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| ApiError::new(StatusCode::BAD_REQUEST, e.to_string());
    out.write_record(&columns).map_err(bad)?;
    for (i, row) in rows.iter().enumerate() {
        if let Some(k) = row.keys().find(|k| !columns.contains(&k.as_str())) {
            return Err(ApiError::invalid(
                format!("[{i}].{k}"),
                format!("unknown column `{k}`; the snapshot schema has {}", columns.join(", ")),
            ));
        }
        let mut record = Vec::with_capacity(columns.len());
        for c in &columns {
            record.push(match row.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => whole(n).unwrap_or_else(|| n.to_string()),
                Some(other) => {
                    return Err(ApiError::invalid(
                        format!("[{i}].{c}"),
                        format!("`{c}` is {other}; expected a number or a string"),
                    ))
                }
            });
        }
        out.write_record(&record).map_err(bad)?;
    }
    out.into_inner()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))
}
