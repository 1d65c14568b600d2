//! `http::Method` and `http::StatusCode` as label values: dense, exported as OpenTelemetry's
//! HTTP conventions spell them, and a method outside the standard ones as `_OTHER`.

use solti_metrics::http::{Method, StatusCode};
use solti_metrics::{Format, HistogramVec, IntCounterVec, MetricsSet, Registry};

#[derive(MetricsSet)]
struct Http {
    /// Requests served.
    #[metric(labels(http_request_method: Method, http_response_status_code: StatusCode))]
    requests_total: IntCounterVec,

    /// Request duration.
    #[metric(labels(http_request_method: Method), buckets(0.1, 1.0), init)]
    request_duration_seconds: HistogramVec,
}

#[test]
fn methods_and_status_codes_label_their_series() {
    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    http.requests_total(Method::GET, StatusCode::OK).inc();
    http.requests_total(Method::GET, StatusCode::OK).inc();
    http.requests_total(Method::POST, StatusCode::CREATED).inc();
    // Two extension methods share the `_OTHER` series.
    http.requests_total(Method::from_bytes(b"PURGE").unwrap(), StatusCode::NOT_FOUND).inc();
    http.requests_total(Method::from_bytes(b"BREW").unwrap(), StatusCode::NOT_FOUND).inc();
    http.request_duration_seconds(Method::GET).observe(0.05);

    let mut text = Vec::new();
    registry.encode(&mut text, Format::Prometheus).unwrap();
    let text = String::from_utf8(text).unwrap();
    let requests: Vec<&str> = text.lines().filter(|line| line.starts_with("requests_total{")).collect();
    assert_eq!(
        requests,
        [
            "requests_total{http_request_method=\"GET\",http_response_status_code=\"200\"} 2",
            "requests_total{http_request_method=\"POST\",http_response_status_code=\"201\"} 1",
            "requests_total{http_request_method=\"_OTHER\",http_response_status_code=\"404\"} 2",
        ]
    );
    // `init` exports every method, `_OTHER` included, from registration on.
    let counts: Vec<&str> = text.lines().filter(|line| line.starts_with("request_duration_seconds_count")).collect();
    assert_eq!(counts.len(), 10, "{counts:?}");
    assert!(counts.contains(&"request_duration_seconds_count{http_request_method=\"GET\"} 1"));
    assert!(counts.contains(&"request_duration_seconds_count{http_request_method=\"_OTHER\"} 0"));
    assert_eq!(http.requests_total.series_count(), 3);
}
