//! A space in the namespace: the error points at the namespace literal.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
#[metrics(namespace = "my app")]
struct Metrics {
    /// Requests.
    requests_total: IntCounter,
}

fn main() {}
