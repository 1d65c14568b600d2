//! Text expositions of every kind of set, each checked by `promtool check metrics` (the
//! Prometheus project's parser and linter) as well as by exact assertions.

mod common;

use std::sync::Arc;

use common::promtool;
use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_metrics::{
    Counter, CounterVec, Gauge, GaugeVec, Histogram, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    LabelValue, MetricsSet, PrometheusMetrics,
};
use solti_runner::{MetricsBackend, RunnerErrorKind, RunnerType, TaskOutcome};

fn text(registry: &Registry) -> String {
    TextEncoder::new().encode_to_string(&registry.gather()).expect("gathered families always encode")
}

#[derive(Clone, Copy, LabelValue)]
enum Shard {
    North,
    #[label = "SOUTH"]
    South,
}

/// Every field type, label kinds side by side, and the bucket forms.
#[derive(MetricsSet)]
#[metrics(namespace = "lint", subsystem = "all")]
struct AllKinds {
    /// Plain counter.
    events_total: Counter,
    /// Plain integer counter.
    int_events_total: IntCounter,
    /// Plain gauge, in bytes.
    #[metric(unit = "bytes")]
    memory_bytes: Gauge,
    /// Plain integer gauge.
    workers: IntGauge,
    /// Plain histogram with the default buckets.
    #[metric(unit = "seconds")]
    latency_seconds: Histogram,
    /// Labelled counter, open and fixed labels.
    #[metric(labels(shard: Shard, tenant))]
    requests_total: CounterVec,
    /// Labelled integer counter with a series limit.
    #[metric(labels(tenant), max_series = 2)]
    capped_total: IntCounterVec,
    /// Labelled gauge.
    #[metric(labels(shard: Shard, ok: bool))]
    temperature_celsius: GaugeVec,
    /// Labelled integer gauge with an integer label.
    #[metric(labels(code: u16))]
    open_connections: IntGaugeVec,
    /// Labelled histogram with linear buckets.
    #[metric(labels(shard: Shard), buckets = linear(0.5, 0.5, 4))]
    size_ratio: HistogramVec,
    /// Labelled histogram with exponential buckets.
    #[metric(labels(tenant), buckets = exponential(0.001, 10, 5))]
    wait_seconds: HistogramVec,
}

/// Records into every metric of `m`, label values that need escaping and `NaN` included.
fn record_every_kind(m: &AllKinds) {
    m.events_total().inc_by(1.5);
    m.int_events_total().inc();
    m.memory_bytes().set(1.25e9);
    m.workers().set(-3);
    m.latency_seconds().observe(0.3);
    m.requests_total(Shard::South, "acme").inc();
    // Label values that need escaping in the text format.
    m.requests_total(Shard::North, "quote\" back\\slash new\nline").inc_by(2.0);
    for tenant in ["a", "b", "c", "d"] {
        m.capped_total(tenant).inc();
    }
    m.temperature_celsius(Shard::North, true).set(21.5);
    m.temperature_celsius(Shard::South, false).set(f64::NAN);
    m.open_connections(443).set(7);
    m.size_ratio(Shard::North).observe(1.2);
    m.wait_seconds("acme").observe(5.0);
}

#[test]
fn every_field_type_passes_promtool() {
    let registry = Registry::new();
    let m = AllKinds::register(&registry).unwrap();
    record_every_kind(&m);

    let text = text(&registry);
    promtool::check(&text);
    assert!(!text.contains("# UNIT"), "the Prometheus text has no unit lines");
    for line in [
        "lint_all_events_total 1.5\n",
        "lint_all_workers -3\n",
        r#"lint_all_requests_total{shard="SOUTH",tenant="acme"} 1"#,
        r#"lint_all_requests_total{shard="north",tenant="quote\" back\\slash new\nline"} 2"#,
        r#"lint_all_capped_total{otel_metric_overflow="true"} 2"#,
        r#"lint_all_temperature_celsius{ok="false",shard="SOUTH"} NaN"#,
        r#"lint_all_open_connections{code="443"} 7"#,
        r#"lint_all_size_ratio_bucket{shard="north",le="1.5"} 1"#,
        r#"lint_all_wait_seconds_bucket{tenant="acme",le="10"} 1"#,
        "lint_all_latency_seconds_bucket{le=\"0.5\"} 1\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // A family is exported once, with one HELP and one TYPE line.
    assert_eq!(text.matches("# TYPE ").count(), AllKinds::METRICS.len());
}

#[test]
fn runner_backend_every_label_value_passes_promtool() {
    let registry = Arc::new(Registry::new());
    let backend: Arc<dyn MetricsBackend> = Arc::new(PrometheusMetrics::new(Arc::clone(&registry)).unwrap());
    let runners = [RunnerType::Subprocess, RunnerType::Container, RunnerType::Wasm];
    let outcomes = [TaskOutcome::Success, TaskOutcome::Failure, TaskOutcome::Canceled, TaskOutcome::Timeout];
    let errors = [
        RunnerErrorKind::CgroupPrepareFailed,
        RunnerErrorKind::BackendConfigFailed,
        RunnerErrorKind::SpawnFailed,
        RunnerErrorKind::ModuleLoadFailed,
    ];
    for (i, runner) in runners.into_iter().enumerate() {
        for (j, outcome) in outcomes.into_iter().enumerate() {
            backend.record_task_started(runner);
            backend.record_task_completed(runner, outcome, 10u64.pow((i + j) as u32));
        }
        for error in errors {
            backend.record_runner_error(runner, error);
        }
    }
    let text = text(&registry);
    promtool::check(&text);
    assert!(text.contains(r#"solti_runner_tasks_started_total{runner="container"} 4"#), "{text}");
    assert!(text.contains(r#"solti_runner_task_duration_seconds_sum{outcome="timeout",runner="wasm"} 100"#), "{text}");
    assert_eq!(text.matches("solti_runner_tasks_completed_total{").count(), 12);
    assert_eq!(text.matches("solti_runner_errors_total{").count(), 12);
}

#[test]
fn registered_but_unrecorded_sets_pass_promtool() {
    let registry = Registry::new();
    let _all = AllKinds::register(&registry).unwrap();
    let _runner = PrometheusMetrics::new(Arc::new(registry.clone())).unwrap();
    let text = text(&registry);
    promtool::check(&text);
    // Labelled families export nothing until recorded; plain metrics export their zero.
    assert!(!text.contains("lint_all_requests_total"), "{text}");
    assert!(!text.contains("solti_runner_"), "{text}");
    assert!(text.contains("lint_all_events_total 0\n"), "{text}");
    assert!(text.contains("lint_all_latency_seconds_count 0\n"), "{text}");
}

#[test]
fn promtool_check_rejects_bad_expositions() {
    if !promtool::available() {
        eprintln!("note: promtool not installed; its own behaviour is not checked");
        return;
    }
    for bad in [
        // Lint findings: a counter without `_total`, no help text.
        "# HELP requests Requests.\n# TYPE requests counter\nrequests 1\n",
        "# TYPE jobs_total counter\njobs_total 1\n",
        // Not the text format at all.
        "this is not an exposition\n",
    ] {
        let outcome = std::panic::catch_unwind(|| promtool::check(bad));
        assert!(outcome.is_err(), "promtool accepted {bad:?}");
    }
    promtool::check("# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total 1\n");
}

/// The same set in a `solti_metrics::Registry`, written as OpenMetrics: accepted by an
/// independent OpenMetrics parser, with the family names, `_total` samples, bucket bounds and
/// `# EOF` that OpenMetrics asks for.
#[test]
fn every_field_type_in_openmetrics() {
    let registry = solti_metrics::Registry::new();
    let m = AllKinds::register(&registry).unwrap();
    record_every_kind(&m);
    m.temperature_celsius(Shard::North, true).set(f64::NEG_INFINITY);

    let mut body = Vec::new();
    registry.encode(&mut body, solti_metrics::Format::OpenMetrics).unwrap();
    let text = String::from_utf8(body).unwrap();
    for line in [
        "# TYPE lint_all_events counter\n",
        "lint_all_events_total 1.5\n",
        "lint_all_int_events_total 1\n",
        "lint_all_memory_bytes 1250000000.0\n",
        "# TYPE lint_all_memory_bytes gauge\n# UNIT lint_all_memory_bytes bytes\n",
        "# TYPE lint_all_latency_seconds histogram\n# UNIT lint_all_latency_seconds seconds\n",
        "lint_all_workers -3\n",
        "lint_all_latency_seconds_bucket{le=\"0.5\"} 1\n",
        "lint_all_latency_seconds_bucket{le=\"+Inf\"} 1\n",
        "lint_all_latency_seconds_count 1\nlint_all_latency_seconds_sum 0.3\n",
        "lint_all_requests_total{shard=\"north\",tenant=\"quote\\\" back\\\\slash new\\nline\"} 2.0\n",
        "lint_all_capped_total{otel_metric_overflow=\"true\"} 2\n",
        "lint_all_temperature_celsius{ok=\"false\",shard=\"SOUTH\"} NaN\n",
        "lint_all_temperature_celsius{ok=\"true\",shard=\"north\"} -Inf\n",
        "lint_all_size_ratio_bucket{shard=\"north\",le=\"1.0\"} 0\n",
        "lint_all_wait_seconds_bucket{tenant=\"acme\",le=\"10.0\"} 1\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(text.ends_with("\n# EOF\n"), "{text}");
    if let Some(families) = common::openmetrics::parse(&text) {
        assert_eq!(families.len(), AllKinds::METRICS.len(), "{families:?}");
        assert!(families.contains(&"lint_all_events counter 1".to_owned()), "{families:?}");
        assert!(families.contains(&"lint_all_capped counter 3".to_owned()), "{families:?}");
        // 11 buckets and `+Inf`, count, sum (and `_created`-less).
        assert!(families.contains(&"lint_all_latency_seconds histogram 14".to_owned()), "{families:?}");
    }
}

/// The OpenMetrics parser is a real check: it refuses what OpenMetrics does not allow.
#[test]
fn openmetrics_parser_rejects_bad_expositions() {
    for bad in [
        // No `# EOF`.
        "# TYPE jobs counter\njobs_total 1\n",
        // A counter sample without `_total`.
        "# TYPE jobs counter\njobs 1\n# EOF\n",
        // A histogram without its `+Inf` bucket.
        "# TYPE t histogram\nt_bucket{le=\"1.0\"} 1\nt_count 1\nt_sum 1.0\n# EOF\n",
    ] {
        let outcome = std::panic::catch_unwind(|| common::openmetrics::parse(bad));
        assert!(matches!(outcome, Err(_) | Ok(None)), "the parser accepted {bad:?}");
    }
    common::openmetrics::parse("# TYPE jobs counter\njobs_total 1\n# EOF\n");
}

/// What the running program is, stated once as labels.
#[derive(MetricsSet)]
#[metrics(namespace = "lint")]
struct About {
    /// The version and commit of the program.
    #[metric(labels(version, commit))]
    build_info: solti_metrics::Info,

    /// The features enabled.
    #[metric(labels(feature, on: bool), removable)]
    feature_info: solti_metrics::Info,
}

/// An info metric: `# TYPE name info` and samples named `name_info` in OpenMetrics, a gauge in
/// the Prometheus text format (as `prometheus` writes one by hand), each series at 1.
#[test]
fn info_metrics_in_both_formats() {
    let registry = solti_metrics::Registry::new();
    let about = About::register(&registry).unwrap();
    about.build_info("1.4.2", "9f3c\"2e1");
    about.feature_info("gzip", true);
    about.feature_info("tls", false);
    assert!(about.remove_feature_info("tls", false));
    let encode = |format| {
        let mut body = Vec::new();
        registry.encode(&mut body, format).unwrap();
        String::from_utf8(body).unwrap()
    };

    let prometheus_text = encode(solti_metrics::Format::Prometheus);
    assert_eq!(
        prometheus_text,
        "# HELP lint_build_info The version and commit of the program.\n# TYPE lint_build_info gauge\n\
         lint_build_info{commit=\"9f3c\\\"2e1\",version=\"1.4.2\"} 1\n\
         # HELP lint_feature_info The features enabled.\n# TYPE lint_feature_info gauge\n\
         lint_feature_info{feature=\"gzip\",on=\"true\"} 1\n"
    );
    promtool::check(&prometheus_text);
    let hand = Registry::new();
    let gauge = solti_metrics::prometheus::IntGaugeVec::new(
        solti_metrics::prometheus::Opts::new("lint_build_info", "The version and commit of the program."),
        &["version", "commit"],
    )
    .unwrap();
    gauge.with_label_values(&["1.4.2", "9f3c\"2e1"]).set(1);
    hand.register(Box::new(gauge)).unwrap();
    assert!(prometheus_text.starts_with(&text(&hand)), "the same text as a hand-written gauge");

    let open_metrics = encode(solti_metrics::Format::OpenMetrics);
    assert_eq!(
        open_metrics,
        "# HELP lint_build The version and commit of the program.\n# TYPE lint_build info\n\
         lint_build_info{commit=\"9f3c\\\"2e1\",version=\"1.4.2\"} 1\n\
         # HELP lint_feature The features enabled.\n# TYPE lint_feature info\n\
         lint_feature_info{feature=\"gzip\",on=\"true\"} 1\n# EOF\n"
    );
    if let Some(families) = common::openmetrics::parse(&open_metrics) {
        assert_eq!(families, ["lint_build info 1", "lint_feature info 1"]);
    }
    let gathered = registry.gather();
    assert_eq!(gathered.len(), 2);
    assert_eq!(gathered[0].get_field_type(), solti_metrics::prometheus::proto::MetricType::GAUGE);
}
