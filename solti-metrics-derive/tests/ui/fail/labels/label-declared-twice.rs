//! The same label twice; the error points at the repeat.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(method, path, method))]
    requests_total: IntCounterVec,
}

fn main() {}
