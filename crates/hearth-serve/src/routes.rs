//! The HTTP API: routes, handlers and the limits every request passes
//! (body size, timeout, bearer token on mutating and admin endpoints).

pub use crate::state::AppState;

use crate::actor::Command;
use crate::api::{self, UsageRow, VmRequest};
use crate::auth::{self, Token};
use crate::config::Limits;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{middleware, Json, Router};
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The service's router over a running fleet thread.
pub fn router(state: AppState, token: Token, limits: &Limits) -> Router {
    let mutating = Router::new()
        .route("/v1/vms", post(place))
        .route("/v1/vms/{id}", delete(depart))
        .route("/v1/usage", post(usage))
        .route("/v1/admin/reload", post(reload))
        .route_layer(middleware::from_fn_with_state(token, auth::require))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.body_bytes));
    let forecast = Router::new()
        .route("/v1/evictions/forecast", post(crate::forecast::handler))
        .layer(DefaultBodyLimit::max(limits.forecast_body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.forecast_body_bytes));
    let reads = Router::new()
        .route("/v1/servers/{id}", get(server))
        .route("/v1/fleet", get(fleet))
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(limits.body_bytes));
    Router::new()
        .merge(mutating)
        .merge(forecast)
        .merge(reads)
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_millis(limits.timeout_ms),
        ))
        .layer(TraceLayer::new_for_http())
}

async fn place(State(s): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let req: VmRequest = api::parse(&body)?;
    let placed = s.fleet.call(|r| Command::Place(req, r)).await?;
    Ok((StatusCode::CREATED, Json(placed)).into_response())
}

async fn depart(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let gone = s.fleet.call(|r| Command::Depart(id, r)).await?;
    Ok(Json(gone).into_response())
}

async fn usage(State(s): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let rows: Vec<UsageRow> = api::parse(&body)?;
    let accepted = s.fleet.call(|r| Command::Usage(rows, r)).await?;
    Ok(Json(accepted).into_response())
}

async fn reload(State(s): State<AppState>) -> Result<Response, ApiError> {
    let version = s.fleet.call(Command::Reload).await?;
    Ok(Json(serde_json::json!({ "model_version": version })).into_response())
}

async fn server(State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id: u32 = id
        .parse()
        .map_err(|_| ApiError::invalid("id", format!("server id {id:?} is not a whole number")))?;
    let state = s.fleet.call(|r| Command::Server(id, r)).await?;
    Ok(Json(state).into_response())
}

async fn fleet(State(s): State<AppState>) -> Result<Response, ApiError> {
    let state = s.fleet.call(Command::Fleet).await?;
    Ok(Json(state).into_response())
}

/// Liveness: fails once the state can no longer be trusted, so that a
/// supervisor restarts the service (which rebuilds from the journal).
async fn health(State(s): State<AppState>) -> Result<&'static str, ApiError> {
    if !s.fleet.healthy() {
        return Err(ApiError::unavailable(
            "a journal commit failed or the fleet thread stopped; restart the service",
        ));
    }
    Ok("ok\n")
}

async fn ready(State(s): State<AppState>) -> Result<&'static str, ApiError> {
    health(State(s.clone())).await?;
    s.fleet.call(Command::Fleet).await?;
    Ok("ready\n")
}

async fn metrics(State(s): State<AppState>) -> Result<Response, ApiError> {
    let fleet = s.fleet.call(Command::Fleet).await?;
    s.metrics.utilisation.set(fleet.utilisation);
    s.metrics.vms_running.set(fleet.vms_running as i64);
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.metrics.encode(),
    )
        .into_response())
}
