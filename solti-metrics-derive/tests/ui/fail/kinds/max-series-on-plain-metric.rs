//! `max_series` on a metric without labels.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(max_series = 10)]
    requests_total: IntCounter,
}

fn main() {}
