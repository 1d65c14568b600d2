//! A new set for an HTTP server: enum and string labels, a latency histogram, a gauge.

use std::time::Duration;

use solti_metrics::{Format, HistogramVec, IntCounterVec, IntGauge, LabelValue, MetricsSet, Registry};

/// The request method, as a label.
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
struct HttpMetrics {
    /// Total requests served.
    #[metric(labels(method: Method, path, status: u16))]
    requests_total: IntCounterVec,

    /// Request latency.
    #[metric(labels(method: Method), buckets = exponential(0.005, 2, 10))]
    request_duration_seconds: HistogramVec,

    /// Requests in flight.
    in_flight: IntGauge,
}

fn main() -> Result<(), solti_metrics::Error> {
    let registry = Registry::new();
    let http = HttpMetrics::register(&registry)?;

    let requests = [
        (Method::Get, "/users", 200, 12),
        (Method::Get, "/users/7", 200, 4),
        (Method::Post, "/users", 201, 31),
        (Method::Get, "/users/8", 404, 2),
        (Method::Delete, "/users/7", 204, 18),
        (Method::Get, "/users", 200, 9),
        (Method::Post, "/login", 500, 740),
    ];
    for (method, path, status, millis) in requests {
        http.in_flight().inc();
        http.requests_total(method, path, status).inc();
        http.request_duration_seconds(method).observe(Duration::from_millis(millis).as_secs_f64());
        http.in_flight().dec();
    }

    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus)?;
    print!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
