//! Two fields export the same name; the error points at the second.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    requests_total: IntCounter,
    /// Requests again.
    #[metric(name = "requests_total")]
    calls_total: IntCounter,
}

fn main() {}
