//! `unit = ".."` names the metric's last part: `request_duration_seconds` is not in bytes.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    #[metric(unit = "bytes")]
    request_duration_seconds: Histogram,
}

fn main() {}
