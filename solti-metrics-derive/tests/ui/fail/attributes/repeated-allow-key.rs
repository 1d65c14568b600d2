//! A convention allowed twice.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(allow(missing_total, missing_total))]
    requests: IntCounter,
}

fn main() {}
