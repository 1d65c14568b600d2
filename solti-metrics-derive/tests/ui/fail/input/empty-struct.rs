//! A struct with no fields declares no metric.

use solti_metrics::MetricsSet;

#[derive(MetricsSet)]
struct Metrics {}

fn main() {}
