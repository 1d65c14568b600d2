//! `with_label_values`, as with a `prometheus` metric, on a field of a derived set.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(labels(method, path))]
    requests_total: IntCounterVec,
}

fn record(metrics: &Metrics) {
    metrics.requests_total.with_label_values(&["get", "/users"]).inc();
}

fn main() {}
