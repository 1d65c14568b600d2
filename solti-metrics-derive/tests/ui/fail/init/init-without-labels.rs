//! A metric without labels is exported at 0 anyway.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Jobs run.
    #[metric(init)]
    jobs_total: IntCounter,
}

fn main() {}
