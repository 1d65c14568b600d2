//! An empty `help`.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    #[metric(help = " ")]
    requests_total: IntCounter,
}

fn main() {}
