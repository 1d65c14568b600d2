//! Two labels that a scraper without UTF-8 names sees as one (`http_request_method`).

use solti_metrics::{IntCounterVec, MetricsSet};

#[derive(MetricsSet)]
struct Metrics {
    /// Requests.
    #[metric(labels("http.request.method", "http-request-method"))]
    requests_total: IntCounterVec,
}

fn main() {}
