//! `solti_metrics::Registry`: all-or-nothing registration with errors that name the series and
//! both owners, exact unregistration, constant labels, foreign collectors, and `gather` for the
//! protobuf format.

mod common;

use std::collections::HashMap;

use solti_metrics::prometheus::{self, Encoder, ProtobufEncoder, TextEncoder};
use solti_metrics::{Error, Format, Histogram, IntCounter, IntCounterVec, IntGauge, MetricsSet, Registry};

#[derive(MetricsSet)]
#[metrics(namespace = "app")]
struct Api {
    /// Requests served.
    #[metric(labels(path))]
    requests_total: IntCounterVec,
    /// Request latency.
    latency_seconds: Histogram,
}

#[derive(Debug, MetricsSet)]
#[metrics(namespace = "app")]
struct Jobs {
    /// Jobs run.
    jobs_total: IntCounter,
    /// Named like a series of `Api::latency_seconds`.
    #[metric(name = "latency_seconds_count", allow(unexpected_total))]
    latency_count: IntGauge,
}

#[derive(Debug, MetricsSet)]
struct Regional {
    /// Requests by region.
    #[metric(labels(region))]
    regional_requests_total: IntCounterVec,
}

fn text(registry: &Registry, format: Format) -> String {
    let mut body = Vec::new();
    registry.encode(&mut body, format).unwrap();
    String::from_utf8(body).unwrap()
}

#[test]
fn a_clash_names_the_series_and_both_owners_and_registers_nothing() {
    let registry = Registry::new();
    let api = Api::register(&registry).unwrap();
    api.requests_total("/").inc();
    let before = text(&registry, Format::Prometheus);

    let error = Jobs::register(&registry).unwrap_err();
    match &error {
        Error::AlreadyRegistered { series, new, existing } => {
            assert_eq!(series, "app_latency_seconds_count");
            assert!(new.contains("Jobs::latency_count"), "{new}");
            assert!(existing.contains("Api::latency_seconds"), "{existing}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("app_latency_seconds_count") && message.contains("Jobs::latency_count"), "{message}");
    assert!(message.contains("solti_metrics::assert_disjoint!"), "the error names the compile-time check: {message}");
    // Nothing of `Jobs` was registered: not even `jobs_total`, which clashes with nothing.
    assert_eq!(text(&registry, Format::Prometheus), before);
    assert!(matches!(Api::register(&registry), Err(Error::AlreadyRegistered { .. })));
}

#[test]
fn unregister_removes_exactly_the_instance_given() {
    let registry = Registry::new();
    let other_registry = Registry::new();
    let first = Api::register(&registry).unwrap();
    let elsewhere = Api::register(&other_registry).unwrap();
    first.requests_total("/a").inc();

    // An instance registered elsewhere is not this registry's.
    assert!(matches!(elsewhere.unregister(&registry), Err(Error::NotRegistered(_))));
    assert!(text(&registry, Format::Prometheus).contains("app_requests_total{path=\"/a\"} 1"));

    first.unregister(&registry).unwrap();
    assert_eq!(text(&registry, Format::Prometheus), "");
    assert!(first.unregister(&registry).is_err(), "already gone");
    // The names are free again, for a new instance.
    let second = Api::register(&registry).unwrap();
    second.requests_total("/b").inc();
    let after = text(&registry, Format::Prometheus);
    assert!(after.contains("path=\"/b\"") && !after.contains("path=\"/a\""), "{after}");
    // And the other registry kept its own.
    elsewhere.unregister(&other_registry).unwrap();
}

#[test]
fn constant_labels_and_prefix_apply_to_every_series() {
    let labels = HashMap::from([("zone".to_owned(), "b\"1".to_owned()), ("env".to_owned(), "prod".to_owned())]);
    let registry = Registry::new_custom(Some("svc".to_owned()), Some(labels)).unwrap();
    let api = Api::register(&registry).unwrap();
    api.requests_total("/").inc();
    // Series whose labels share their start with the one before, or are shorter: a scrape
    // reads each from the one before, and the constant labels after them must follow each.
    for (path, count) in [("/abc", 4), ("/a/b", 3), ("/a", 2)] {
        api.requests_total(path).inc_by(count);
    }
    let text = text(&registry, Format::Prometheus);
    // Constant labels after the series' own, sorted by name.
    let constant = "env=\"prod\",zone=\"b\\\"1\"";
    let lines: Vec<String> = [("/", 1), ("/a", 2), ("/a/b", 3), ("/abc", 4)]
        .iter()
        .map(|(path, count)| format!("svc_app_requests_total{{path=\"{path}\",{constant}}} {count}\n"))
        .collect();
    assert!(text.contains(&lines.concat()), "{text}");
    assert!(text.contains("svc_app_latency_seconds_bucket{env=\"prod\",zone=\"b\\\"1\",le=\"0.005\"} 0\n"), "{text}");
    assert!(text.contains("# TYPE svc_app_latency_seconds histogram\n"), "{text}");
    common::promtool::check(&text);
}

#[test]
fn a_set_label_that_is_a_constant_label_is_refused() {
    let labels = HashMap::from([("region".to_owned(), "eu".to_owned())]);
    let registry = Registry::new_custom(None, Some(labels)).unwrap();
    let error = Regional::register(&registry).unwrap_err();
    assert_eq!(
        error,
        Error::ConstLabelClash { metric: "regional_requests_total".to_owned(), label: "region".to_owned() }
    );
    assert_eq!(text(&registry, Format::Prometheus), "");
}

#[test]
fn invalid_registry_options_are_refused() {
    for (prefix, label) in
        [(Some("9x"), "ok"), (None, "__reserved"), (None, "le"), (None, "a-b"), (None, "otel_metric_overflow")]
    {
        let labels = HashMap::from([(label.to_owned(), "v".to_owned())]);
        let outcome = Registry::new_custom(prefix.map(str::to_owned), Some(labels));
        assert!(matches!(outcome, Err(Error::InvalidRegistry(_))), "{prefix:?} {label:?}");
    }
}

#[test]
fn foreign_collectors_are_exported_in_name_order() {
    let registry = Registry::new();
    let jobs = Jobs::register(&registry).unwrap();
    jobs.jobs_total().inc();
    let foreign =
        prometheus::IntCounterVec::new(prometheus::Opts::new("app_foreign_total", "Foreign."), &["kind"]).unwrap();
    foreign.with_label_values(&["x"]).inc_by(3);
    registry.register_collector(Box::new(foreign.clone())).unwrap();
    // Its names are taken like a set's.
    assert!(matches!(registry.register_collector(Box::new(foreign)), Err(Error::AlreadyRegistered { .. })));

    let text = text(&registry, Format::Prometheus);
    let names: Vec<&str> = text.lines().filter_map(|line| line.strip_prefix("# TYPE ")).collect();
    assert_eq!(names, ["app_foreign_total counter", "app_jobs_total counter", "app_latency_seconds_count gauge"]);
    assert!(text.contains("app_foreign_total{kind=\"x\"} 3\n"), "{text}");

    let open_metrics = self::text(&registry, Format::OpenMetrics);
    assert!(open_metrics.contains("# TYPE app_foreign counter\napp_foreign_total{kind=\"x\"} 3.0\n"), "{open_metrics}");
    common::openmetrics::parse(&open_metrics);
}

#[test]
fn gather_feeds_the_prometheus_encoders() {
    let registry = Registry::new_custom(Some("svc".to_owned()), None).unwrap();
    let api = Api::register(&registry).unwrap();
    api.requests_total("/x").inc_by(2);
    api.latency_seconds().observe(0.2);

    let families = registry.gather();
    assert_eq!(TextEncoder::new().encode_to_string(&families).unwrap(), text(&registry, Format::Prometheus));
    let mut protobuf = Vec::new();
    ProtobufEncoder::new().encode(&families, &mut protobuf).unwrap();
    assert!(!protobuf.is_empty());
    assert_eq!(
        families.iter().map(|family| family.name()).collect::<Vec<_>>(),
        ["svc_app_latency_seconds", "svc_app_requests_total"]
    );
}

#[test]
fn a_set_in_both_kinds_of_registry_exports_the_same_text() {
    let ours = Registry::new();
    let theirs = prometheus::Registry::new();
    let api = Api::register(&ours).unwrap();
    // The same series in a `prometheus::Registry` too, through the set's collector.
    theirs.register(Box::new(api.collector())).unwrap();
    api.requests_total("/a").inc();
    api.latency_seconds().observe(7.0);
    assert_eq!(text(&ours, Format::Prometheus), TextEncoder::new().encode_to_string(&theirs.gather()).unwrap());
}

#[test]
fn openmetrics_ends_with_eof_even_when_empty() {
    assert_eq!(text(&Registry::new(), Format::OpenMetrics), "# EOF\n");
    assert_eq!(text(&Registry::new(), Format::Prometheus), "");
}

/// The process' own metrics (feature `process`), beside a set: every family well-formed in both
/// formats, and the same set in a `prometheus::Registry`.
#[cfg(target_os = "linux")]
#[test]
fn the_process_metrics_join_the_exposition() {
    use solti_metrics::process::ProcessMetrics;

    let registry = Registry::new();
    let api = Api::register(&registry).unwrap();
    api.requests_total("/").inc();
    ProcessMetrics::register(&registry).unwrap();
    let text = text(&registry, Format::Prometheus);
    for family in ProcessMetrics::METRICS.iter().map(|metric| metric.name).chain(["app_requests_total"]) {
        assert!(text.contains(&format!("# TYPE {family} ")), "no {family} in\n{text}");
    }
    common::promtool::check(&text);
    common::openmetrics::parse(&self::text(&registry, Format::OpenMetrics));

    let theirs = prometheus::Registry::new();
    ProcessMetrics::register(&theirs).unwrap();
    let gathered = TextEncoder::new().encode_to_string(&theirs.gather()).unwrap();
    assert!(gathered.contains("# TYPE process_start_time_seconds gauge\n"), "{gathered}");
}

/// A set's constant labels are sorted among each series' own labels, exactly as `prometheus`
/// writes the constant labels of its metrics, in both kinds of registry.
#[test]
fn set_constant_labels_export_as_prometheus_const_labels() {
    let consts = [("service", "users"), ("az", "b\"1")];
    let registry = Registry::new();
    let api = Api::register_with(&registry, &consts).unwrap();
    let theirs = prometheus::Registry::new();
    let const_labels: HashMap<String, String> = consts.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let requests = prometheus::IntCounterVec::new(
        prometheus::Opts::new("app_requests_total", "Requests served.").const_labels(const_labels.clone()),
        &["path"],
    )
    .unwrap();
    let latency = prometheus::Histogram::with_opts(
        prometheus::HistogramOpts::new("app_latency_seconds", "Request latency.").const_labels(const_labels),
    )
    .unwrap();
    theirs.register(Box::new(requests.clone())).unwrap();
    theirs.register(Box::new(latency.clone())).unwrap();
    for (path, seconds) in [("/a", 0.2), ("/z", 3.0), ("/a", 0.01)] {
        api.requests_total(path).inc();
        requests.with_label_values(&[path]).inc();
        api.latency_seconds().observe(seconds);
        latency.observe(seconds);
    }
    let expected = TextEncoder::new().encode_to_string(&theirs.gather()).unwrap();
    assert_eq!(text(&registry, Format::Prometheus), expected);
    assert!(expected.contains("app_requests_total{az=\"b\\\"1\",path=\"/a\",service=\"users\"} 2\n"), "{expected}");

    // The same set in a `prometheus::Registry` carries them too.
    let other = prometheus::Registry::new();
    let again = Api::register_with(&other, &consts).unwrap();
    again.requests_total("/a").inc_by(2);
    again.requests_total("/z").inc();
    for seconds in [0.2, 3.0, 0.01] {
        again.latency_seconds().observe(seconds);
    }
    assert_eq!(TextEncoder::new().encode_to_string(&other.gather()).unwrap(), expected);
    common::openmetrics::parse(&self::text(&registry, Format::OpenMetrics));
}

#[test]
fn set_constant_labels_are_checked() {
    let registry = Registry::new();
    assert!(matches!(Api::register_with(&registry, &[("path", "x")]), Err(Error::ConstLabelClash { .. })));
    for name in ["le", "quantile", "otel_metric_overflow", "__x", "a-b"] {
        assert!(matches!(Api::register_with(&registry, &[(name, "x")]), Err(Error::InvalidMetric { .. })), "{name}");
    }
    assert!(matches!(Api::register_with(&registry, &[("a", "1"), ("a", "2")]), Err(Error::InvalidMetric { .. })));
    // Nothing was registered by the refused sets.
    assert_eq!(text(&registry, Format::Prometheus), "");

    let regional = Registry::new_custom(None, Some(HashMap::from([("region".to_owned(), "eu".to_owned())]))).unwrap();
    let clash = Api::register_with(&regional, &[("region", "us")]);
    assert!(matches!(clash, Err(Error::ConstLabelClash { .. })), "the registry's constant label");
}
