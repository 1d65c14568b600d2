//! `crate` takes a path, not a string.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
#[metrics(crate = "solti_metrics")]
struct Metrics {
    /// Requests.
    requests_total: IntCounter,
}

fn main() {}
