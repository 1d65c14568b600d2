//! A tuple struct has no field names to name its metrics after.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics(IntCounter);

fn main() {}
