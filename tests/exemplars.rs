//! Exemplars, `#[metric(exemplars)]`: the exact OpenMetrics text (read back by the Python
//! client's OpenMetrics parser), the Prometheus text unchanged, the OpenMetrics length limit
//! and label name rules, and records from several threads while the exposition is written.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{openmetrics, promtool};
use solti_metrics::series::EXEMPLAR_MAX_CHARS;
use solti_metrics::{Counter, Format, HistogramVec, IntCounter, IntCounterVec, LabelValue, MetricsSet, Registry};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

/// Every kind that takes exemplars, with and without labels, beside a metric without them.
#[derive(MetricsSet)]
#[metrics(namespace = "shop")]
struct Traced {
    /// Orders placed.
    #[metric(exemplars)]
    orders_total: IntCounter,
    /// Revenue in euros.
    #[metric(exemplars)]
    revenue_euros_total: Counter,
    /// Requests served.
    #[metric(labels(method: Method, path), exemplars)]
    requests_total: IntCounterVec,
    /// Request latency.
    #[metric(labels(method: Method), buckets(0.1, 1.0), exemplars)]
    latency_seconds: HistogramVec,
    /// Payments, without exemplars.
    payments_total: IntCounter,
}

/// The same metrics, none with exemplars.
#[derive(MetricsSet)]
#[metrics(namespace = "shop")]
struct Untraced {
    /// Orders placed.
    orders_total: IntCounter,
    /// Revenue in euros.
    revenue_euros_total: Counter,
    /// Requests served.
    #[metric(labels(method: Method, path))]
    requests_total: IntCounterVec,
    /// Request latency.
    #[metric(labels(method: Method), buckets(0.1, 1.0))]
    latency_seconds: HistogramVec,
    /// Payments, without exemplars.
    payments_total: IntCounter,
}

fn record_traced(m: &Traced) {
    assert!(m.orders_total().inc_with_exemplar(&[("trace_id", "aaa")]));
    // A record without an exemplar keeps the latest exemplar.
    m.orders_total().inc();
    // Values that need escaping, and a second pair.
    assert!(m.revenue_euros_total().inc_by_with_exemplar(12.5, &[("trace_id", "bbb"), ("user", "a\\c\nd")]));
    assert!(m.requests_total(Method::Get, "/").inc_by_with_exemplar(3, &[("trace_id", "ccc")]));
    m.requests_total(Method::Post, "/cart").inc();
    assert!(m.latency_seconds(Method::Get).observe_with_exemplar(0.05, &[("trace_id", "d1")]));
    // Same bucket: the latest exemplar wins.
    assert!(m.latency_seconds(Method::Get).observe_with_exemplar(0.07, &[("trace_id", "d2")]));
    m.latency_seconds(Method::Get).observe(0.5);
    // Above every bound: the `+Inf` bucket's exemplar.
    assert!(m.latency_seconds(Method::Get).observe_with_exemplar(5.0, &[("trace_id", "d3")]));
    m.payments_total().inc();
}

/// The same records without exemplars.
fn record_untraced(m: &Untraced) {
    m.orders_total().inc_by(2);
    m.revenue_euros_total().inc_by(12.5);
    m.requests_total(Method::Get, "/").inc_by(3);
    m.requests_total(Method::Post, "/cart").inc();
    for value in [0.05, 0.07, 0.5, 5.0] {
        m.latency_seconds(Method::Get).observe(value);
    }
    m.payments_total().inc();
}

fn now_seconds() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

fn exposition(registry: &Registry, format: Format) -> String {
    let mut body = Vec::new();
    registry.encode(&mut body, format).unwrap();
    String::from_utf8(body).unwrap()
}

/// The text with each exemplar's timestamp replaced by `T`, after checking it lies between
/// `after` and `before` (seconds, with the millisecond the exemplar was rounded to).
fn without_timestamps(text: &str, after: f64, before: f64) -> String {
    text.lines()
        .map(|line| match line.split_once(" # {") {
            Some(_) => {
                let (head, timestamp) = line.rsplit_once(' ').unwrap();
                let timestamp: f64 = timestamp.parse().unwrap_or_else(|_| panic!("a timestamp ends {line:?}"));
                assert!(timestamp >= after - 0.001 && timestamp <= before, "{timestamp} not in [{after}, {before}]");
                format!("{head} T\n")
            }
            None => format!("{line}\n"),
        })
        .collect()
}

#[test]
fn openmetrics_text_with_exemplars() {
    let registry = Registry::new();
    let m = Traced::register(&registry).unwrap();
    let after = now_seconds();
    record_traced(&m);
    let before = now_seconds();

    let text = exposition(&registry, Format::OpenMetrics);
    assert_eq!(
        without_timestamps(&text, after, before),
        r#"# HELP shop_latency_seconds Request latency.
# TYPE shop_latency_seconds histogram
shop_latency_seconds_bucket{method="get",le="0.1"} 2 # {trace_id="d2"} 0.07 T
shop_latency_seconds_bucket{method="get",le="1.0"} 3
shop_latency_seconds_bucket{method="get",le="+Inf"} 4 # {trace_id="d3"} 5.0 T
shop_latency_seconds_count{method="get"} 4
shop_latency_seconds_sum{method="get"} 5.62
# HELP shop_orders Orders placed.
# TYPE shop_orders counter
shop_orders_total 2 # {trace_id="aaa"} 1.0 T
# HELP shop_payments Payments, without exemplars.
# TYPE shop_payments counter
shop_payments_total 1
# HELP shop_requests Requests served.
# TYPE shop_requests counter
shop_requests_total{method="get",path="/"} 3 # {trace_id="ccc"} 3.0 T
shop_requests_total{method="post",path="/cart"} 1
# HELP shop_revenue_euros Revenue in euros.
# TYPE shop_revenue_euros counter
shop_revenue_euros_total 12.5 # {trace_id="bbb",user="a\\c\nd"} 12.5 T
# EOF
"#
    );

    // The independent parser reads the same exemplars back (values escaped again to print them).
    if let Some(exemplars) = openmetrics::exemplars(&text) {
        let read: Vec<String> = exemplars.iter().map(|line| line.rsplit_once(' ').unwrap().0.to_owned()).collect();
        assert_eq!(
            read,
            [
                r#"shop_latency_seconds_bucket{le="0.1",method="get"} # {trace_id="d2"} 0.07"#,
                r#"shop_latency_seconds_bucket{le="+Inf",method="get"} # {trace_id="d3"} 5.0"#,
                r#"shop_orders_total{} # {trace_id="aaa"} 1.0"#,
                r#"shop_requests_total{method="get",path="/"} # {trace_id="ccc"} 3.0"#,
                r#"shop_revenue_euros_total{} # {trace_id="bbb",user="a\\c\nd"} 12.5"#,
            ]
            .map(str::to_owned)
        );
        for line in &exemplars {
            let timestamp: f64 = line.rsplit_once(' ').unwrap().1.parse().unwrap();
            assert!(timestamp >= after - 0.001 && timestamp <= before, "{line}");
        }
    }
}

/// A quote in an exemplar's label value is escaped as in any label value. Checked by assertion
/// only: the Python parser (prometheus-client 0.26) rejects an escaped quote inside an
/// exemplar's labels, though OpenMetrics' grammar allows it (`escaped-char =/ BS DQUOTE`).
#[test]
fn quotes_in_exemplar_values_are_escaped() {
    let registry = Registry::new();
    let m = Traced::register(&registry).unwrap();
    assert!(m.orders_total().inc_with_exemplar(&[("user", "say \"hi\"")]));
    let text = exposition(&registry, Format::OpenMetrics);
    assert!(text.contains(r#"shop_orders_total 1 # {user="say \"hi\""} 1.0 "#), "{text}");
}

/// The Prometheus text has no exemplars: a set that records them exports byte for byte what
/// the same set without them exports; so does OpenMetrics once the exemplars are cut off.
#[test]
fn exemplars_change_nothing_else() {
    let (traced, untraced) = (Registry::new(), Registry::new());
    record_traced(&Traced::register(&traced).unwrap());
    record_untraced(&Untraced::register(&untraced).unwrap());

    let text = exposition(&traced, Format::Prometheus);
    assert_eq!(text, exposition(&untraced, Format::Prometheus));
    assert!(!text.contains(" # {"), "{text}");
    promtool::check(&text);

    let cut: String = exposition(&traced, Format::OpenMetrics)
        .lines()
        .map(|line| format!("{}\n", line.split_once(" # {").map_or(line, |(sample, _)| sample)))
        .collect();
    assert_eq!(cut, exposition(&untraced, Format::OpenMetrics));
}

#[test]
fn the_length_limit_drops_the_exemplar_and_keeps_the_record() {
    let registry = Registry::new();
    let m = Traced::register(&registry).unwrap();
    let name = "trace_id";
    let fits = "f".repeat(EXEMPLAR_MAX_CHARS - name.len());
    assert!(m.orders_total().inc_with_exemplar(&[(name, &fits)]));
    // One character over, counted in characters: `é` is one character of two bytes.
    let over = "\u{e9}".repeat(EXEMPLAR_MAX_CHARS - name.len() + 1);
    assert!(!m.orders_total().inc_with_exemplar(&[(name, &over)]));
    // Over the limit across two pairs.
    let half = "h".repeat(EXEMPLAR_MAX_CHARS / 2);
    assert!(!m.latency_seconds(Method::Post).observe_with_exemplar(0.5, &[("a", &half), ("b", &half)]));
    assert_eq!(m.orders_total().get(), 2, "both records counted");
    assert_eq!(m.latency_seconds(Method::Post).get_sample_count(), 1);

    let text = exposition(&registry, Format::OpenMetrics);
    // The dropped exemplar left the one before it in place.
    assert!(text.contains(&format!("shop_orders_total 2 # {{trace_id=\"{fits}\"}} 1.0 ")), "{text}");
    assert!(text.contains("shop_latency_seconds_bucket{method=\"post\",le=\"1.0\"} 1\n"), "{text}");
    if let Some(exemplars) = openmetrics::exemplars(&text) {
        assert_eq!(exemplars.len(), 1, "{exemplars:?}");
    }
}

#[test]
fn invalid_or_repeated_names_drop_the_exemplar() {
    let registry = Registry::new();
    let m = Traced::register(&registry).unwrap();
    for labels in [
        &[("trace-id", "x")][..],
        &[("", "x")],
        &[("9lives", "x")],
        &[("__reserved", "x")],
        &[("trace id", "x")],
        &[("trace_id", "a"), ("trace_id", "b")],
    ] {
        assert!(!m.requests_total(Method::Get, "/").inc_with_exemplar(labels), "{labels:?}");
        assert!(!m.revenue_euros_total().inc_by_with_exemplar(1.0, labels), "{labels:?}");
    }
    // An ignored increment records no exemplar either.
    for ignored in [0.0, -1.0, f64::NAN] {
        assert!(!m.revenue_euros_total().inc_by_with_exemplar(ignored, &[("trace_id", "x")]));
    }
    // No labels at all is a valid exemplar: `# {}`.
    assert!(m.payments_total().get() == 0 && m.orders_total().inc_with_exemplar(&[]));
    assert_eq!(m.requests_total(Method::Get, "/").get(), 6);
    assert_eq!(m.revenue_euros_total().get(), 6.0);

    let text = exposition(&registry, Format::OpenMetrics);
    assert!(text.contains("shop_requests_total{method=\"get\",path=\"/\"} 6\n"), "{text}");
    assert!(text.contains("shop_revenue_euros_total 6.0\n"), "{text}");
    assert!(text.contains("shop_orders_total 1 # {} 1.0 "), "{text}");
    if let Some(exemplars) = openmetrics::exemplars(&text) {
        assert_eq!(exemplars.len(), 1, "{exemplars:?}");
    }
}

/// Threads recording with and without exemplars while another writes the exposition: no
/// record lost, every exposition well formed.
#[test]
fn concurrent_records_and_expositions() {
    const THREADS: u64 = 4;
    const RECORDS: u64 = 5_000;
    let registry = Registry::new();
    let m = Traced::register(&registry).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    let expositions = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let mut texts = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                texts.push(exposition(&registry, Format::OpenMetrics));
            }
            texts
        });
        let recorders: Vec<_> = (0..THREADS)
            .map(|thread| {
                let m = &m;
                scope.spawn(move || {
                    for i in 0..RECORDS {
                        let trace = format!("{thread:02}{i:08x}");
                        let method = if i % 2 == 0 { Method::Get } else { Method::Post };
                        m.requests_total(method, "/").inc_with_exemplar(&[("trace_id", &trace)]);
                        m.requests_total(method, "/").inc();
                        m.latency_seconds(method).observe_with_exemplar((i % 7) as f64 * 0.3, &[("trace_id", &trace)]);
                        m.orders_total().inc_with_exemplar(&[("trace_id", &trace), ("thread", &thread.to_string())]);
                    }
                })
            })
            .collect();
        for recorder in recorders {
            recorder.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap()
    });
    let total = THREADS * RECORDS;
    assert_eq!(m.requests_total(Method::Get, "/").get() + m.requests_total(Method::Post, "/").get(), 2 * total);
    let histograms =
        m.latency_seconds(Method::Get).get_sample_count() + m.latency_seconds(Method::Post).get_sample_count();
    assert_eq!(histograms, total);
    assert_eq!(m.orders_total().get(), total);
    for text in &expositions {
        for line in text.lines().filter(|line| line.contains(" # {")) {
            let (_, exemplar) = line.split_once(" # {").unwrap();
            let (labels, rest) = exemplar.split_once("} ").unwrap_or_else(|| panic!("{line}"));
            assert!(labels.starts_with("trace_id=\""), "{line}");
            let numbers: Vec<f64> = rest.split(' ').map(|number| number.parse().unwrap()).collect();
            assert_eq!(numbers.len(), 2, "{line}");
        }
    }
    let last = exposition(&registry, Format::OpenMetrics);
    if let Some(exemplars) = openmetrics::exemplars(&last) {
        // The two request series, three latency buckets per method (0.0 in `le="0.1"`, 0.3 to
        // 0.9 in `le="1.0"`, 1.2 to 1.8 in `+Inf`), and the order counter.
        assert_eq!(exemplars.len(), 2 + 2 * 3 + 1, "{exemplars:?}");
    }
}
