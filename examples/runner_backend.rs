//! The Solti runner backend: a burst of task events through `Arc<dyn MetricsBackend>`, then
//! the Prometheus text exposition.

use std::sync::Arc;

use solti_metrics::PrometheusMetrics;
use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_runner::{MetricsBackend, RunnerErrorKind, RunnerType, TaskOutcome};

fn main() -> Result<(), solti_metrics::prometheus::Error> {
    let registry = Arc::new(Registry::new());
    let backend: Arc<dyn MetricsBackend> = Arc::new(PrometheusMetrics::new(Arc::clone(&registry))?);

    let runners = [RunnerType::Subprocess, RunnerType::Wasm, RunnerType::Container];
    let outcomes = [
        TaskOutcome::Success,
        TaskOutcome::Success,
        TaskOutcome::Success,
        TaskOutcome::Failure,
        TaskOutcome::Timeout,
        TaskOutcome::Canceled,
    ];
    // A deterministic burst: 120 tasks spread over the runners, most succeed, durations from
    // a few milliseconds to several minutes.
    for task in 0..120u64 {
        let runner = runners[(task % 3) as usize];
        backend.record_task_started(runner);
        if task % 17 == 5 {
            backend.record_runner_error(runner, RunnerErrorKind::SpawnFailed);
            continue;
        }
        let outcome = outcomes[(task % 6) as usize];
        let duration_ms = (task * task * 37) % 400_000;
        backend.record_task_completed(runner, outcome, duration_ms);
    }
    backend.record_runner_error(RunnerType::Wasm, RunnerErrorKind::ModuleLoadFailed);
    backend.record_runner_error(RunnerType::Container, RunnerErrorKind::CgroupPrepareFailed);

    print!("{}", TextEncoder::new().encode_to_string(&registry.gather())?);
    Ok(())
}
