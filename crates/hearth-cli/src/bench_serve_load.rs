//! The load generator's client side: one request at a time, by chance a
//! malformed one instead, each answer tallied.

use crate::bench_serve_figures::Tally;
use rand::Rng;
use std::time::Instant;
use tokio::sync::Mutex;

pub struct Load {
    pub http: reqwest::Client,
    pub url: String,
    pub token: Option<String>,
    pub malformed: f64,
    pub tally: Mutex<Tally>,
    pub rng: std::sync::Mutex<rand_chacha::ChaCha8Rng>,
}

/// Bodies and paths the service must refuse with a 4xx.
const BAD: [(&str, &str); 4] = [
    ("/v1/vms", r#"{"id":"x","cpu_cores":-3,"memory_gib":4}"#),
    ("/v1/vms", r#"{"id":"x","cpu_cores":2,"memory_gib":4,"extra":1}"#),
    ("/v1/usage", r#"[{"vm":"nobody","t":0,"cpu_cores":1,"memory_gib":1}]"#),
    ("/v1/vms", "{not json"),
];

impl Load {
    /// Sends one request (or, by chance, a malformed one instead); records it.
    pub async fn send(
        &self,
        kind: usize,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> Option<serde_json::Value> {
        let bad = {
            let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
            (self.malformed > 0.0 && rng.random::<f64>() < self.malformed).then(|| BAD[rng.random_range(0..BAD.len())])
        };
        if let Some((bad_path, bad_body)) = bad {
            let status = self
                .request(reqwest::Method::POST, bad_path, Some(bad_body.to_string()))
                .await
                .map(|r| r.0);
            let mut t = self.tally.lock().await;
            t.malformed_sent += 1;
            if !matches!(status, Some(400..=499)) {
                t.malformed_not_4xx += 1;
            }
        }
        let clock = Instant::now();
        let answer = self.request(method, path, body).await;
        let seconds = clock.elapsed().as_secs_f64();
        let mut t = self.tally.lock().await;
        t.latency[kind].push(seconds);
        match answer {
            None => {
                t.transport_errors += 1;
                None
            }
            Some((s, v)) if (200..300).contains(&s) => Some(v),
            Some((409, _)) if kind == 0 => {
                t.rejected += 1;
                None
            }
            Some((s, _)) if s >= 500 => {
                t.server_errors += 1;
                None
            }
            Some(_) => {
                t.client_errors += 1;
                None
            }
        }
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> Option<(u16, serde_json::Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.ok()?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.ok()?;
        Some((
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        ))
    }
}
