//! `a.c` and `a_dot_c`: two names to a scraper that asks for `escaping=dots`, which writes the
//! first as `a_dot_c` and leaves the second, a legacy name, as it is.

use solti_metrics::{IntGauge, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// By a dotted name.
    #[metric(name = "a.c")]
    dotted: IntGauge,
    /// By a legacy name.
    a_dot_c: IntGauge,
}

fn main() {}
