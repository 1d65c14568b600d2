//! A recorder call whose series is dropped records nothing: the compiler says which methods
//! record (here as an error, as `-D warnings` makes it).

#![deny(unused_must_use)]

use solti_metrics::{HistogramVec, IntCounterVec, IntGauge, LabelValue, MetricsSet, Registry};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
}

#[derive(MetricsSet)]
struct Metrics {
    /// Requests served.
    #[metric(labels(method: Method))]
    requests_total: IntCounterVec,
    /// Request latency.
    #[metric(labels(method: Method))]
    latency_seconds: HistogramVec,
    /// Requests in flight.
    in_flight: IntGauge,
}

fn main() {
    let metrics = Metrics::register(&Registry::new()).unwrap();
    metrics.requests_total(Method::Get);
    metrics.latency_seconds(Method::Get);
    metrics.in_flight();
}
