//! A field key given twice.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(name = "requests_total", name = "calls_total")]
    requests: IntCounter,
}

fn main() {}
