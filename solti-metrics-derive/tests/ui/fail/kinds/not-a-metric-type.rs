//! A field whose type is not a metric type.

use solti_metrics::MetricsSet;

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    requests_total: u64,
}

fn main() {}
