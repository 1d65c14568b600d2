//! A histogram's name cannot end in a suffix its own samples add, also when a type alias hides
//! that the field is one.

use solti_metrics::{Histogram, MetricsSet};

type Latency = Histogram;

#[derive(MetricsSet)]
struct Metrics {
    /// Request latency.
    latency_sum: Latency,
}

fn main() {}
