//! The Solti runner metrics backend, declared as one `MetricsSet`.

use std::sync::Arc;

use prometheus::Registry;
use prometheus::proto::MetricFamily;
use solti_runner::{MetricsBackend, RunnerErrorKind, RunnerType, TaskOutcome};

use crate::{HistogramVec, IntCounterVec, LabelStr, LabelValue, MetricsSet};

// solti-runner's label enums are `#[non_exhaustive]`: the variants known here take the dense
// table, a variant added later takes the map path under its own `as_label()`.
macro_rules! runner_label {
    ($ty:ty { $($variant:ident => $index:literal),+ $(,)? }) => {
        impl LabelValue for $ty {
            const CARDINALITY: usize = [$($index),+].len();

            #[inline]
            fn label_index(&self) -> Option<usize> {
                match self {
                    $(<$ty>::$variant => Some($index),)+
                    _ => None,
                }
            }

            #[inline]
            fn label(&self) -> LabelStr<'_> {
                LabelStr::borrowed(self.as_label())
            }

            fn from_label_index(index: usize) -> Option<Self> {
                match index {
                    $($index => Some(<$ty>::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

runner_label!(RunnerType { Subprocess => 0, Container => 1, Wasm => 2 });
runner_label!(TaskOutcome { Success => 0, Failure => 1, Canceled => 2, Timeout => 3 });
runner_label!(RunnerErrorKind {
    CgroupPrepareFailed => 0,
    BackendConfigFailed => 1,
    SpawnFailed => 2,
    ModuleLoadFailed => 3,
});

/// The runner-level metrics of the Solti task SDK, the metric set behind [`PrometheusMetrics`].
#[derive(MetricsSet)]
#[metrics(crate = crate, namespace = "solti", subsystem = "runner")]
pub struct RunnerMetrics {
    /// Total number of tasks started
    #[metric(labels(runner: RunnerType))]
    pub tasks_started_total: IntCounterVec,

    /// Total number of tasks completed
    #[metric(labels(runner: RunnerType, outcome: TaskOutcome))]
    pub tasks_completed_total: IntCounterVec,

    /// Task execution duration in seconds
    #[metric(
        labels(runner: RunnerType, outcome: TaskOutcome),
        buckets(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0)
    )]
    pub task_duration_seconds: HistogramVec,

    /// Total runner-level errors
    #[metric(labels(runner: RunnerType, error: RunnerErrorKind))]
    pub errors_total: IntCounterVec,
}

/// Prometheus metrics backend for solti runners.
///
/// Implements [`MetricsBackend`]: runners call it during a task's lifecycle, and it exports
///
/// | Metric | Type | Labels |
/// |---|---|---|
/// | `solti_runner_tasks_started_total` | counter | `runner` |
/// | `solti_runner_tasks_completed_total` | counter | `runner`, `outcome` |
/// | `solti_runner_task_duration_seconds` | histogram | `runner`, `outcome` |
/// | `solti_runner_errors_total` | counter | `runner`, `error` |
///
/// Labels take the values of solti-runner's `as_label()`: `runner` is `subprocess`, `wasm` or
/// `container`; `outcome` is `success`, `failure`, `canceled` or `timeout`; `error` is a
/// [`RunnerErrorKind`]. Durations arrive in milliseconds and are observed in seconds, into
/// buckets `0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600`.
///
/// The metrics are [`RunnerMetrics`], one `#[derive(MetricsSet)]`; the exposition is
/// byte-identical to the hand-written backend of `solti-prometheus` 0.0.2.
///
/// ```
/// use solti_metrics::PrometheusMetrics;
/// use solti_runner::{MetricsBackend, RunnerType, TaskOutcome};
///
/// let metrics = PrometheusMetrics::new_isolated()?;
/// metrics.record_task_completed(RunnerType::Wasm, TaskOutcome::Success, 1500);
///
/// let text = solti_metrics::prometheus::TextEncoder::new().encode_to_string(&metrics.gather())?;
/// assert!(text.contains(r#"solti_runner_task_duration_seconds_sum{outcome="success",runner="wasm"} 1.5"#));
/// # Ok::<(), solti_metrics::prometheus::Error>(())
/// ```
pub struct PrometheusMetrics {
    metrics: RunnerMetrics,
    registry: Arc<Registry>,
}

impl PrometheusMetrics {
    /// Creates the backend, registering its metrics into `registry`: all or nothing.
    ///
    /// # Errors
    ///
    /// Fails when one of the metrics is already registered in `registry`; nothing is
    /// registered then.
    pub fn new(registry: Arc<Registry>) -> Result<Self, prometheus::Error> {
        let metrics = RunnerMetrics::register(&registry)?;
        Ok(Self { metrics, registry })
    }

    /// Creates the backend with a registry of its own.
    ///
    /// # Errors
    ///
    /// Only what [`new`](Self::new) fails with, which a new registry never causes.
    pub fn new_isolated() -> Result<Self, prometheus::Error> {
        Self::new(Arc::new(Registry::new()))
    }

    /// Deprecated alias of [`new`](Self::new).
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    #[deprecated(
        since = "0.0.2",
        note = "use `PrometheusMetrics::new(registry)` — same signature, consistent with the other backends"
    )]
    pub fn new_with_registry(registry: Arc<Registry>) -> Result<Self, prometheus::Error> {
        Self::new(registry)
    }

    /// Gathers every metric of the registry for exposition.
    pub fn gather(&self) -> Vec<MetricFamily> {
        self.registry.gather()
    }

    /// The registry the metrics are registered in.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The metric set itself, for typed access to each metric.
    pub fn metrics(&self) -> &RunnerMetrics {
        &self.metrics
    }
}

impl core::fmt::Debug for PrometheusMetrics {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrometheusMetrics").finish()
    }
}

/// Converts a duration in milliseconds to seconds, as the original backend does.
#[inline]
fn ms_to_secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// The backend itself, for a set registered wherever the caller chose (a
/// `solti_metrics::Registry` served with its own encoder, say); [`PrometheusMetrics`] records
/// through this.
impl MetricsBackend for RunnerMetrics {
    /// Increments `solti_runner_tasks_started_total{runner}`.
    #[inline]
    fn record_task_started(&self, runner_type: RunnerType) {
        self.tasks_started_total(runner_type).inc();
    }

    /// Increments `solti_runner_tasks_completed_total{runner, outcome}` and observes the
    /// duration, in seconds, in `solti_runner_task_duration_seconds{runner, outcome}`.
    #[inline]
    fn record_task_completed(&self, runner_type: RunnerType, outcome: TaskOutcome, duration_ms: u64) {
        self.tasks_completed_total(runner_type, outcome).inc();
        self.task_duration_seconds(runner_type, outcome).observe(ms_to_secs(duration_ms));
    }

    /// Increments `solti_runner_errors_total{runner, error}`.
    #[inline]
    fn record_runner_error(&self, runner_type: RunnerType, error_kind: RunnerErrorKind) {
        self.errors_total(runner_type, error_kind).inc();
    }
}

impl MetricsBackend for PrometheusMetrics {
    #[inline]
    fn record_task_started(&self, runner_type: RunnerType) {
        self.metrics.record_task_started(runner_type);
    }

    #[inline]
    fn record_task_completed(&self, runner_type: RunnerType, outcome: TaskOutcome, duration_ms: u64) {
        self.metrics.record_task_completed(runner_type, outcome, duration_ms);
    }

    #[inline]
    fn record_runner_error(&self, runner_type: RunnerType, error_kind: RunnerErrorKind) {
        self.metrics.record_runner_error(runner_type, error_kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each known variant has its own index in `0..CARDINALITY`, and its label is solti-runner's.
    fn assert_dense<T: LabelValue + Copy>(values: &[T], as_label: impl Fn(T) -> &'static str) {
        let mut indices: Vec<usize> = values.iter().filter_map(LabelValue::label_index).collect();
        indices.sort_unstable();
        assert_eq!(indices, (0..T::CARDINALITY).collect::<Vec<_>>());
        for &value in values {
            assert_eq!(value.label().as_str(), as_label(value));
        }
    }

    #[test]
    fn runner_labels_are_dense_and_match_as_label() {
        assert_dense(&[RunnerType::Subprocess, RunnerType::Container, RunnerType::Wasm], RunnerType::as_label);
        assert_dense(
            &[TaskOutcome::Success, TaskOutcome::Failure, TaskOutcome::Canceled, TaskOutcome::Timeout],
            |outcome| outcome.as_label(),
        );
        assert_dense(
            &[
                RunnerErrorKind::CgroupPrepareFailed,
                RunnerErrorKind::BackendConfigFailed,
                RunnerErrorKind::SpawnFailed,
                RunnerErrorKind::ModuleLoadFailed,
            ],
            RunnerErrorKind::as_label,
        );
    }
}
