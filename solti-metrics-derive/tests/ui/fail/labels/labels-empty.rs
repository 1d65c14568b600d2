//! `labels()` with no label.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels())]
    requests_total: IntCounterVec,
}

fn main() {}
