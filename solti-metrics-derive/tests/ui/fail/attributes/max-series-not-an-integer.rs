//! `max_series` takes an integer literal.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(path), max_series = "100")]
    requests_total: IntCounterVec,
}

fn main() {}
