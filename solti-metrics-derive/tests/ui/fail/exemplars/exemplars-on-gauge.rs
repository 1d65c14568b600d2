//! A gauge has no exemplars: OpenMetrics puts them on counters and histogram buckets only.

use solti_metrics::{GaugeVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Queue depth.
    #[metric(labels(queue), exemplars)]
    queue_depth: GaugeVec,
}

fn main() {}
