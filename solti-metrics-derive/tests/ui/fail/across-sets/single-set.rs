//! `assert_disjoint!` with one set would check nothing.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Api {
    /// Requests served.
    requests_total: IntCounter,
}

solti_metrics::assert_disjoint!(Api);

fn main() {}
