//! A misspelt option of `native(..)`: named, with the one meant.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    #[metric(native(factr = 1.1))]
    latency_seconds: Histogram,
}

fn main() {}
