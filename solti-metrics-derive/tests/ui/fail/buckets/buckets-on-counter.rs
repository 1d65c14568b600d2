//! Buckets only apply to histograms.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(buckets(0.1, 1.0))]
    requests_total: IntCounter,
}

fn main() {}
