//! `POST /v1/evictions/forecast`: a cluster's last 48 hourly node
//! snapshots in, spot eviction rates 1, 2 and 3 hours ahead out. The
//! model and its loading are hearth-evict's; the binary hands the service
//! a [`Forecaster`] built on them.

use crate::error::ApiError;
use crate::routes::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;

/// Body formats of a forecast request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotFormat {
    /// `application/json`: an array of snapshot rows.
    Json,
    /// `application/vnd.apache.parquet` (or `application/octet-stream`).
    Parquet,
}

pub trait Forecaster: Send + Sync {
    /// Forecasts from a body of snapshots; errors are 4xx naming the field
    /// or row at fault.
    fn forecast(&self, body: &[u8], format: SnapshotFormat) -> Result<serde_json::Value, ApiError>;
}

pub async fn handler(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(f) = s.forecast.clone() else {
        return Err(ApiError::not_found(
            "no eviction model is configured: set [evict] model in the service's config",
        ));
    };
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let format = if kind.starts_with("application/json") {
        SnapshotFormat::Json
    } else if kind.contains("parquet") || kind.starts_with("application/octet-stream") {
        SnapshotFormat::Parquet
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("content type {kind:?}: send application/json or application/vnd.apache.parquet"),
        ));
    };
    // Model inference is CPU work: keep it off the async workers.
    let answer = tokio::task::spawn_blocking(move || f.forecast(&body, format))
        .await
        .map_err(|e| ApiError::unavailable(format!("forecast task failed: {e}")))??;
    Ok(Json(answer))
}
