//! `max_series = 0` would leave no series.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(path), max_series = 0)]
    requests_total: IntCounterVec,
}

fn main() {}
