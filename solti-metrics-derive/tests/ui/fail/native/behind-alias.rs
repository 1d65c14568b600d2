//! A type alias hides the kind from the derive: the compiler checks that it is a histogram.

use solti_metrics::{IntGauge, MetricsSet};

type Depth = IntGauge;

#[derive(MetricsSet)]
struct Metrics {
    /// Queue depth.
    #[metric(native)]
    queue_depth: Depth,
}

fn main() {}
