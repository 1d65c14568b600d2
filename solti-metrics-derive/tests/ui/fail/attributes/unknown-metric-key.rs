//! An unknown field key that is not close to any key lists the keys.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(colour = "red")]
    requests_total: IntCounter,
}

fn main() {}
