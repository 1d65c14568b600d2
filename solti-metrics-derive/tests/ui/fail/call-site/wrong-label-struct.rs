//! A label struct of another type than the metric declares, though its fields match.

use solti_metrics::{IntCounterVec, LabelSet, MetricsSet};

#[derive(LabelSet)]
struct Route<'a> {
    tenant: &'a str,
    route: &'a str,
}

#[derive(LabelSet)]
struct Upstream<'a> {
    tenant: &'a str,
    route: &'a str,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels = Route)]
    requests_total: IntCounterVec,
}

fn record(metrics: &Metrics) {
    metrics.requests_total(Upstream { tenant: "acme", route: "/" }).inc();
}

fn main() {}
