//! Of three sets, the first and the third clash; the message names both.

use solti_metrics::{IntCounter, IntGauge, MetricsSet};

#[derive(MetricsSet)]
#[metrics(subsystem = "jobs")]
struct Jobs {
    /// Jobs run.
    run_total: IntCounter,
}

#[derive(MetricsSet)]
struct Queue {
    /// Queue depth.
    depth: IntGauge,
}

#[derive(MetricsSet)]
struct Legacy {
    /// Jobs run, under a name of the old exporter.
    #[metric(name = "jobs_run_total")]
    legacy_runs_total: IntCounter,
}

solti_metrics::assert_disjoint!(Jobs, Queue, Legacy);

fn main() {}
