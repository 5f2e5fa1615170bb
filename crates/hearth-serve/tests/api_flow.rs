//! The endpoints in their ordinary use: place, report usage, read state,
//! remove, metrics, reload.

mod common;

use axum::http::StatusCode;
use common::{call, place, power_of_two, router, setup};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[tokio::test]
async fn place_report_read_and_remove() {
    let app = router(setup());
    let (status, placed) = place(
        &app,
        r#"{"id":"vm-1","cpu_cores":2,"memory_gib":4,"priority":"spot","tenant":"acme"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert_eq!(placed["policy"], "power-of-two");
    assert_eq!(placed["step"], 0);
    assert_eq!(placed["candidates"], 4);
    let server = placed["server"].as_u64().unwrap();

    let (status, server_state) = call(&app, "GET", &format!("/v1/servers/{server}"), "", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(server_state["vms"], serde_json::json!(["vm-1"]));
    // Placed since the last measurement: counted at its request.
    assert_eq!(server_state["observed"]["cpu_cores"], 2.0);

    let usage = r#"[{"vm":"vm-1","t":0,"cpu_cores":0.5,"memory_gib":1}]"#;
    let (status, answer) = call(&app, "POST", "/v1/usage", usage, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // The next event closes step 0: its usage becomes the measurement.
    let (status, placed2) = place(&app, r#"{"id":"vm-2","cpu_cores":1,"memory_gib":1}"#).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(placed2["step"], 1);
    let (_, server_state) = call(&app, "GET", &format!("/v1/servers/{server}"), "", None).await;
    assert_eq!(server_state["measured"]["cpu_cores"], 0.5);

    let (_, fleet) = call(&app, "GET", "/v1/fleet", "", None).await;
    assert_eq!(fleet["vms_running"], 2);
    assert_eq!(fleet["servers"], 4);

    let (status, gone) = call(&app, "DELETE", "/v1/vms/vm-1", "", None).await;
    assert_eq!(status, StatusCode::OK, "{gone}");
    assert_eq!(gone["server"].as_u64(), Some(server));
    let (status, _) = call(&app, "DELETE", "/v1/vms/vm-1", "", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A departed VM's id may come back.
    let (status, _) = place(&app, r#"{"id":"vm-1","cpu_cores":1,"memory_gib":1}"#).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn metrics_count_decisions_by_outcome() {
    let app = router(setup());
    place(&app, r#"{"id":"a","cpu_cores":2,"memory_gib":4}"#).await;
    place(&app, r#"{"id":"b","cpu_cores":200,"memory_gib":4}"#).await;
    let resp = tower::ServiceExt::oneshot(
        app.clone(),
        axum::http::Request::get("/metrics")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    for line in [
        r#"hearth_decisions_total{outcome="placed"} 1"#,
        r#"hearth_decisions_total{outcome="rejected"} 1"#,
        r#"hearth_model{policy="power-of-two",version="none"} 1"#,
        "hearth_decision_seconds_count 2",
        "hearth_vms_running 1",
        "hearth_journal_lag_events 0",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    assert!(text.contains("hearth_fleet_utilisation"), "{text}");
}

#[tokio::test]
async fn a_refused_reload_keeps_the_old_model_serving() {
    let loads = Arc::new(AtomicUsize::new(0));
    let mut s = setup();
    let counter = loads.clone();
    s.load_policy = Box::new(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let mut p = power_of_two()?;
        match n {
            0 => Ok(p),
            1 => Err("m.json: checksum mismatch: the file is corrupt".into()),
            _ => {
                p.version = "v2".into();
                Ok(p)
            }
        }
    });
    let app = router(s);
    let (status, answer) = call(&app, "POST", "/v1/admin/reload", "", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("checksum mismatch"),
        "{answer}"
    );
    let (_, fleet) = call(&app, "GET", "/v1/fleet", "", None).await;
    assert_eq!(fleet["model_version"], "none");
    let (status, _) = place(&app, r#"{"id":"a","cpu_cores":2,"memory_gib":4}"#).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, answer) = call(&app, "POST", "/v1/admin/reload", "", None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["model_version"], "v2");
    let (_, fleet) = call(&app, "GET", "/v1/fleet", "", None).await;
    assert_eq!(fleet["model_version"], "v2");
}

#[tokio::test]
async fn a_journal_rebuilds_the_fleet_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("hearth-serve-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let with_state = || {
        let mut s = setup();
        s.state = Some(dir.clone());
        s
    };
    let app = router(with_state());
    for i in 0..5 {
        let body = format!(
            r#"{{"id":"vm-{i}","cpu_cores":2,"memory_gib":4,"tenant":"t{}"}}"#,
            i % 2
        );
        let (status, _) = place(&app, &body).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let usage =
        r#"[{"vm":"vm-0","t":0,"cpu_cores":1.5,"memory_gib":2},{"server":1,"t":0,"cpu_cores":0.25,"memory_gib":0}]"#;
    assert_eq!(call(&app, "POST", "/v1/usage", usage, None).await.0, StatusCode::OK);
    assert_eq!(call(&app, "DELETE", "/v1/vms/vm-3", "", None).await.0, StatusCode::OK);
    let mut before = Vec::new();
    for s in 0..4 {
        before.push(call(&app, "GET", &format!("/v1/servers/{s}"), "", None).await.1);
    }
    let (_, fleet_before) = call(&app, "GET", "/v1/fleet", "", None).await;
    drop(app);

    let service = hearth_serve::start(with_state()).unwrap();
    assert_eq!(service.replayed, 7);
    let app = service.router;
    for (s, want) in before.iter().enumerate() {
        let (_, got) = call(&app, "GET", &format!("/v1/servers/{s}"), "", None).await;
        assert_eq!(&got, want, "server {s}");
    }
    assert_eq!(call(&app, "GET", "/v1/fleet", "", None).await.1, fleet_before);
    let _ = std::fs::remove_dir_all(&dir);
}
