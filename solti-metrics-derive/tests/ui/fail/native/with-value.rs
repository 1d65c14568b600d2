//! `native` is a flag or a list of options, not `= value`.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    #[metric(native = true)]
    latency_seconds: Histogram,
}

fn main() {}
