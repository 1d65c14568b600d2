//! Differential test: the derived runner backend against the hand-written original
//! (`solti-prometheus` 0.0.2), driven by the same random call sequences. The original's
//! exposition (its registry through `TextEncoder`) must be byte-identical to ours after every
//! sequence, twice: our backend's `prometheus::Registry` through `TextEncoder`, and the same set
//! registered in a `solti_metrics::Registry` through solti-metrics' own encoder.

mod common;

use std::sync::Arc;

use proptest::prelude::*;
use solti_metrics::prometheus::TextEncoder;
use solti_metrics::{Format, MetricsSet, Registry, RunnerMetrics};
use solti_runner::{MetricsBackend, RunnerErrorKind, RunnerType, TaskOutcome};

#[derive(Debug, Clone)]
enum Call {
    Started(RunnerType),
    Completed(RunnerType, TaskOutcome, u64),
    Error(RunnerType, RunnerErrorKind),
}

fn runner_type() -> impl Strategy<Value = RunnerType> {
    prop_oneof![Just(RunnerType::Subprocess), Just(RunnerType::Container), Just(RunnerType::Wasm)]
}

fn outcome() -> impl Strategy<Value = TaskOutcome> {
    prop_oneof![
        Just(TaskOutcome::Success),
        Just(TaskOutcome::Failure),
        Just(TaskOutcome::Canceled),
        Just(TaskOutcome::Timeout),
    ]
}

fn error_kind() -> impl Strategy<Value = RunnerErrorKind> {
    prop_oneof![
        Just(RunnerErrorKind::CgroupPrepareFailed),
        Just(RunnerErrorKind::BackendConfigFailed),
        Just(RunnerErrorKind::SpawnFailed),
        Just(RunnerErrorKind::ModuleLoadFailed),
    ]
}

/// Bucket edges in milliseconds, and one on each side of every edge.
const EDGES_MS: [u64; 15] =
    [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 1_800_000, 3_600_000];

fn duration_ms() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        (0..EDGES_MS.len(), -1i64..=1).prop_map(|(i, delta)| EDGES_MS[i].saturating_add_signed(delta)),
        0u64..10_000,
        any::<u64>(),
    ]
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        runner_type().prop_map(Call::Started),
        (runner_type(), outcome(), duration_ms()).prop_map(|(r, o, d)| Call::Completed(r, o, d)),
        (runner_type(), error_kind()).prop_map(|(r, e)| Call::Error(r, e)),
    ]
}

fn apply(backend: &dyn MetricsBackend, calls: &[Call]) {
    for call in calls {
        match *call {
            Call::Started(runner) => backend.record_task_started(runner),
            Call::Completed(runner, outcome, ms) => backend.record_task_completed(runner, outcome, ms),
            Call::Error(runner, kind) => backend.record_runner_error(runner, kind),
        }
    }
}

/// The runner set in a `solti_metrics::Registry`, and the registry.
fn in_own_registry() -> (RunnerMetrics, Registry) {
    let registry = Registry::new();
    let metrics = RunnerMetrics::register(&registry).expect("register in a solti_metrics::Registry");
    (metrics, registry)
}

fn encoded(registry: &Registry) -> String {
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus).expect("encoding never fails");
    String::from_utf8(body).expect("the exposition is UTF-8")
}

fn exposition(families: &[solti_metrics::prometheus::proto::MetricFamily]) -> String {
    TextEncoder::new().encode_to_string(families).expect("text encoding never fails on gathered families")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn exposition_is_byte_identical(calls in prop::collection::vec(call(), 0..120)) {
        let ours = Arc::new(solti_metrics::PrometheusMetrics::new_isolated().expect("register ours"));
        let original = Arc::new(solti_prometheus::PrometheusMetrics::new_isolated().expect("register original"));
        let ours_dyn: Arc<dyn MetricsBackend> = ours.clone();
        let original_dyn: Arc<dyn MetricsBackend> = original.clone();

        let (own, registry) = in_own_registry();
        apply(&*ours_dyn, &calls);
        apply(&*original_dyn, &calls);
        apply(&own, &calls);

        let expected = exposition(&original.gather());
        prop_assert_eq!(&exposition(&ours.gather()), &expected);
        prop_assert_eq!(&encoded(&registry), &expected);
    }
}

/// Every combination of labels recorded once, with durations at and around each bucket edge:
/// the widest exposition a sequence can produce.
#[test]
fn every_series_and_bucket_edge_is_identical() {
    let ours = solti_metrics::PrometheusMetrics::new_isolated().expect("register ours");
    let original = solti_prometheus::PrometheusMetrics::new_isolated().expect("register original");
    let runners = [RunnerType::Subprocess, RunnerType::Container, RunnerType::Wasm];
    let outcomes = [TaskOutcome::Success, TaskOutcome::Failure, TaskOutcome::Canceled, TaskOutcome::Timeout];
    let kinds = [
        RunnerErrorKind::CgroupPrepareFailed,
        RunnerErrorKind::BackendConfigFailed,
        RunnerErrorKind::SpawnFailed,
        RunnerErrorKind::ModuleLoadFailed,
    ];
    let (own, registry) = in_own_registry();
    for backend in [&ours as &dyn MetricsBackend, &original, &own] {
        for runner in runners {
            backend.record_task_started(runner);
            for outcome in outcomes {
                for edge in EDGES_MS {
                    for ms in [edge - 1, edge, edge + 1] {
                        backend.record_task_completed(runner, outcome, ms);
                    }
                }
                backend.record_task_completed(runner, outcome, u64::MAX);
            }
            for kind in kinds {
                backend.record_runner_error(runner, kind);
            }
        }
    }
    let text = exposition(&ours.gather());
    assert_eq!(text, exposition(&original.gather()));
    assert_eq!(encoded(&registry), text);
    common::promtool::check(&text);
    assert_eq!(text.matches("solti_runner_task_duration_seconds_count{").count(), 12);
    assert_eq!(text.matches("solti_runner_errors_total{").count(), 12);
}
