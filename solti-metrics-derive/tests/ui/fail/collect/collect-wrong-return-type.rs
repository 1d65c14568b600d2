//! An `IntGauge` is computed by a function that returns an `i64`.

use solti_metrics::{IntGauge, MetricsSet};

fn depth() -> f64 {
    0.0
}

#[derive(MetricsSet)]
struct Metrics {
    /// Jobs waiting.
    #[metric(collect = depth)]
    queue_depth: IntGauge,
}

fn main() {}
