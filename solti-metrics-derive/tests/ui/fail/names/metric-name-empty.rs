//! An empty `name`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(name = "")]
    requests_total: IntCounter,
}

fn main() {}
