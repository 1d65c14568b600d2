//! `#[derive(LabelSet)]` and `#[metric(labels = ..)]`: a struct with and without a lifetime
//! parameter, the lifetime elided or written at the attribute, a where clause, every metric
//! kind, and a type alias of a metric type.

use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_metrics::{
    CounterVec, GaugeVec, HistogramVec, IntCounterVec, IntGaugeVec, LabelSet, LabelValue, MetricsSet, NamedLabels,
};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(LabelSet)]
struct Route<'a> {
    tenant: &'a str,
    route: &'a str,
}

#[derive(LabelSet)]
struct Owned {
    tenant: String,
    shard: u8,
}

#[derive(LabelSet)]
struct Nested<'a, 'b: 'a>
where
    'b: 'a,
{
    outer: &'a str,
    inner: &'b str,
    method: Method,
}

type Requests = IntCounterVec;

#[derive(MetricsSet)]
struct Http {
    /// The lifetime elided.
    #[metric(labels = Route)]
    requests_total: Requests,

    /// The lifetime written.
    #[metric(labels = Route<'_>)]
    bytes_total: CounterVec,

    /// No lifetime.
    #[metric(labels = Owned)]
    connections: IntGaugeVec,

    /// Two lifetimes and a where clause.
    #[metric(labels = Nested)]
    temperature_celsius: GaugeVec,

    /// A histogram, with no `le` among the fields.
    #[metric(labels = Route, buckets(1.0))]
    latency_seconds: HistogramVec,
}

pub fn main() {
    assert_eq!(<Nested<'_, '_> as NamedLabels>::NAMES, ["outer", "inner", "method"]);
    assert_eq!(<Owned as LabelSet>::DENSE_SLOTS, 0);

    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    let tenant = String::from("acme");
    http.requests_total(Route { tenant: &tenant, route: "/" }).inc();
    http.bytes_total(Route { tenant: "acme", route: "/" }).inc_by(10.0);
    http.connections(Owned { tenant: tenant.clone(), shard: 3 }).set(2);
    http.temperature_celsius(Nested { outer: "a", inner: "b", method: Method::Post }).set(1.5);
    http.latency_seconds(Route { tenant: "acme", route: "/" }).observe(0.5);
    assert_eq!(http.requests_total(Route { tenant: "acme", route: "/" }).get(), 1);

    let text = TextEncoder::new().encode_to_string(&registry.gather()).unwrap();
    assert!(text.contains(r#"requests_total{route="/",tenant="acme"} 1"#), "{text}");
    assert!(text.contains(r#"bytes_total{route="/",tenant="acme"} 10"#), "{text}");
    assert!(text.contains(r#"connections{shard="3",tenant="acme"} 2"#), "{text}");
    assert!(text.contains(r#"temperature_celsius{inner="b",method="post",outer="a"} 1.5"#), "{text}");
    assert!(text.contains(r#"latency_seconds_bucket{route="/",tenant="acme",le="1"} 1"#), "{text}");
}
