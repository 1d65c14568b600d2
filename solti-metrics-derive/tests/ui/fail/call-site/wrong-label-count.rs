//! A recorder called with one label too few is an ordinary type error at the call.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(method, path))]
    requests_total: IntCounterVec,
}

fn record(metrics: &Metrics) {
    metrics.requests_total("GET").inc();
}

fn main() {}
