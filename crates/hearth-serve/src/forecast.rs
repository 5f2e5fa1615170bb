//! `POST /v1/evictions/forecast`: a cluster's last 48 hourly node
//! snapshots in, spot eviction rates 1, 2 and 3 hours ahead out. The
//! model and its loading are hearth-evict's; the binary hands the service
//! a [`Forecaster`] built on them.

pub use crate::forecaster::{Forecaster, SnapshotFormat};

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;

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
