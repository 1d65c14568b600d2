//! UTF-8 names: a metric named after OpenTelemetry, labels written as strings (typed or not), a
//! label struct with a field renamed by `#[label(name = "..")]`, and names that are Rust
//! identifiers but no legacy names. Each scraper gets them as its escaping says.

use solti_metrics::{ContentType, Escaping, Format, HistogramVec, IntCounterVec, LabelSet, LabelValue, MetricsSet, Registry};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
}

#[derive(LabelSet)]
struct Route<'a> {
    #[label(name = "http.route")]
    route: &'a str,
    método: &'a str,
}

#[derive(MetricsSet)]
struct Http {
    /// Duration of HTTP server requests.
    #[metric(
        name = "http.server.request.duration",
        labels("http.request.method": Method, "url.scheme"),
        buckets(0.1, 1.0)
    )]
    duration: HistogramVec,
    /// Requests by route.
    #[metric(name = "http.requests_total", labels = Route)]
    routed: IntCounterVec,
    /// Plain names stay as they are.
    #[metric(labels(path, "type"))]
    plain_total: IntCounterVec,
}

fn exposition(registry: &Registry, escaping: Escaping) -> String {
    let mut body = Vec::new();
    registry.encode_as(&mut body, ContentType::new(Format::Prometheus, escaping)).unwrap();
    String::from_utf8(body).unwrap()
}

pub fn main() {
    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    // The parameters are the identifiers closest to the names.
    http.duration(Method::Get, "https").observe(0.5);
    http.routed(Route { route: "/users/{id}", método: "GET" }).inc();
    http.plain_total("/", "a").inc();
    let labels: Vec<&str> = Http::METRICS[0].labels.to_vec();
    assert_eq!(labels, ["http.request.method", "url.scheme"]);

    let utf8 = exposition(&registry, Escaping::AllowUtf8);
    assert!(utf8.contains("# TYPE \"http.server.request.duration\" histogram\n"), "{utf8}");
    assert!(
        utf8.contains("{\"http.server.request.duration_bucket\",\"http.request.method\"=\"get\",\"url.scheme\"=\"https\",le=\"1\"} 1\n"),
        "{utf8}"
    );
    assert!(utf8.contains("{\"http.requests_total\",\"http.route\"=\"/users/{id}\",\"método\"=\"GET\"} 1\n"), "{utf8}");
    assert!(utf8.contains("plain_total{path=\"/\",type=\"a\"} 1\n"), "{utf8}");

    let underscores = exposition(&registry, Escaping::Underscores);
    assert!(underscores.contains("# TYPE http_server_request_duration histogram\n"), "{underscores}");
    assert!(underscores.contains("http_requests_total{http_route=\"/users/{id}\",m_todo=\"GET\"} 1\n"), "{underscores}");
    let dots = exposition(&registry, Escaping::Dots);
    assert!(dots.contains("http_dot_requests__total{http_dot_route=\"/users/{id}\",m__todo=\"GET\"} 1\n"), "{dots}");
    let values = exposition(&registry, Escaping::Values);
    assert!(values.contains("U__http_2e_requests__total{U__http_2e_route=\"/users/{id}\",U__m_e9_todo=\"GET\"} 1\n"), "{values}");
    for text in [&underscores, &dots, &values] {
        assert!(text.contains("plain_total{path=\"/\",type=\"a\"} 1\n"), "{text}");
    }
}
