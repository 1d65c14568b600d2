//! A histogram declared after a counter whose name is its `_bucket` series.

use solti_metrics::{Histogram, IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Bucket things.
    #[metric(name = "latency_seconds_bucket", allow(missing_total))]
    buckets: IntCounter,
    /// Request latency.
    latency_seconds: Histogram,
}

fn main() {}
