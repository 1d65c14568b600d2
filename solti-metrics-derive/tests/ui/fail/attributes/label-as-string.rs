//! Labels are names, not strings.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels("path"))]
    requests_total: IntCounterVec,
}

fn main() {}
