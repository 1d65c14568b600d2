//! A histogram's `_sum` series clashes with another metric, also when a type alias hides
//! that the field is a histogram.

use solti_metrics::{Gauge, Histogram, MetricsSet};

type Latency = Histogram;

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    latency_seconds: Latency,
    /// Latest latency total.
    latency_seconds_sum: Gauge,
}

fn main() {}
