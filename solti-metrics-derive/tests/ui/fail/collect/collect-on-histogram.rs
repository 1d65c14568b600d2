//! A histogram is not one number.

use solti_metrics::{Histogram, MetricsSet};

fn latency() -> f64 {
    0.0
}

#[derive(MetricsSet)]
struct Metrics {
    /// Latency.
    #[metric(collect = latency)]
    latency_seconds: Histogram,
}

fn main() {}
