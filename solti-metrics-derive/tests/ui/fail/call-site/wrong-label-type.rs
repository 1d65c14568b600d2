//! A string where a typed label is declared.

use solti_metrics::{IntCounterVec, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(method: Method, path))]
    requests_total: IntCounterVec,
}

fn record(metrics: &Metrics) {
    metrics.requests_total("GET", "/").inc();
}

fn main() {}
