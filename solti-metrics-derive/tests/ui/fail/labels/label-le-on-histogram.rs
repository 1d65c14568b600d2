//! `le` is the bucket bound's label on a histogram.

use solti_metrics::{HistogramVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(labels(le))]
    latency_seconds: HistogramVec,
}

fn main() {}
