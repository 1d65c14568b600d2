//! A histogram's name cannot end in a suffix its own samples add: `latency_count` would
//! export `latency_count_count`, and a parser reads `latency_count` as the count of `latency`.

use solti_metrics::{Histogram, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    latency_count: Histogram,
}

fn main() {}
