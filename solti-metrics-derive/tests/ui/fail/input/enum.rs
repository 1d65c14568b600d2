//! `MetricsSet` on an enum: metrics are the named fields of a struct.

use solti_metrics::MetricsSet;

#[derive(MetricsSet)]
enum Metrics {
    Requests,
}

fn main() {}
