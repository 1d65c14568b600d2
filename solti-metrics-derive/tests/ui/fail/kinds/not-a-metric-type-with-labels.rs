//! A labelled field whose type is not a metric type.

use std::collections::HashMap;

use solti_metrics::MetricsSet;

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels(path))]
    requests_total: HashMap<String, u64>,
}

fn main() {}
