//! Native buckets are a histogram's: a counter has none.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(native)]
    requests_total: IntCounter,
}

fn main() {}
