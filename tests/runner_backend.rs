//! The original backend's five tests, run against the derived `PrometheusMetrics`, plus the
//! parts of its public API they do not reach.

use std::sync::Arc;

use solti_metrics::PrometheusMetrics;
use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_runner::{MetricsBackend, RunnerErrorKind, RunnerType, TaskOutcome};

#[test]
fn can_create_prometheus_metrics() {
    let _metrics = PrometheusMetrics::new_isolated().expect("failed to create metrics");
}

#[test]
fn record_task_started_increments_counter() {
    let metrics = PrometheusMetrics::new_isolated().unwrap();

    metrics.record_task_started(RunnerType::Subprocess);
    metrics.record_task_started(RunnerType::Subprocess);
    metrics.record_task_started(RunnerType::Wasm);

    let families = metrics.gather();
    let started = families.iter().find(|f| f.name() == "solti_runner_tasks_started_total").expect("metric not found");

    assert_eq!(started.get_metric().len(), 2);
}

#[test]
fn record_task_completed_increments_counter_and_histogram() {
    let metrics = PrometheusMetrics::new_isolated().unwrap();

    metrics.record_task_completed(RunnerType::Subprocess, TaskOutcome::Success, 150);
    metrics.record_task_completed(RunnerType::Subprocess, TaskOutcome::Failure, 50);

    let families = metrics.gather();

    let completed = families
        .iter()
        .find(|f| f.name() == "solti_runner_tasks_completed_total")
        .expect("completed counter not found");
    assert_eq!(completed.get_metric().len(), 2);

    let duration = families
        .iter()
        .find(|f| f.name() == "solti_runner_task_duration_seconds")
        .expect("duration histogram not found");
    assert_eq!(duration.get_metric().len(), 2);
}

#[test]
fn record_runner_error_increments_counter() {
    let metrics = PrometheusMetrics::new_isolated().unwrap();

    metrics.record_runner_error(RunnerType::Subprocess, RunnerErrorKind::SpawnFailed);
    metrics.record_runner_error(RunnerType::Subprocess, RunnerErrorKind::SpawnFailed);
    metrics.record_runner_error(RunnerType::Wasm, RunnerErrorKind::ModuleLoadFailed);

    let families = metrics.gather();
    let errors = families.iter().find(|f| f.name() == "solti_runner_errors_total").expect("errors counter not found");

    assert_eq!(errors.get_metric().len(), 2);
}

#[test]
fn can_use_custom_registry() {
    let registry = Arc::new(Registry::new());
    let metrics = PrometheusMetrics::new(registry.clone()).unwrap();

    metrics.record_task_started(RunnerType::Subprocess);
    assert!(!registry.gather().is_empty());
}

#[test]
fn nothing_is_exported_before_the_first_record() {
    let metrics = PrometheusMetrics::new_isolated().unwrap();
    assert!(metrics.gather().is_empty());
}

#[test]
fn records_through_a_shared_handle() {
    let metrics = Arc::new(PrometheusMetrics::new_isolated().unwrap());
    let handle: Arc<dyn MetricsBackend> = metrics.clone();
    handle.record_task_completed(RunnerType::Container, TaskOutcome::Timeout, 2_500);

    let text = TextEncoder::new().encode_to_string(&metrics.gather()).unwrap();
    assert!(text.contains("solti_runner_tasks_completed_total{outcome=\"timeout\",runner=\"container\"} 1\n"));
    assert!(text.contains(
        "solti_runner_task_duration_seconds_bucket{outcome=\"timeout\",runner=\"container\",le=\"2.5\"} 1\n"
    ));
    assert!(
        text.contains(
            "solti_runner_task_duration_seconds_bucket{outcome=\"timeout\",runner=\"container\",le=\"1\"} 0\n"
        )
    );
    assert!(text.contains("solti_runner_task_duration_seconds_sum{outcome=\"timeout\",runner=\"container\"} 2.5\n"));
}

#[test]
fn a_second_backend_on_one_registry_is_refused() {
    let registry = Arc::new(Registry::new());
    let first = PrometheusMetrics::new(registry.clone()).unwrap();
    first.record_task_started(RunnerType::Wasm);
    let before = TextEncoder::new().encode_to_string(&registry.gather()).unwrap();

    let error = PrometheusMetrics::new(registry.clone()).unwrap_err();
    assert!(matches!(error, solti_metrics::prometheus::Error::AlreadyReg), "{error:?}");
    assert_eq!(TextEncoder::new().encode_to_string(&registry.gather()).unwrap(), before);
}

#[test]
#[allow(deprecated)]
fn deprecated_constructor_and_accessors() {
    let registry = Arc::new(Registry::new());
    let metrics = PrometheusMetrics::new_with_registry(registry.clone()).unwrap();
    assert!(Arc::ptr_eq(metrics.registry(), &registry));
    assert_eq!(format!("{metrics:?}"), "PrometheusMetrics");
    metrics.metrics().errors_total(RunnerType::Wasm, RunnerErrorKind::SpawnFailed).inc_by(3);
    let families = metrics.gather();
    assert_eq!(families[0].get_metric()[0].get_counter().value(), 3.0);
}
