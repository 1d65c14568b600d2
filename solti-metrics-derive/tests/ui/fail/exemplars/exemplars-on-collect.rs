//! An exemplar belongs to a recorded value; `collect` computes the value at each exposition.

use solti_metrics::{IntCounter, MetricsSet};

fn bytes_read() -> u64 {
    0
}

#[derive(MetricsSet)]
struct Metrics {
    /// Bytes read.
    #[metric(collect = bytes_read, exemplars)]
    read_bytes_total: IntCounter,
}

fn main() {}
