//! `quantile` is reserved for summaries, whatever the metric.

use solti_metrics::LabelSet;

#[derive(LabelSet)]
struct Latency {
    quantile: u8,
}

fn main() {}
