//! A service on a small fleet, called through tower without sockets.
#![allow(dead_code)] // each test file uses its own subset

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use hearth_serve::config::Limits;
use hearth_serve::{LoadedPolicy, Setup};
use hearth_sim::{Decider, Fleet, SimConfig};
use hearth_trace::Resources;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub fn power_of_two() -> Result<LoadedPolicy, String> {
    Ok(LoadedPolicy {
        decider: Decider::Online(hearth_place::heuristic("power-of-two").unwrap()),
        name: "power-of-two".into(),
        version: "none".into(),
    })
}

/// Four 24-core, 192-GiB servers; bodies up to 4 KiB.
pub fn setup() -> Setup {
    Setup {
        fleet: Fleet {
            capacities: vec![Resources::new(24.0, 192.0); 4],
        },
        sim: SimConfig::default(),
        state: None,
        journal_sync: Default::default(),
        token: None,
        limits: Limits {
            body_bytes: 4096,
            ..Default::default()
        },
        load_policy: Box::new(power_of_two),
        forecast: None,
    }
}

pub fn router(setup: Setup) -> Router {
    hearth_serve::start(setup).unwrap().router
}

/// `POST /v1/vms` with `body`, without a token.
pub async fn place(router: &Router, body: &str) -> (StatusCode, Value) {
    call(router, "POST", "/v1/vms", body, None).await
}

/// Sends one request; returns the status and the JSON answer (Null if none).
pub async fn call(router: &Router, method: &str, uri: &str, body: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}
