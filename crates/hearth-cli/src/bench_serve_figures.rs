//! What `hearth bench serve` measures: the tally of answers and latencies
//! by request kind, and the figures printed and written from it.

use serde::Serialize;

/// Latencies (seconds) and answers by request kind.
#[derive(Default)]
pub struct Tally {
    pub latency: [Vec<f64>; 3],
    pub rejected: u64,
    pub client_errors: u64,
    pub server_errors: u64,
    pub transport_errors: u64,
    pub malformed_sent: u64,
    pub malformed_not_4xx: u64,
}

pub const KINDS: [&str; 3] = ["place", "depart", "usage"];

#[derive(Serialize)]
struct KindFigures {
    kind: &'static str,
    requests: usize,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    max_ms: f64,
}

#[derive(Serialize)]
pub struct Figures {
    seconds: f64,
    /// Usage reports sent every this many steps.
    usage_every: u32,
    concurrency: usize,
    requests: u64,
    requests_per_second: f64,
    placements_per_second: f64,
    usage_reports_per_second: f64,
    kinds: Vec<KindFigures>,
    rejected_409: u64,
    client_errors_4xx: u64,
    server_errors_5xx: u64,
    transport_errors: u64,
    malformed_sent: u64,
    malformed_not_4xx: u64,
    rss_mib: Vec<f64>,
}

impl Tally {
    /// The figures of a run of `seconds` with `concurrency` requests in flight and usage
    /// reports of `batch` rows every `usage_every` steps.
    pub fn clone_figures(&self, seconds: f64, shape: (usize, usize, u32), rss_mib: Vec<f64>) -> Figures {
        let (concurrency, batch, usage_every) = shape;
        let kinds: Vec<KindFigures> = KINDS
            .iter()
            .zip(&self.latency)
            .map(|(&kind, l)| {
                let mut l = l.clone();
                l.sort_by(f64::total_cmp);
                let q = |p: f64| {
                    l.get(((l.len() as f64 * p).ceil() as usize).saturating_sub(1))
                        .copied()
                        .unwrap_or(0.0)
                        * 1e3
                };
                KindFigures {
                    kind,
                    requests: l.len(),
                    p50_ms: q(0.5),
                    p99_ms: q(0.99),
                    p999_ms: q(0.999),
                    max_ms: q(1.0),
                }
            })
            .collect();
        let requests: usize = kinds.iter().map(|k| k.requests).sum::<usize>() + self.malformed_sent as usize;
        Figures {
            seconds,
            usage_every,
            concurrency,
            requests: requests as u64,
            requests_per_second: requests as f64 / seconds,
            placements_per_second: kinds[0].requests as f64 / seconds,
            usage_reports_per_second: (kinds[2].requests * batch) as f64 / seconds,
            kinds,
            rejected_409: self.rejected,
            client_errors_4xx: self.client_errors,
            server_errors_5xx: self.server_errors,
            transport_errors: self.transport_errors,
            malformed_sent: self.malformed_sent,
            malformed_not_4xx: self.malformed_not_4xx,
            rss_mib,
        }
    }
}

pub fn print(f: &Figures) {
    println!(
        "{:.1} s, {} in flight: {} requests ({:.0}/s), {:.0} placements/s; 409 {}, other 4xx {}, 5xx {}, transport errors {}, malformed sent {} (not 4xx: {})",
        f.seconds,
        f.concurrency,
        f.requests,
        f.requests_per_second,
        f.placements_per_second,
        f.rejected_409,
        f.client_errors_4xx,
        f.server_errors_5xx,
        f.transport_errors,
        f.malformed_sent,
        f.malformed_not_4xx
    );
    for k in &f.kinds {
        println!(
            "  {:<7} {:>9} requests  p50 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms  max {:.3} ms",
            k.kind, k.requests, k.p50_ms, k.p99_ms, k.p999_ms, k.max_ms
        );
    }
    if !f.rss_mib.is_empty() {
        let r: Vec<String> = f.rss_mib.iter().map(|m| format!("{m:.1}")).collect();
        println!("  service RSS (MiB, every 10 s): {}", r.join(" "));
    }
}
