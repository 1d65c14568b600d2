//! A doc comment with no text.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    ///
    requests_total: IntCounter,
}

fn main() {}
