//! The zero bucket's threshold is a magnitude: it cannot be negative.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    #[metric(native(zero_threshold = -1e-9))]
    latency_seconds: Histogram,
}

fn main() {}
