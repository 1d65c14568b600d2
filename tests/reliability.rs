//! Numbers that stay exact and inputs that cannot hurt: contention, label collisions, hostile
//! label values, all-or-nothing registration and bounded cardinality.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Barrier};
use std::thread;

use proptest::prelude::*;
use solti_metrics::prometheus::proto::MetricFamily;
use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_metrics::{
    Gauge, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, LabelValue, MetricsSet, PrometheusMetrics,
};
use solti_runner::{MetricsBackend, RunnerErrorKind, RunnerType, TaskOutcome};

const THREADS: usize = 8;
const RECORDS: usize = 50_000;

fn text(families: &[MetricFamily]) -> String {
    TextEncoder::new().encode_to_string(families).expect("gathered families always encode")
}

/// The value of the series of `family` whose labels are exactly `labels` (sorted by name).
fn series<'a>(
    families: &'a [MetricFamily],
    family: &str,
    labels: &[(&str, &str)],
) -> &'a solti_metrics::prometheus::proto::Metric {
    let family = families.iter().find(|f| f.name() == family).unwrap_or_else(|| panic!("no family {family}"));
    let matching: Vec<_> = family
        .get_metric()
        .iter()
        .filter(|m| {
            m.get_label().len() == labels.len()
                && m.get_label()
                    .iter()
                    .zip(labels)
                    .all(|(pair, (name, value))| pair.name() == *name && pair.value() == *value)
        })
        .collect();
    assert_eq!(matching.len(), 1, "expected exactly one series {labels:?} in {}", family.name());
    matching[0]
}

const RUNNERS: [RunnerType; 3] = [RunnerType::Subprocess, RunnerType::Container, RunnerType::Wasm];
const OUTCOMES: [TaskOutcome; 4] =
    [TaskOutcome::Success, TaskOutcome::Failure, TaskOutcome::Canceled, TaskOutcome::Timeout];

/// Durations whose value in seconds is exact in binary, so sums can be compared exactly.
const EXACT_MS: [u64; 4] = [125, 250, 500, 2_000];

#[test]
fn exact_under_contention_through_the_backend() {
    let backend = Arc::new(PrometheusMetrics::new_isolated().unwrap());
    let shared: Arc<dyn MetricsBackend> = backend.clone();
    let barrier = Arc::new(Barrier::new(THREADS));
    thread::scope(|scope| {
        for t in 0..THREADS {
            let backend = Arc::clone(&shared);
            let barrier = Arc::clone(&barrier);
            scope.spawn(move || {
                barrier.wait();
                for i in 0..RECORDS {
                    // Every thread hits one shared series and one of its own.
                    backend.record_task_started(RunnerType::Wasm);
                    backend.record_task_completed(RunnerType::Subprocess, TaskOutcome::Success, EXACT_MS[i % 4]);
                    let own_runner = RUNNERS[t % 3];
                    let own_outcome = OUTCOMES[t / 3 % 4];
                    backend.record_task_completed(own_runner, own_outcome, EXACT_MS[(i + t) % 4]);
                    backend.record_runner_error(RunnerType::Container, RunnerErrorKind::SpawnFailed);
                }
            });
        }
    });

    let families = backend.gather();
    let total = (THREADS * RECORDS) as f64;
    let started = series(&families, "solti_runner_tasks_started_total", &[("runner", "wasm")]);
    assert_eq!(started.get_counter().value(), total);
    let errors = series(&families, "solti_runner_errors_total", &[("error", "spawn_failed"), ("runner", "container")]);
    assert_eq!(errors.get_counter().value(), total);

    // Expected per-series histogram counts and sums, computed from the schedule above.
    let mut expected: HashMap<(&str, &str), (u64, f64)> = HashMap::new();
    for t in 0..THREADS {
        for i in 0..RECORDS {
            let shared = expected.entry(("success", "subprocess")).or_default();
            shared.0 += 1;
            shared.1 += EXACT_MS[i % 4] as f64 / 1000.0;
            let own = expected.entry((OUTCOMES[t / 3 % 4].as_label(), RUNNERS[t % 3].as_label())).or_default();
            own.0 += 1;
            own.1 += EXACT_MS[(i + t) % 4] as f64 / 1000.0;
        }
    }
    for ((outcome, runner), (count, sum)) in expected {
        let labels = [("outcome", outcome), ("runner", runner)];
        let histogram = series(&families, "solti_runner_task_duration_seconds", &labels).get_histogram();
        assert_eq!(histogram.get_sample_count(), count, "{labels:?}");
        assert_eq!(histogram.get_sample_sum(), sum, "{labels:?}");
        let completed = series(&families, "solti_runner_tasks_completed_total", &labels);
        assert_eq!(completed.get_counter().value(), count as f64, "{labels:?}");
    }
}

#[derive(Clone, Copy, LabelValue)]
enum Shard {
    A,
    B,
}

/// Metrics for the contention and collision tests.
#[derive(MetricsSet)]
#[metrics(namespace = "rel")]
struct Contended {
    /// Jobs running.
    running: IntGauge,
    /// Load, as a float gauge.
    load: Gauge,
    /// Jobs running per shard.
    #[metric(labels(shard: Shard))]
    running_by_shard: IntGaugeVec,
    /// Hits per shard.
    #[metric(labels(shard: Shard, hot: bool))]
    hits_total: IntCounterVec,
    /// Hits per open key.
    #[metric(labels(a, b))]
    keyed_total: IntCounterVec,
    /// Sizes per open key.
    #[metric(labels(a), buckets(1, 2, 4))]
    size: HistogramVec,
}

#[test]
fn gauges_return_to_zero_under_contention() {
    let registry = Registry::new();
    let m = Contended::register(&registry).unwrap();
    let barrier = Barrier::new(THREADS);
    thread::scope(|scope| {
        for t in 0..THREADS {
            let (m, barrier) = (&m, &barrier);
            scope.spawn(move || {
                barrier.wait();
                let shard = if t % 2 == 0 { Shard::A } else { Shard::B };
                for _ in 0..RECORDS {
                    m.running().inc();
                    m.load().add(1.0);
                    m.running_by_shard(shard).inc();
                    m.running().dec();
                    m.load().sub(1.0);
                    m.running_by_shard(shard).dec();
                }
            });
        }
    });
    assert_eq!(m.running().get(), 0);
    assert_eq!(m.load().get(), 0.0);
    assert_eq!(m.running_by_shard(Shard::A).get(), 0);
    assert_eq!(m.running_by_shard(Shard::B).get(), 0);
}

/// Many threads race to create the same series: the dense table and the map must each keep
/// exactly one, and no record may land in a series that is then dropped.
#[test]
fn racing_first_records_create_one_series() {
    for _ in 0..50 {
        let registry = Registry::new();
        let m = Contended::register(&registry).unwrap();
        let barrier = Barrier::new(THREADS);
        thread::scope(|scope| {
            for _ in 0..THREADS {
                let (m, barrier) = (&m, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    for _ in 0..200 {
                        m.hits_total(Shard::B, true).inc();
                        m.keyed_total("race", "key").inc();
                        m.size("race").observe(3.0);
                    }
                });
            }
        });
        let families = registry.gather();
        let expected = (THREADS * 200) as f64;
        assert_eq!(
            series(&families, "rel_hits_total", &[("hot", "true"), ("shard", "b")]).get_counter().value(),
            expected
        );
        assert_eq!(
            series(&families, "rel_keyed_total", &[("a", "race"), ("b", "key")]).get_counter().value(),
            expected
        );
        let size = series(&families, "rel_size", &[("a", "race")]).get_histogram();
        assert_eq!(size.get_sample_count(), (THREADS * 200) as u64);
        for family in &families {
            assert_eq!(family.get_metric().len(), 1, "{} has more than one series", family.name());
        }
    }
}

fn label_string() -> impl Strategy<Value = String> {
    // A tiny alphabet makes concatenation collisions (`"ab","c"` vs `"a","bc"`) frequent.
    prop::collection::vec(prop_oneof![Just('a'), Just('b'), Just(','), Just('\u{ff}')], 0..4)
        .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Every distinct tuple of open labels gets its own series, holding its own count.
    #[test]
    fn distinct_tuples_never_share_a_series(tuples in prop::collection::vec((label_string(), label_string()), 1..40)) {
        let registry = Registry::new();
        let m = Contended::register(&registry).unwrap();
        let mut model: HashMap<(String, String), u64> = HashMap::new();
        for (a, b) in &tuples {
            m.keyed_total(a, b).inc();
            *model.entry((a.clone(), b.clone())).or_default() += 1;
        }
        let families = registry.gather();
        let family = families.iter().find(|f| f.name() == "rel_keyed_total").unwrap();
        prop_assert_eq!(family.get_metric().len(), model.len());
        for ((a, b), count) in &model {
            let value = series(&families, "rel_keyed_total", &[("a", a), ("b", b)]).get_counter().value();
            prop_assert_eq!(value, *count as f64);
        }
    }

    /// No recorder panics, whatever the label strings.
    #[test]
    fn recorders_accept_any_string(a in any::<String>(), b in any::<String>(), v in any::<f64>()) {
        let registry = Registry::new();
        let m = Contended::register(&registry).unwrap();
        m.keyed_total(&a, &b).inc();
        m.size(&a).observe(v);
        let families = registry.gather();
        prop_assert_eq!(series(&families, "rel_keyed_total", &[("a", &a), ("b", &b)]).get_counter().value(), 1.0);
        let _ = text(&families);
    }
}

#[test]
fn the_known_prometheus_collision_is_two_series() {
    let registry = Registry::new();
    let m = Contended::register(&registry).unwrap();
    m.keyed_total("ab", "c").inc();
    m.keyed_total("a", "bc").inc_by(2);
    let families = registry.gather();
    assert_eq!(series(&families, "rel_keyed_total", &[("a", "ab"), ("b", "c")]).get_counter().value(), 1.0);
    assert_eq!(series(&families, "rel_keyed_total", &[("a", "a"), ("b", "bc")]).get_counter().value(), 2.0);
}

/// Label values a client might send: each is exported escaped, as one series of its own.
const HOSTILE: &[&str] = &[
    "",
    "\"",
    "\\",
    "\\\"",
    "\n",
    "a\nb",
    "\r\t",
    "ünïcödé ✓ 日本",
    "} 1\n# TYPE x counter\nx{a=\"b\"",
    "rel_keyed_total{a=\"x\"} 99",
    "# HELP rel_keyed_total injected",
    "\u{0}",
    "le",
];

#[test]
fn hostile_label_values_are_escaped_one_series_each() {
    let registry = Registry::new();
    let m = Contended::register(&registry).unwrap();
    let long = "x".repeat(10 * 1024);
    let values: Vec<&str> = HOSTILE.iter().copied().chain([long.as_str()]).collect();
    for (i, value) in values.iter().enumerate() {
        m.keyed_total(value, "v").inc_by(i as u64 + 1);
    }
    let families = registry.gather();
    for (i, value) in values.iter().enumerate() {
        let counter = series(&families, "rel_keyed_total", &[("a", value), ("b", "v")]).get_counter();
        assert_eq!(counter.value(), (i + 1) as f64, "{value:?}");
    }
    let exposition = text(&families);
    // One exposition line per series: no value broke out of its quotes or its line.
    let lines: Vec<&str> = exposition.lines().filter(|line| line.starts_with("rel_keyed_total{")).collect();
    assert_eq!(lines.len(), values.len(), "{exposition}");
    assert!(exposition.contains(r#"rel_keyed_total{a="a\nb",b="v"} 6"#), "{exposition}");
    assert!(exposition.contains(r#"rel_keyed_total{a="\\\"",b="v"} 4"#), "{exposition}");
    assert_eq!(exposition.lines().filter(|line| line.starts_with("# HELP rel_keyed_total")).count(), 1);
    common::promtool::check(&exposition);
}

/// A set whose last metric is already registered elsewhere.
#[derive(MetricsSet)]
struct Clashing {
    /// First, free.
    first_total: IntCounter,
    /// Second, free.
    second: IntGauge,
    /// Already taken.
    taken_total: IntCounter,
}

/// The same set without the metric that clashes.
#[derive(MetricsSet)]
struct Free {
    /// First, free.
    first_total: IntCounter,
    /// Second, free.
    second: IntGauge,
}

/// The owner of the clashing name.
#[derive(MetricsSet)]
struct Owner {
    /// Already taken.
    taken_total: IntCounter,
}

#[test]
fn registration_is_all_or_nothing() {
    let registry = Registry::new();
    let owner = Owner::register(&registry).unwrap();
    owner.taken_total().inc_by(5);
    let before = text(&registry.gather());

    let error = Clashing::register(&registry).map(|_| ()).unwrap_err();
    assert!(matches!(error, solti_metrics::prometheus::Error::AlreadyReg), "{error:?}");
    assert_eq!(text(&registry.gather()), before, "a refused set must leave nothing behind");

    let free = Free::register(&registry).expect("the metrics that did not clash are still free");
    free.first_total().inc();
    let after = text(&registry.gather());
    assert!(after.contains("first_total 1\n"));
    assert!(after.contains("taken_total 5\n"));
}

/// The same names as `Clashing`'s free metrics, with other labels.
#[derive(MetricsSet)]
struct Reshaped {
    /// First, free.
    #[metric(labels(kind))]
    first_total: IntCounterVec,
}

/// What outlives a refused set: prometheus 0.14 binds each name a registry was offered to its
/// label names and help (`dim_hashes_by_name`, kept "throughout the lifetime of a program").
/// Nothing is exported, but the name keeps its shape.
#[test]
fn a_refused_set_leaves_only_prometheus_name_bindings() {
    let registry = Registry::new();
    Owner::register(&registry).unwrap().taken_total().inc();
    let before = text(&registry.gather());
    assert!(Clashing::register(&registry).is_err());
    assert_eq!(text(&registry.gather()), before);

    let error = Reshaped::register(&registry).map(|_| ()).unwrap_err();
    assert!(error.to_string().contains("different label names or a different help"), "{error}");
    assert_eq!(text(&registry.gather()), before);
}

#[test]
fn unregister_frees_every_name() {
    let registry = Registry::new();
    let owner = Owner::register(&registry).unwrap();
    owner.taken_total().inc();
    owner.unregister(&registry).unwrap();
    assert_eq!(text(&registry.gather()), "");
    assert!(owner.unregister(&registry).is_err(), "a set is unregistered once");
    let clashing = Clashing::register(&registry).expect("every name is free again");
    clashing.taken_total().inc();
    assert_eq!(text(&registry.gather()).matches("taken_total 1\n").count(), 1);
}

/// A metric fed from user input, with a cap on its series.
#[derive(MetricsSet)]
struct Capped {
    /// Requests per user agent.
    #[metric(labels(agent), max_series = 10)]
    requests_total: IntCounterVec,
    /// Requests per user agent, without a cap.
    #[metric(labels(agent))]
    uncapped_total: IntCounterVec,
}

#[test]
fn max_series_sends_new_tuples_to_one_overflow_series() {
    let registry = Registry::new();
    let m = Capped::register(&registry).unwrap();
    for i in 0..1_000 {
        let agent = format!("agent-{i}");
        m.requests_total(&agent).inc();
        m.uncapped_total(&agent).inc();
    }
    // Tuples that own a series keep recording into it.
    m.requests_total("agent-3").inc();

    assert_eq!(m.requests_total.series_count(), 11, "10 series and the overflow series");
    assert_eq!(m.requests_total.overflow_records(), 990);
    assert_eq!(m.uncapped_total.series_count(), 1_000, "no limit by default");

    let families = registry.gather();
    let overflow = series(&families, "requests_total", &[("otel_metric_overflow", "true")]);
    assert_eq!(overflow.get_counter().value(), 990.0);
    assert_eq!(series(&families, "requests_total", &[("agent", "agent-3")]).get_counter().value(), 2.0);
    let exposition = text(&families);
    assert!(exposition.contains("requests_total{otel_metric_overflow=\"true\"} 990\n"), "{exposition}");
    common::promtool::check(&exposition);
}
