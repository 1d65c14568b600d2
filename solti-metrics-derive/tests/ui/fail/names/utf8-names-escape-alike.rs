//! Two UTF-8 names that a scraper without UTF-8 names sees as one: `http.requests_total` is
//! escaped to `http_requests_total`, the other's name.

use solti_metrics::{IntCounter, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests, by OpenTelemetry's name.
    #[metric(name = "http.requests_total")]
    otel_total: IntCounter,
    /// Requests.
    http_requests_total: IntCounter,
}

fn main() {}
