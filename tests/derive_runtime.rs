//! A set declared as in the design's example, used from a crate that depends on
//! `solti-metrics` alone: exported text, registration, typed recorders.

mod common;

use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_metrics::{
    Counter, CounterVec, Gauge, GaugeVec, Histogram, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    LabelValue, MetricKind, MetricsSet,
};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
    #[label = "DELETE"]
    Delete,
}

/// HTTP server metrics.
#[derive(MetricsSet)]
#[metrics(namespace = "demo", subsystem = "http")]
pub struct HttpMetrics {
    /// Total requests served.
    #[metric(labels(method: Method, path))]
    requests_total: IntCounterVec,

    /// Request latency.
    #[metric(labels(method: Method), buckets(0.005, 0.01, 0.1, 1.0))]
    request_duration_seconds: HistogramVec,

    /// Requests in flight.
    in_flight: IntGauge,
}

/// The registry's exposition, linted by promtool.
fn text(registry: &Registry) -> String {
    let text = TextEncoder::new().encode_to_string(&registry.gather()).unwrap();
    common::promtool::check(&text);
    text
}

#[test]
fn design_example_exports_expected_lines() {
    let registry = Registry::new();
    let m = HttpMetrics::register(&registry).unwrap();
    m.requests_total(Method::Get, "/users").inc();
    m.requests_total(Method::Get, "/users").inc();
    m.requests_total(Method::Delete, "/users/\"7\"\\n\n").inc();
    m.request_duration_seconds(Method::Post).observe(0.02);
    m.in_flight.inc();
    m.in_flight().inc();
    m.in_flight().dec();

    let expected = "\
# HELP demo_http_in_flight Requests in flight.
# TYPE demo_http_in_flight gauge
demo_http_in_flight 1
# HELP demo_http_request_duration_seconds Request latency.
# TYPE demo_http_request_duration_seconds histogram
demo_http_request_duration_seconds_bucket{method=\"post\",le=\"0.005\"} 0
demo_http_request_duration_seconds_bucket{method=\"post\",le=\"0.01\"} 0
demo_http_request_duration_seconds_bucket{method=\"post\",le=\"0.1\"} 1
demo_http_request_duration_seconds_bucket{method=\"post\",le=\"1\"} 1
demo_http_request_duration_seconds_bucket{method=\"post\",le=\"+Inf\"} 1
demo_http_request_duration_seconds_sum{method=\"post\"} 0.02
demo_http_request_duration_seconds_count{method=\"post\"} 1
# HELP demo_http_requests_total Total requests served.
# TYPE demo_http_requests_total counter
demo_http_requests_total{method=\"DELETE\",path=\"/users/\\\"7\\\"\\\\n\\n\"} 1
demo_http_requests_total{method=\"get\",path=\"/users\"} 2
";
    assert_eq!(text(&registry), expected);
}

#[test]
fn catalog_describes_every_metric() {
    let names: Vec<&str> = HttpMetrics::METRICS.iter().map(|m| m.name).collect();
    assert_eq!(names, ["demo_http_requests_total", "demo_http_request_duration_seconds", "demo_http_in_flight"]);
    let duration = &HttpMetrics::METRICS[1];
    assert_eq!(duration.kind, MetricKind::Histogram);
    assert_eq!(duration.labels, ["method"]);
    assert_eq!(duration.buckets, [0.005, 0.01, 0.1, 1.0]);
    assert_eq!(duration.help, "Request latency.");
    assert_eq!(HttpMetrics::METRICS[0].kind, MetricKind::Counter);
    assert_eq!(HttpMetrics::METRICS[2].kind, MetricKind::Gauge);
    assert!(HttpMetrics::METRICS[2].buckets.is_empty());
}

#[test]
fn registering_twice_fails_and_changes_nothing() {
    let registry = Registry::new();
    let m = HttpMetrics::register(&registry).unwrap();
    m.requests_total(Method::Post, "/").inc();
    m.in_flight.set(4);
    let before = text(&registry);

    assert!(HttpMetrics::register(&registry).is_err());
    assert_eq!(text(&registry), before);

    // The first set keeps recording into the registry.
    m.requests_total(Method::Post, "/").inc();
    assert!(text(&registry).contains("demo_http_requests_total{method=\"post\",path=\"/\"} 2\n"));
}

#[test]
fn unregister_removes_the_whole_set() {
    let registry = Registry::new();
    let m = HttpMetrics::register(&registry).unwrap();
    m.in_flight.set(1);
    m.unregister(&registry).unwrap();
    assert_eq!(text(&registry), "");
    let again = HttpMetrics::register(&registry).unwrap();
    again.in_flight.set(2);
    assert_eq!(
        text(&registry),
        "# HELP demo_http_in_flight Requests in flight.\n# TYPE demo_http_in_flight gauge\ndemo_http_in_flight 2\n"
    );
}

/// One metric of every field type, with names, help and subsystems set every way.
#[derive(MetricsSet)]
#[metrics(namespace = "all")]
struct EveryType {
    #[metric(help = "a counter")]
    c_total: Counter,
    /// an int counter
    #[metric(name = "renamed_total")]
    ic: IntCounter,
    /// a gauge
    #[metric(subsystem = "sub")]
    g: Gauge,
    /// an int gauge
    ig: IntGauge,
    /// a histogram
    #[metric(buckets = linear(1, 2, 3))]
    hist: Histogram,
    /// a counter vec
    #[metric(labels(ok: bool))]
    cv_total: CounterVec,
    /// an int counter vec
    #[metric(labels(code: u16, class))]
    icv_total: IntCounterVec,
    /// a gauge vec
    #[metric(labels(shard: u8))]
    gv: GaugeVec,
    /// an int gauge vec
    #[metric(labels(r#type))]
    igv: IntGaugeVec,
    /// a histogram vec
    #[metric(labels(ok: bool), buckets = exponential(0.5, 4, 3))]
    hv: HistogramVec,
}

#[test]
fn every_field_type_records_and_exports() {
    let registry = Registry::new();
    let m = EveryType::register(&registry).unwrap();
    m.c_total().inc_by(1.5);
    m.ic().inc();
    m.g().set(-2.5);
    m.ig().set(7);
    m.hist().observe(4.0);
    m.cv_total(true).inc();
    m.icv_total(404, "4xx").inc();
    m.gv(3).add(1.25);
    m.igv("disk").dec();
    m.hv(false).observe(2.0);

    let text = text(&registry);
    for line in [
        "all_c_total 1.5\n",
        "all_renamed_total 1\n",
        "all_sub_g -2.5\n",
        "all_ig 7\n",
        "all_hist_bucket{le=\"3\"} 0\n",
        "all_hist_bucket{le=\"5\"} 1\n",
        "all_cv_total{ok=\"true\"} 1\n",
        "all_icv_total{class=\"4xx\",code=\"404\"} 1\n",
        "all_gv{shard=\"3\"} 1.25\n",
        "all_igv{type=\"disk\"} -1\n",
        "all_hv_bucket{ok=\"false\",le=\"2\"} 1\n",
        "all_hv_bucket{ok=\"false\",le=\"0.5\"} 0\n",
        "all_hv_bucket{ok=\"false\",le=\"8\"} 1\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert_eq!(EveryType::METRICS[4].buckets, [1.0, 3.0, 5.0]);
    assert_eq!(EveryType::METRICS[9].buckets, [0.5, 2.0, 8.0]);
    assert_eq!(EveryType::METRICS[4].help, "a histogram");
    assert_eq!(EveryType::METRICS[0].help, "a counter");
    assert_eq!(EveryType::METRICS[1].field, "ic");
}

#[test]
fn open_labels_never_merge_distinct_tuples() {
    let registry = Registry::new();
    let m = EveryType::register(&registry).unwrap();
    m.icv_total(1, "23").inc();
    m.icv_total(12, "3").inc_by(2);
    let text = text(&registry);
    assert!(text.contains("all_icv_total{class=\"23\",code=\"1\"} 1\n"), "{text}");
    assert!(text.contains("all_icv_total{class=\"3\",code=\"12\"} 2\n"), "{text}");
}

/// A plain metric's field reads its value with `get()`, as the series does.
#[test]
fn plain_fields_read_their_value() {
    #[derive(MetricsSet)]
    struct Plain {
        /// Jobs run.
        jobs_total: solti_metrics::IntCounter,
    }
    let plain = Plain::register(&solti_metrics::Registry::new()).unwrap();
    plain.jobs_total().inc_by(2);
    assert_eq!(plain.jobs_total.get(), 2);
    assert_eq!(plain.jobs_total().get(), 2);
}

#[derive(Clone, Copy, Debug, PartialEq, solti_metrics::LabelValue)]
enum Outcome {
    Ok,
    #[label = "err"]
    Error,
}

/// `#[metric(init)]`: every combination of the fixed label values is exported at 0 from
/// registration, in both kinds of registry, so `rate()` sees the first increment.
#[test]
fn init_exports_every_combination_at_zero() {
    #[derive(MetricsSet)]
    struct Calls {
        /// Calls made.
        #[metric(init, labels(outcome: Outcome, retried: bool))]
        calls_total: solti_metrics::IntCounterVec,
        /// Call latency.
        #[metric(init, labels(outcome: Outcome), buckets(0.1))]
        call_seconds: solti_metrics::HistogramVec,
    }
    assert_eq!(Outcome::values().collect::<Vec<_>>(), [Outcome::Ok, Outcome::Error]);

    let registry = solti_metrics::Registry::new();
    let calls = Calls::register(&registry).unwrap();
    solti_metrics::testing::assert_exposition_eq(
        &registry,
        solti_metrics::Format::Prometheus,
        r#"# HELP calls_total Calls made.
# TYPE calls_total counter
calls_total{outcome="err",retried="false"} 0
calls_total{outcome="err",retried="true"} 0
calls_total{outcome="ok",retried="false"} 0
calls_total{outcome="ok",retried="true"} 0
# HELP call_seconds Call latency.
# TYPE call_seconds histogram
call_seconds_bucket{outcome="err",le="0.1"} 0
call_seconds_bucket{outcome="err",le="+Inf"} 0
call_seconds_sum{outcome="err"} 0
call_seconds_count{outcome="err"} 0
call_seconds_bucket{outcome="ok",le="0.1"} 0
call_seconds_bucket{outcome="ok",le="+Inf"} 0
call_seconds_sum{outcome="ok"} 0
call_seconds_count{outcome="ok"} 0
"#,
    );
    calls.calls_total(Outcome::Error, true).inc();
    assert_eq!(calls.calls_total.series_count(), 4, "the first record finds its series");

    let prometheus = Registry::new();
    Calls::register(&prometheus).unwrap();
    assert_eq!(text(&prometheus).matches("calls_total{").count(), 4);
}

static QUEUED: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn queue_depth() -> i64 {
    QUEUED.load(std::sync::atomic::Ordering::Relaxed)
}

fn cpu_seconds() -> f64 {
    12.5
}

/// `#[metric(collect = path)]`: the function computes the value at each exposition, in both
/// kinds of registry.
#[test]
fn collected_values_are_computed_at_each_exposition() {
    #[derive(MetricsSet)]
    struct Process {
        /// Jobs waiting.
        #[metric(collect = queue_depth)]
        queue_depth: solti_metrics::IntGauge,
        /// CPU time used.
        #[metric(collect = cpu_seconds)]
        cpu_seconds_total: solti_metrics::Counter,
    }
    let registry = solti_metrics::Registry::new();
    let process = Process::register(&registry).unwrap();
    let prometheus = Registry::new();
    prometheus.register(Box::new(process.collector())).unwrap();

    QUEUED.store(3, std::sync::atomic::Ordering::Relaxed);
    let expected = "# HELP queue_depth Jobs waiting.\n# TYPE queue_depth gauge\nqueue_depth 3\n\
                    # HELP cpu_seconds_total CPU time used.\n# TYPE cpu_seconds_total counter\ncpu_seconds_total 12.5\n";
    solti_metrics::testing::assert_exposition_eq(&registry, solti_metrics::Format::Prometheus, expected);
    QUEUED.store(-2, std::sync::atomic::Ordering::Relaxed);
    assert!(text(&prometheus).contains("queue_depth -2\n"), "{}", text(&prometheus));
    assert_eq!(process.queue_depth.get(), -2, "the series holds the last computed value");
}
