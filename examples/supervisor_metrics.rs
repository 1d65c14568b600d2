//! The Solti supervisor's `solti_sv_*` and `solti_ctrl_*` families declared as one set: a
//! per-field `subsystem` lets a struct span both.

use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_metrics::{Counter, CounterVec, Gauge, Histogram, HistogramVec, LabelValue, MetricsSet};

/// Why a backoff was scheduled.
#[derive(Clone, Copy, LabelValue)]
enum BackoffSource {
    Failure,
    Success,
}

/// How a task left the supervision loop.
#[derive(Clone, Copy, LabelValue)]
enum Terminal {
    Exhausted,
    Fatal,
}

/// Why the controller refused a submission.
#[derive(Clone, Copy, LabelValue)]
enum Rejection {
    SlotFull,
    SlotBusy,
    AddFailed,
    RemoveFailed,
    QueueFailed,
    RecoveryFailed,
    BusLagged,
    ControllerExited,
    Other,
    Unknown,
}

/// Supervisor and controller metrics of a Solti agent.
#[derive(MetricsSet)]
#[metrics(namespace = "solti", subsystem = "sv")]
struct SupervisorMetrics {
    /// Number of tasks currently executing
    tasks_in_flight: Gauge,
    /// Total task restarts (attempt > 1)
    task_restarts_total: Counter,
    /// Total backoff events
    #[metric(labels(source: BackoffSource))]
    task_backoff_count_total: CounterVec,
    /// Backoff delay duration in seconds
    #[metric(buckets(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600))]
    task_backoff_duration_seconds: Histogram,
    /// Total terminal task states
    #[metric(labels(reason: Terminal))]
    task_terminal_total: CounterVec,
    /// Number of attempts observed when a task leaves the supervision loop
    #[metric(labels(outcome: Terminal), buckets(1, 2, 3, 5, 10, 20, 50, 100))]
    attempts_to_finalize: HistogramVec,
    /// Total task timeout events
    task_timeouts_total: Counter,
    /// Total subscriber queue overflow events (events lost)
    subscriber_overflow_total: Counter,
    /// Total subscriber panic events
    subscriber_panicked_total: Counter,

    /// Total controller submissions
    #[metric(subsystem = "ctrl")]
    submissions_total: Counter,
    /// Total controller rejections grouped by cause
    #[metric(subsystem = "ctrl", labels(reason: Rejection))]
    rejections_total: CounterVec,
}

fn main() -> Result<(), solti_metrics::prometheus::Error> {
    let registry = Registry::new();
    let sv = SupervisorMetrics::register(&registry)?;

    // One supervised task that fails twice, backs off, then runs out of attempts.
    sv.submissions_total().inc();
    for attempt in 1..=3u32 {
        sv.tasks_in_flight().inc();
        if attempt > 1 {
            sv.task_restarts_total().inc();
        }
        sv.tasks_in_flight().dec();
        sv.task_backoff_count_total(BackoffSource::Failure).inc();
        sv.task_backoff_duration_seconds().observe(0.5 * f64::from(attempt));
    }
    sv.task_terminal_total(Terminal::Exhausted).inc();
    sv.attempts_to_finalize(Terminal::Exhausted).observe(3.0);
    sv.task_timeouts_total().inc();

    // A second task succeeds, is rescheduled after a success backoff, then fails fatally.
    sv.submissions_total().inc();
    sv.task_backoff_count_total(BackoffSource::Success).inc();
    sv.task_backoff_duration_seconds().observe(30.0);
    sv.task_terminal_total(Terminal::Fatal).inc();
    sv.attempts_to_finalize(Terminal::Fatal).observe(2.0);

    // The controller turns away a burst of submissions, for every cause it knows.
    let causes = [
        Rejection::SlotFull,
        Rejection::SlotBusy,
        Rejection::AddFailed,
        Rejection::RemoveFailed,
        Rejection::QueueFailed,
        Rejection::RecoveryFailed,
        Rejection::BusLagged,
        Rejection::ControllerExited,
        Rejection::Other,
        Rejection::Unknown,
    ];
    for (i, cause) in causes.into_iter().enumerate() {
        sv.rejections_total(cause).inc_by(i as f64 + 1.0);
    }

    println!("{} metrics declared:", SupervisorMetrics::METRICS.len());
    for metric in SupervisorMetrics::METRICS {
        println!("  {} ({}) {:?}", metric.name, metric.kind, metric.labels);
    }
    println!();
    print!("{}", TextEncoder::new().encode_to_string(&registry.gather())?);
    Ok(())
}
