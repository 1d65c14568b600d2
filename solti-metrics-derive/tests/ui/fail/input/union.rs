//! `MetricsSet` on a union.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
union Metrics {
    requests_total: std::mem::ManuallyDrop<IntCounter>,
}

fn main() {}
