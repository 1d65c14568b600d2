//! A histogram's `_count` series clashes with a counter of another set named `x_count`.

use solti_metrics::{Histogram, IntCounter, MetricsSet};

#[derive(MetricsSet)]
#[metrics(namespace = "app")]
struct Api {
    /// Request latency.
    request_seconds: Histogram,
}

#[derive(MetricsSet)]
#[metrics(namespace = "app")]
struct Audit {
    /// A counter that happens to share the histogram's `_count` series.
    #[metric(allow(missing_total))]
    request_seconds_count: IntCounter,
}

solti_metrics::assert_disjoint!(Api, Audit);

fn main() {}
