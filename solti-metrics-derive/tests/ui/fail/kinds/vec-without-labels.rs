//! A `*Vec` type needs labels.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    requests_total: IntCounterVec,
}

fn main() {}
