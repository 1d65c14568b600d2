//! A gauge behind a type alias has no exemplars either: the derive cannot tell the kind from
//! the name, so the generated code asserts it.

use solti_metrics::{MetricsSet, IntGauge};

type Depth = IntGauge;

#[derive(MetricsSet)]
struct Metrics {
    /// Queue depth.
    #[metric(exemplars)]
    queue_depth: Depth,
}

fn main() {}
