//! Three mistakes in one struct produce three errors in one build.

use solti_metrics::{Histogram, IntCounter, IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(hlep = "x")]
    requests_total: IntCounter,
    /// Latency.
    #[metric(buckets(1.0, 0.5))]
    latency_seconds: Histogram,
    /// Jobs.
    #[metric(labels(queue, queue))]
    jobs_total: IntCounterVec,
}

fn main() {}
