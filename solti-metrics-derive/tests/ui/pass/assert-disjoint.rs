//! `assert_disjoint!` accepts sets whose series names differ, even when one name is a prefix
//! of another's histogram series.

use solti_metrics::{Histogram, IntCounter, IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Api {
    /// Request latency.
    request_seconds: Histogram,
}

#[derive(MetricsSet)]
struct Worker {
    /// Close to `request_seconds_count`, but not equal.
    request_seconds_counts: IntGauge,
    /// Another name.
    request_total: IntCounter,
}

#[derive(MetricsSet)]
#[metrics(namespace = "other")]
struct Other {
    /// Namespaced, so `other_request_seconds_count`.
    request_seconds_count: IntGauge,
}

solti_metrics::assert_disjoint!(Api, Worker, Other);

pub fn main() {}
