//! A quoted label that is not even a label name: the message gives the name to write.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels("user-agent"))]
    requests_total: IntCounterVec,
}

fn main() {}
