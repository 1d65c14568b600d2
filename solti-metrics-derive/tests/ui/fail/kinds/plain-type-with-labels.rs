//! A label-less type given labels.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(path))]
    requests_total: IntCounter,
}

fn main() {}
