//! A type alias hides a counter given buckets.

use solti_metrics::{IntCounter, MetricsSet};

type Requests = IntCounter;

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(buckets(1, 2))]
    requests_total: Requests,
}

fn main() {}
