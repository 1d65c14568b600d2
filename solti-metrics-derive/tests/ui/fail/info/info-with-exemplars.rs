//! OpenMetrics puts exemplars on counters and histogram buckets, not on info metrics.

use solti_metrics::{Info, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// What the program is.
    #[metric(labels(version), exemplars)]
    build_info: Info,
}

fn main() {}
