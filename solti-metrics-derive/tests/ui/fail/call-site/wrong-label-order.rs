//! Labels passed in the wrong order: the typed parameters catch it.

use solti_metrics::{IntCounterVec, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(method: Method, status: u16))]
    requests_total: IntCounterVec,
}

fn record(metrics: &Metrics) {
    metrics.requests_total(200, Method::Get).inc();
}

fn main() {}
