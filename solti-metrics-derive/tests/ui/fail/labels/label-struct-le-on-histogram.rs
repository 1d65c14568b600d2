//! A label struct with a field `le` on a histogram, where `le` holds the bucket bound.

use solti_metrics::{HistogramVec, LabelSet, MetricsSet};

#[derive(LabelSet)]
struct Bucket<'a> {
    le: &'a str,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(labels = Bucket)]
    latency_seconds: HistogramVec,
}

fn main() {}
