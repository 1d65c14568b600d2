//! A histogram named `..._bucket` is refused, its name given with `name = ".."` too.

use solti_metrics::{HistogramVec, MetricsSet};

#[derive(MetricsSet)]
#[metrics(namespace = "app")]
struct Metrics {
    /// Request latency.
    #[metric(name = "latency_seconds_bucket", labels(path))]
    latency: HistogramVec,
}

fn main() {}
