//! Prometheus metrics (OpenMetrics text at `GET /metrics`): decision
//! latency, decisions by outcome, fleet utilisation, journal lag and the
//! model version.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    /// `placed`, `rejected` or `evicting` (placed after evicting spot VMs).
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Version {
    pub policy: String,
    pub version: String,
}

pub struct Metrics {
    registry: Registry,
    /// Seconds the policy took per decision (not the HTTP round trip).
    pub decision_seconds: Histogram,
    pub decisions: Family<Outcome, Counter>,
    pub departures: Counter,
    pub usage_reports: Counter,
    /// Observed CPU over capacity, whole fleet.
    pub utilisation: Gauge<f64, AtomicU64>,
    pub vms_running: Gauge,
    /// Events applied but not yet committed to the journal.
    pub journal_lag: Gauge,
    /// Seconds per journal commit (one batch).
    pub journal_commit_seconds: Histogram,
    pub journal_batch_events: Histogram,
    /// 1 for the serving policy and model version.
    pub model: Family<Version, Gauge>,
    current_model: Mutex<Option<Version>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("hearth");
        let m = Metrics {
            decision_seconds: Histogram::new(exponential_buckets(1e-6, 2.0, 22)),
            decisions: Family::default(),
            departures: Counter::default(),
            usage_reports: Counter::default(),
            utilisation: Gauge::default(),
            vms_running: Gauge::default(),
            journal_lag: Gauge::default(),
            journal_commit_seconds: Histogram::new(exponential_buckets(1e-5, 2.0, 20)),
            journal_batch_events: Histogram::new(exponential_buckets(1.0, 2.0, 16)),
            model: Family::default(),
            current_model: Mutex::new(None),
            registry: Registry::default(),
        };
        registry.register(
            "decision_seconds",
            "Seconds the placement policy took per decision",
            m.decision_seconds.clone(),
        );
        registry.register("decisions", "Placement decisions by outcome", m.decisions.clone());
        registry.register("departures", "VM departures", m.departures.clone());
        registry.register("usage_reports", "Usage reports accepted", m.usage_reports.clone());
        registry.register(
            "fleet_utilisation",
            "Observed CPU over CPU capacity of the whole fleet",
            m.utilisation.clone(),
        );
        registry.register("vms_running", "VMs running", m.vms_running.clone());
        registry.register(
            "journal_lag_events",
            "Events applied but not yet committed to the journal",
            m.journal_lag.clone(),
        );
        registry.register(
            "journal_commit_seconds",
            "Seconds per journal commit (one group of events)",
            m.journal_commit_seconds.clone(),
        );
        registry.register(
            "journal_batch_events",
            "Events per journal commit",
            m.journal_batch_events.clone(),
        );
        registry.register("model", "The serving policy and its model version", m.model.clone());
        Metrics { registry, ..m }
    }

    /// Marks `policy` at `version` as the one serving.
    pub fn set_model(&self, policy: &str, version: &str) {
        let now = Version {
            policy: policy.to_string(),
            version: version.to_string(),
        };
        let mut current = self.current_model.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = current.take() {
            self.model.get_or_create(&old).set(0);
        }
        self.model.get_or_create(&now).set(1);
        *current = Some(now);
    }

    pub fn decision(&self, outcome: &str, seconds: f64) {
        self.decision_seconds.observe(seconds);
        self.decisions
            .get_or_create(&Outcome {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// The OpenMetrics text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
