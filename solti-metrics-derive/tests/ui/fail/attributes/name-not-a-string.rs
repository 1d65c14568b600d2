//! `name` takes a string literal.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(name = requests_total)]
    requests: IntCounter,
}

fn main() {}
