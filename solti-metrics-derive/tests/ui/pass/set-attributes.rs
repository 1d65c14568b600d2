//! Struct and field attributes that shape names and help: `namespace`, `subsystem`, a
//! per-field `subsystem` (including `""` to drop the set's), `name`, `help`, doc-comment help,
//! `max_series`, and `unit` before a counter's `_total` behind a type alias.

use solti_metrics::{IntCounter, IntCounterVec, IntGauge, MetricsSet};

#[derive(MetricsSet)]
#[metrics(namespace = "app", subsystem = "sv")]
struct Supervisor {
    /// Tasks started
    /// since the process began.
    tasks_started_total: IntCounter,

    #[metric(help = "Explicit help wins over the doc comment")]
    /// Doc text that is not used.
    restarts_total: IntCounter,

    /// Controller ticks.
    #[metric(subsystem = "ctrl", name = "ticks_total")]
    controller_ticks: IntCounter,

    /// Live workers, without a subsystem.
    #[metric(subsystem = "")]
    workers: IntGauge,

    /// Jobs by queue, with a cap on distinct queues.
    #[metric(labels(queue), max_series = 2)]
    jobs_total: IntCounterVec,
}

/// A counter the derive cannot tell by its type's name.
type Sent = IntCounter;

#[derive(MetricsSet)]
struct Aliased {
    /// Bytes sent: a counter's unit comes before `_total`.
    #[metric(unit = "bytes")]
    sent_bytes_total: Sent,
}

#[derive(MetricsSet)]
struct Bare {
    /// No namespace and no subsystem.
    plain_total: IntCounter,
}

pub fn main() {
    let names: Vec<&str> = Supervisor::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(
        names,
        [
            "app_sv_tasks_started_total",
            "app_sv_restarts_total",
            "app_ctrl_ticks_total",
            "app_workers",
            "app_sv_jobs_total"
        ]
    );
    assert_eq!(Supervisor::METRICS[0].help, "Tasks started since the process began.");
    assert_eq!(Supervisor::METRICS[1].help, "Explicit help wins over the doc comment");
    assert_eq!(Supervisor::METRICS[2].field, "controller_ticks");
    assert_eq!(Supervisor::METRICS[4].max_series, Some(2));
    assert_eq!(Supervisor::METRICS[0].max_series, None);
    assert_eq!(Bare::METRICS[0].name, "plain_total");
    assert_eq!(Aliased::METRICS[0].unit, Some("bytes"));

    let registry = solti_metrics::prometheus::Registry::new();
    let set = Supervisor::register(&registry).unwrap();
    let aliased = Aliased::register(&registry).unwrap();
    aliased.sent_bytes_total().inc_by(3);
    assert_eq!(aliased.sent_bytes_total().get(), 3);
    set.controller_ticks().inc();
    for queue in ["a", "b", "c", "d"] {
        set.jobs_total(queue).inc();
    }
    assert_eq!(set.controller_ticks().get(), 1);
    assert_eq!(set.jobs_total.overflow_records(), 2);
}
