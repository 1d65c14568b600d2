//! A `-` in a metric name.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(name = "http-requests_total")]
    requests_total: IntCounter,
}

fn main() {}
