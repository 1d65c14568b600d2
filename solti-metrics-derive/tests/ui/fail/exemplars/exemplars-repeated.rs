//! `exemplars` given twice.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(exemplars, exemplars)]
    requests_total: IntCounter,
}

fn main() {}
