//! `init` cannot list the values of a typed label with an open set of values.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests by user.
    #[metric(init, labels(user: u64))]
    requests_total: IntCounterVec,
}

fn main() {}
