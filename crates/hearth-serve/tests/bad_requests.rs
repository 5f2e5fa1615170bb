//! Every kind of bad request gets a 4xx naming the field at fault — never
//! a 500 or a panic — and changes nothing.

mod common;

use axum::http::StatusCode;
use common::{call, place, router, setup};

/// (method, path, body, status, field or message fragment)
const CASES: &[(&str, &str, &str, u16, &str)] = &[
    ("POST", "/v1/vms", "not json", 400, "malformed JSON"),
    ("POST", "/v1/vms", "", 400, "malformed JSON"),
    ("POST", "/v1/vms", "[1,2]", 400, "malformed JSON"),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":2,"memory_gib":4,"colour":"red"}"#,
        400,
        "colour",
    ),
    ("POST", "/v1/vms", r#"{"id":"a","memory_gib":4}"#, 400, "cpu_cores"),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":NaN,"memory_gib":4}"#,
        400,
        "cpu_cores",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":"2","memory_gib":4}"#,
        400,
        "cpu_cores",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":2,"memory_gib":1e400}"#,
        400,
        "memory_gib",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":-1,"memory_gib":4}"#,
        422,
        "cpu_cores",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":0,"memory_gib":4}"#,
        422,
        "cpu_cores",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":2,"memory_gib":4,"usage":{"cpu_cores":-1,"memory_gib":1}}"#,
        422,
        "usage.cpu_cores",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":2,"memory_gib":4,"usage":{"cpu_cores":1}}"#,
        400,
        "usage",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":2,"memory_gib":-0.5}"#,
        422,
        "memory_gib",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":1e9,"memory_gib":4}"#,
        422,
        "cpu_cores",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":2,"memory_gib":4,"priority":"gold"}"#,
        400,
        "priority",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"","cpu_cores":2,"memory_gib":4}"#,
        422,
        "id",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a b","cpu_cores":2,"memory_gib":4}"#,
        422,
        "id",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a/b","cpu_cores":2,"memory_gib":4}"#,
        422,
        "id",
    ),
    ("POST", "/v1/vms", r#"{"id":7,"cpu_cores":2,"memory_gib":4}"#, 400, "id"),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":2,"memory_gib":4,"tenant":""}"#,
        422,
        "tenant",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"a","cpu_cores":2,"memory_gib":4,"vm_type":"x y"}"#,
        422,
        "vm_type",
    ),
    (
        "POST",
        "/v1/vms",
        r#"{"id":"placed-0","cpu_cores":2,"memory_gib":4}"#,
        409,
        "id",
    ),
    ("DELETE", "/v1/vms/never-placed", "", 404, "id"),
    ("DELETE", "/v1/vms/a%20b", "", 422, "id"),
    ("POST", "/v1/usage", "{}", 400, "malformed JSON"),
    ("POST", "/v1/usage", "[]", 422, "[]"),
    (
        "POST",
        "/v1/usage",
        r#"[{"vm":"placed-0","t":0,"cpu_cores":1,"memory_gib":1,"disk":3}]"#,
        400,
        "disk",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"t":0,"cpu_cores":1,"memory_gib":1}]"#,
        422,
        "[0].vm",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"vm":"placed-0","server":0,"t":0,"cpu_cores":1,"memory_gib":1}]"#,
        422,
        "[0].vm",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"vm":"nobody","t":0,"cpu_cores":1,"memory_gib":1}]"#,
        404,
        "[0].vm",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"server":99,"t":0,"cpu_cores":1,"memory_gib":1}]"#,
        422,
        "[0].server",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"server":-1,"t":0,"cpu_cores":1,"memory_gib":1}]"#,
        400,
        "server",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"vm":"placed-0","t":0,"cpu_cores":-1,"memory_gib":1}]"#,
        422,
        "[0].cpu_cores",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"vm":"placed-0","t":0,"cpu_cores":1,"memory_gib":1e12}]"#,
        422,
        "[0].memory_gib",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"vm":"placed-0","t":-1,"cpu_cores":1,"memory_gib":1}]"#,
        400,
        "t",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"vm":"placed-0","t":4000000000,"cpu_cores":1,"memory_gib":1}]"#,
        422,
        "[0].t",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"vm":"placed-0","t":0,"cpu_cores":1,"memory_gib":1},{"vm":"placed-0","t":0,"cpu_cores":1,"memory_gib":1}]"#,
        422,
        "[1].vm",
    ),
    (
        "POST",
        "/v1/usage",
        r#"[{"server":0,"t":5,"cpu_cores":1,"memory_gib":1},{"server":0,"t":4,"cpu_cores":1,"memory_gib":1}]"#,
        422,
        "[1].t",
    ),
    ("GET", "/v1/servers/abc", "", 422, "id"),
    ("GET", "/v1/servers/99", "", 404, "id"),
    ("GET", "/v1/servers/-1", "", 422, "id"),
    ("POST", "/v1/evictions/forecast", "[]", 404, "no eviction model"),
    ("GET", "/v1/nothing-here", "", 404, "no such endpoint"),
];

#[tokio::test]
async fn each_bad_request_gets_a_4xx_naming_the_field_and_changes_nothing() {
    let app = router(setup());
    let (status, _) = place(&app, r#"{"id":"placed-0","cpu_cores":2,"memory_gib":4}"#).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, before) = call(&app, "GET", "/v1/fleet", "", None).await;
    for &(method, path, body, want, names) in CASES {
        let (status, answer) = call(&app, method, path, body, None).await;
        assert_eq!(status.as_u16(), want, "{method} {path} {body}: {answer}");
        let text = answer.to_string();
        assert!(
            text.contains(names),
            "{method} {path} {body}: {text} should name {names:?}"
        );
        assert!(answer["error"].is_string(), "{method} {path} {body}: {answer}");
    }
    let (_, after) = call(&app, "GET", "/v1/fleet", "", None).await;
    assert_eq!(before, after, "a bad request changed the fleet");
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = router(setup());
    let big = format!(
        r#"{{"id":"a","cpu_cores":2,"memory_gib":4,"tenant":"{}"}}"#,
        "x".repeat(5000)
    );
    let (status, _) = place(&app, &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_vm_no_server_admits_is_409_with_the_reason() {
    let app = router(setup());
    let (status, answer) = place(&app, r#"{"id":"huge","cpu_cores":25,"memory_gib":4}"#).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("no server admits"),
        "{answer}"
    );
    // Rejected, it is not running: the id stays free.
    let (status, _) = call(&app, "DELETE", "/v1/vms/huge", "", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn mutating_endpoints_need_the_token_and_reads_do_not() {
    let mut s = setup();
    s.token = Some("s3cret".into());
    let app = router(s);
    let vm = r#"{"id":"a","cpu_cores":2,"memory_gib":4}"#;
    for (token, want) in [(None, 401), (Some("wrong"), 401), (Some("s3cret"), 201)] {
        let (status, answer) = call(&app, "POST", "/v1/vms", vm, token).await;
        assert_eq!(status.as_u16(), want, "{token:?}: {answer}");
    }
    let (status, _) = call(&app, "DELETE", "/v1/vms/a", "", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&app, "POST", "/v1/admin/reload", "", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for path in ["/v1/fleet", "/v1/servers/0", "/healthz", "/readyz", "/metrics"] {
        let (status, _) = call(&app, "GET", path, "", None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
}
