//! A label name written as a string cannot be empty.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(""))]
    requests_total: IntCounterVec,
}

fn main() {}
