//! `le` is reserved on histograms, also when a type alias hides that the field is one.

use solti_metrics::{HistogramVec, MetricsSet};

type Latency = HistogramVec;

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    #[metric(labels(le))]
    latency_seconds: Latency,
}

fn main() {}
