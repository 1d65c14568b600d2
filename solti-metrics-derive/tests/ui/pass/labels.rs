//! Typed and untyped labels, in declared order, and label names that are Rust keywords.

use std::borrow::Cow;

use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_metrics::{GaugeVec, IntCounterVec, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

#[derive(MetricsSet)]
struct Http {
    /// Requests, by method, path, status and whether they were cached.
    #[metric(labels(method: Method, path, status: u16, cached: bool))]
    requests_total: IntCounterVec,

    /// Label types written with a reference or a lifetime.
    #[metric(labels(route: &str, tenant: Cow<'static, str>))]
    borrowed_total: IntCounterVec,

    /// Labels named after keywords.
    #[metric(labels(type, r#match, self, owner: String))]
    keyword_labels: GaugeVec,
}

pub fn main() {
    assert_eq!(Http::METRICS[0].labels, ["method", "path", "status", "cached"]);
    assert_eq!(Http::METRICS[1].labels, ["route", "tenant"]);
    assert_eq!(Http::METRICS[2].labels, ["type", "match", "self", "owner"]);

    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    http.requests_total(Method::Post, "/login", 201, false).inc();
    http.requests_total(Method::Get, "/", 200, true).inc();
    http.keyword_labels("a", "b", "c", String::from("d")).set(1.5);
    http.borrowed_total("/x", Cow::Borrowed("acme")).inc();

    let text = TextEncoder::new().encode_to_string(&registry.gather()).unwrap();
    // The exposition sorts label pairs by name.
    assert!(text.contains(r#"requests_total{cached="false",method="post",path="/login",status="201"} 1"#), "{text}");
    assert!(text.contains(r#"requests_total{cached="true",method="get",path="/",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"keyword_labels{match="b",owner="d",self="c",type="a"} 1.5"#), "{text}");
    assert!(text.contains(r#"borrowed_total{route="/x",tenant="acme"} 1"#), "{text}");
}
