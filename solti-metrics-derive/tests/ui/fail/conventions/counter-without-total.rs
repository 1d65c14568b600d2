//! A counter whose name does not end in `_total`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    requests: IntCounter,
}

fn main() {}
