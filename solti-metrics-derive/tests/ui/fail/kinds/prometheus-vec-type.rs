//! A prometheus type where the solti-metrics type of the same name belongs, the likely slip
//! when moving a hand-written set to the derive: one error, at the type, and none where the
//! recorder is used.

use solti_metrics::{MetricsSet, prometheus};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(path))]
    requests_total: prometheus::IntCounterVec,
}

fn main() {
    let registry = prometheus::Registry::new();
    let metrics = Metrics::register(&registry).unwrap();
    metrics.requests_total("/").inc();
}
