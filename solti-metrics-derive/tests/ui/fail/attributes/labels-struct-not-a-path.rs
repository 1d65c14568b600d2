//! `labels =` takes a struct's path, not a tuple type.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels = (&str, &str))]
    requests_total: IntCounterVec,
}

fn main() {}
