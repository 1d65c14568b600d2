//! Native buckets need room for one bucket at least.

use solti_metrics::{HistogramVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    #[metric(labels(path), native(max_buckets = 0))]
    latency_seconds: HistogramVec,
}

fn main() {}
