//! `exemplars` is a flag.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(exemplars = true)]
    requests_total: IntCounter,
}

fn main() {}
