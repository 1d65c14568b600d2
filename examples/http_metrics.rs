//! A new set for an HTTP server: enum and string labels, a label struct, a latency histogram,
//! a gauge.

use std::time::Duration;

use solti_metrics::{Format, HistogramVec, IntCounterVec, IntGauge, LabelSet, LabelValue, MetricsSet, Registry};

/// The request method, as a label.
#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
    #[label = "DELETE"]
    Delete,
}

/// Who called which route: two string labels, named, so they cannot be swapped.
#[derive(LabelSet)]
struct Call<'a> {
    tenant: &'a str,
    route: &'a str,
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

    /// Requests per tenant and route.
    #[metric(labels = Call)]
    tenant_requests_total: IntCounterVec,
}

fn main() -> Result<(), solti_metrics::Error> {
    let registry = Registry::new();
    let http = HttpMetrics::register(&registry)?;

    let requests = [
        ("acme", Method::Get, "/users", 200, 12),
        ("acme", Method::Get, "/users/7", 200, 4),
        ("globex", Method::Post, "/users", 201, 31),
        ("globex", Method::Get, "/users/8", 404, 2),
        ("acme", Method::Delete, "/users/7", 204, 18),
        ("initech", Method::Get, "/users", 200, 9),
        ("acme", Method::Post, "/login", 500, 740),
    ];
    for (tenant, method, path, status, millis) in requests {
        http.in_flight().inc();
        http.requests_total(method, path, status).inc();
        http.request_duration_seconds(method).observe_duration(Duration::from_millis(millis));
        http.tenant_requests_total(Call { tenant, route: path }).inc();
        http.in_flight().dec();
    }

    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus)?;
    print!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
