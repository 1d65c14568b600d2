//! Two sets export the same metric name.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Api {
    /// Requests served.
    requests_total: IntCounter,
}

#[derive(MetricsSet)]
struct Proxy {
    /// Requests forwarded.
    requests_total: IntCounter,
}

solti_metrics::assert_disjoint!(Api, Proxy);

fn main() {}
