//! A set's metrics are fixed at compile time: no type parameters.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics<const N: usize> {
    /// Requests.
    requests_total: IntCounter,
}

fn main() {}
