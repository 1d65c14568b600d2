//! The convention applies to `name = ".."` and points at it.

use solti_metrics::{Counter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Bytes sent.
    #[metric(name = "sent_bytes")]
    sent_bytes_total: Counter,
}

fn main() {}
