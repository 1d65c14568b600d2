//! Created timestamps: when each counter and histogram series was created, in the protobuf
//! format always, and as OpenMetrics `_created` samples when the registry asks, for series of
//! every kind of index (dense, open, removable, the overflow series) and again after removal.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{metrics_proto, openmetrics};
use solti_metrics::{
    ContentType, Escaping, Format, Histogram, HistogramVec, IntCounter, IntCounterVec, IntGauge, LabelValue,
    MetricsSet, Registry,
};

#[derive(Clone, Copy, LabelValue)]
enum Kind {
    Read,
    Write,
}

#[derive(MetricsSet)]
struct Store {
    /// Operations, by kind (a dense series).
    #[metric(labels(kind: Kind))]
    operations_total: IntCounterVec,
    /// Requests, by path (open series), at most two.
    #[metric(labels(path), max_series = 2)]
    requests_total: IntCounterVec,
    /// Sessions, by user (removable series).
    #[metric(labels(user), removable)]
    sessions_total: IntCounterVec,
    /// Latency, by path.
    #[metric(labels(path), buckets(0.1, 1.0))]
    latency_seconds: HistogramVec,
    /// Startup time, without labels.
    startup_seconds: Histogram,
    /// Restarts, without labels.
    restarts_total: IntCounter,
    /// Open connections: a gauge has no created timestamp.
    connections: IntGauge,
    /// By an OpenTelemetry name.
    #[metric(name = "store.flushes_total")]
    flushes: IntCounter,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Sleeps into the next second, so that what is created after has a later created time.
fn next_second() {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    std::thread::sleep(
        Duration::from_nanos(1_000_000_000 - u64::from(since.subsec_nanos())) + Duration::from_millis(5),
    );
}

/// `(family, labels, created seconds)` of every metric of a protobuf exposition that has one.
fn created(registry: &Registry) -> Vec<(String, String, i64)> {
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Protobuf).unwrap();
    let mut found = Vec::new();
    for family in metrics_proto::decode(&body) {
        for metric in &family.metric {
            let timestamp = metric
                .counter
                .as_ref()
                .and_then(|counter| counter.created_timestamp.clone())
                .or_else(|| metric.histogram.as_ref().and_then(|histogram| histogram.created_timestamp.clone()));
            if let Some(timestamp) = timestamp {
                assert_eq!(timestamp.nanos, 0);
                let labels: Vec<String> =
                    metrics_proto::labels(metric).iter().map(|(name, value)| format!("{name}={value}")).collect();
                found.push((family.name.clone().unwrap_or_default(), labels.join(","), timestamp.seconds));
            }
        }
    }
    found
}

#[test]
fn every_counter_and_histogram_series_has_its_creation_time() {
    let registry = Registry::new();
    let before = now();
    let store = Store::register(&registry).unwrap();
    store.operations_total(Kind::Read).inc();
    store.requests_total("/a").inc();
    store.requests_total("/b").inc();
    store.requests_total("/c").inc(); // over `max_series`: the overflow series
    store.sessions_total("ann").inc();
    store.latency_seconds("/a").observe(0.5);
    store.connections().set(3);
    store.flushes().inc();
    let registered = now();
    let found = created(&registry);
    let names: Vec<(&str, &str)> = found.iter().map(|(family, labels, _)| (family.as_str(), labels.as_str())).collect();
    assert_eq!(
        names,
        [
            ("latency_seconds", "path=/a"),
            ("operations_total", "kind=read"),
            ("requests_total", "path=/a"),
            ("requests_total", "path=/b"),
            ("requests_total", "otel_metric_overflow=true"),
            ("restarts_total", ""),
            ("sessions_total", "user=ann"),
            ("startup_seconds", ""),
            ("store_flushes_total", ""),
        ]
    );
    for (family, labels, seconds) in &found {
        assert!((before..=registered).contains(seconds), "{family}{{{labels}}} created at {seconds}");
    }

    // Later series, and a removed one created again, are created later; the others keep theirs.
    next_second();
    let later = now();
    store.operations_total(Kind::Write).inc();
    assert!(store.remove_sessions_total("ann"));
    store.sessions_total("ann").inc();
    store.latency_seconds("/b").observe(0.5);
    let again = created(&registry);
    let when = |family: &str, labels: &str| {
        again.iter().find(|(f, l, _)| f == family && l == labels).map(|(_, _, seconds)| *seconds).unwrap()
    };
    assert!(when("operations_total", "kind=write") >= later);
    assert!(when("sessions_total", "user=ann") >= later, "created again after its removal");
    assert!(when("latency_seconds", "path=/b") >= later);
    assert!(when("operations_total", "kind=read") < later);
    assert!(when("requests_total", "path=/a") < later);
    assert!(when("restarts_total", "") < later);
}

#[test]
fn openmetrics_created_samples_only_when_asked() {
    let registry = Registry::new();
    let before = now();
    let store = Store::register(&registry).unwrap();
    store.requests_total("/a").inc();
    store.latency_seconds("/a").observe(0.5);
    store.flushes().inc();
    let exposition = |escaping| {
        let mut body = Vec::new();
        registry.encode_as(&mut body, ContentType::new(Format::OpenMetrics, escaping)).unwrap();
        String::from_utf8(body).unwrap()
    };
    let off = exposition(Escaping::Underscores);
    assert!(!off.contains("_created"), "{off}");

    registry.write_created_samples(true);
    let on = exposition(Escaping::Underscores);
    let created_line = |name: &str| {
        on.lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|value| value.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {name}\n{on}"))
    };
    for name in [
        "requests_created{path=\"/a\"} ",
        "latency_seconds_created{path=\"/a\"} ",
        "restarts_created ",
        "store_flushes_created ",
    ] {
        let seconds = created_line(name) as i64;
        assert!((before..=now()).contains(&seconds), "{name}{seconds}");
    }
    // After the counter's sample, after the histogram's `_sum`; none for the gauge.
    assert!(on.contains("requests_total{path=\"/a\"} 1\nrequests_created{path=\"/a\"} "), "{on}");
    assert!(on.contains("latency_seconds_sum{path=\"/a\"} 0.5\nlatency_seconds_created{path=\"/a\"} "), "{on}");
    assert!(!on.contains("connections_created"), "{on}");
    // Quoted with its family's name under `allow-utf-8`.
    let utf8 = exposition(Escaping::AllowUtf8);
    assert!(utf8.contains("\n{\"store.flushes_created\"} "), "{utf8}");
    // The Prometheus text never has them.
    let mut text = Vec::new();
    registry.encode(&mut text, Format::Prometheus).unwrap();
    assert!(!String::from_utf8(text).unwrap().contains("_created"));

    // The Python client's OpenMetrics parser reads them as each series' created time.
    for escaping in [Escaping::Underscores, Escaping::AllowUtf8] {
        let text = exposition(escaping);
        if let Some(samples) = openmetrics::samples("openmetrics", &text) {
            let created: Vec<&String> = samples.iter().filter(|sample| sample.contains("_created\"")).collect();
            assert_eq!(created.len(), 5, "{samples:?}");
        }
    }
}
