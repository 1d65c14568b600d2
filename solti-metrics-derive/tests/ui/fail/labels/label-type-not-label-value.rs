//! A label type that does not implement `LabelValue`.

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(ratio: f64))]
    requests_total: IntCounterVec,
}

fn main() {}
