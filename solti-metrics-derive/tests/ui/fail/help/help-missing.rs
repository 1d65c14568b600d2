//! A metric with neither a doc comment nor `help`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    requests_total: IntCounter,
}

fn main() {}
