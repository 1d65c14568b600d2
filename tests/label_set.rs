//! Named label structs, `#[derive(LabelSet)]` with `#[metric(labels = Struct)]`: the exported
//! text in both formats, the dense table of a struct whose fields all have a fixed set of
//! values (the same as the tuple of its field types), and `init`.

mod common;

use solti_metrics::testing::assert_exposition_eq;
use solti_metrics::{
    Format, HistogramVec, IntCounterVec, IntGaugeVec, LabelSet, LabelValue, MetricsSet, NamedLabels, Registry,
};

#[derive(Clone, Copy, Debug, PartialEq, LabelValue)]
enum Method {
    Get,
    Post,
    #[label = "DELETE"]
    Delete,
}

/// Two labels of one type, told apart by name, and an enum.
#[derive(LabelSet)]
struct Route<'a> {
    tenant: &'a str,
    route: &'a str,
    method: Method,
}

/// Every field has a fixed set of values: 3 * 2 dense slots.
#[derive(Clone, Copy, Debug, PartialEq, LabelSet)]
struct Call {
    method: Method,
    cached: bool,
}

/// Owned values and a field named after a keyword.
#[derive(LabelSet)]
struct Job {
    queue: String,
    r#type: u16,
}

#[derive(MetricsSet)]
#[metrics(namespace = "app")]
struct Http {
    /// Requests served.
    #[metric(labels = Route)]
    requests_total: IntCounterVec,

    /// Request latency.
    #[metric(labels = Route, buckets(0.1, 1.0))]
    request_duration_seconds: HistogramVec,

    /// Calls by method and cache.
    #[metric(labels = Call)]
    calls_total: IntCounterVec,

    /// The same calls, declared with the tuple of the struct's field types.
    #[metric(labels(method: Method, cached: bool))]
    calls_by_tuple_total: IntCounterVec,

    /// Jobs waiting, with the lifetime of the struct written out.
    #[metric(labels = Job)]
    jobs_waiting: IntGaugeVec,
}

fn record(http: &Http) {
    http.requests_total(Route { tenant: "acme", route: "/users", method: Method::Get }).inc();
    http.requests_total(Route { route: "/users", tenant: "acme", method: Method::Get }).inc();
    // The same strings in the other fields: another series.
    http.requests_total(Route { tenant: "/users", route: "acme", method: Method::Delete }).inc();
    http.request_duration_seconds(Route { tenant: "acme", route: "/login", method: Method::Post }).observe(0.5);
    http.calls_total(Call { method: Method::Post, cached: true }).inc_by(3);
    http.jobs_waiting(Job { queue: String::from("mail"), r#type: 2 }).set(4);
}

#[test]
fn names_come_from_the_fields_in_order() {
    assert_eq!(<Route<'_> as NamedLabels>::NAMES, ["tenant", "route", "method"]);
    assert_eq!(<Job as NamedLabels>::NAMES, ["queue", "type"]);
    assert_eq!(Http::METRICS[0].labels, ["tenant", "route", "method"]);
    assert_eq!(Http::METRICS[2].labels, ["method", "cached"]);
    assert_eq!(Http::METRICS[4].labels, ["queue", "type"]);
    assert_eq!(<Route<'_> as LabelSet>::LEN, 3);
}

#[test]
fn prometheus_text() {
    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    record(&http);
    assert_exposition_eq(
        &registry,
        Format::Prometheus,
        r#"# HELP app_calls_total Calls by method and cache.
# TYPE app_calls_total counter
app_calls_total{cached="true",method="post"} 3
# HELP app_jobs_waiting Jobs waiting, with the lifetime of the struct written out.
# TYPE app_jobs_waiting gauge
app_jobs_waiting{queue="mail",type="2"} 4
# HELP app_request_duration_seconds Request latency.
# TYPE app_request_duration_seconds histogram
app_request_duration_seconds_bucket{method="post",route="/login",tenant="acme",le="0.1"} 0
app_request_duration_seconds_bucket{method="post",route="/login",tenant="acme",le="1"} 1
app_request_duration_seconds_bucket{method="post",route="/login",tenant="acme",le="+Inf"} 1
app_request_duration_seconds_sum{method="post",route="/login",tenant="acme"} 0.5
app_request_duration_seconds_count{method="post",route="/login",tenant="acme"} 1
# HELP app_requests_total Requests served.
# TYPE app_requests_total counter
app_requests_total{method="DELETE",route="acme",tenant="/users"} 1
app_requests_total{method="get",route="/users",tenant="acme"} 2
"#,
    );
    // The same text from a `prometheus::Registry`.
    let prometheus = solti_metrics::prometheus::Registry::new();
    record(&Http::register(&prometheus).unwrap());
    let text = solti_metrics::prometheus::TextEncoder::new().encode_to_string(&prometheus.gather()).unwrap();
    common::promtool::check(&text);
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus).unwrap();
    assert_eq!(text, String::from_utf8(body).unwrap());
}

#[test]
fn openmetrics_text() {
    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    record(&http);
    assert_exposition_eq(
        &registry,
        Format::OpenMetrics,
        r#"# HELP app_calls Calls by method and cache.
# TYPE app_calls counter
app_calls_total{cached="true",method="post"} 3
# HELP app_jobs_waiting Jobs waiting, with the lifetime of the struct written out.
# TYPE app_jobs_waiting gauge
app_jobs_waiting{queue="mail",type="2"} 4
# HELP app_request_duration_seconds Request latency.
# TYPE app_request_duration_seconds histogram
app_request_duration_seconds_bucket{method="post",route="/login",tenant="acme",le="0.1"} 0
app_request_duration_seconds_bucket{method="post",route="/login",tenant="acme",le="1.0"} 1
app_request_duration_seconds_bucket{method="post",route="/login",tenant="acme",le="+Inf"} 1
app_request_duration_seconds_count{method="post",route="/login",tenant="acme"} 1
app_request_duration_seconds_sum{method="post",route="/login",tenant="acme"} 0.5
# HELP app_requests Requests served.
# TYPE app_requests counter
app_requests_total{method="DELETE",route="acme",tenant="/users"} 1
app_requests_total{method="get",route="/users",tenant="acme"} 2
# EOF
"#,
    );
}

/// A struct whose fields all have a fixed set of values records through the dense table, slot
/// for slot as the tuple of its field types.
#[test]
fn a_fixed_struct_is_dense_like_its_tuple() {
    assert_eq!(<Call as LabelSet>::DENSE_SLOTS, 6);
    assert_eq!(<Call as LabelSet>::DENSE_SLOTS, <(Method, bool) as LabelSet>::DENSE_SLOTS);
    assert_eq!(<Route<'_> as LabelSet>::DENSE_SLOTS, 0);
    for index in 0..<Call as LabelSet>::DENSE_SLOTS {
        let call = Call::from_dense_index(index).unwrap();
        let tuple = <(Method, bool)>::from_dense_index(index).unwrap();
        assert_eq!((call.method, call.cached), tuple);
        assert_eq!(call.dense_index(), Some(index));
    }
    assert_eq!(Call::from_dense_index(6), None);

    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    for method in Method::values() {
        for cached in [false, true] {
            http.calls_total(Call { method, cached }).inc();
            http.calls_by_tuple_total(method, cached).inc();
        }
    }
    assert_eq!(http.calls_total.series_count(), 6);
    // A struct and the tuple of its types find the same slot of the same table.
    let struct_series = http.calls_total.get(Call { method: Method::Delete, cached: true }).unwrap();
    let tuple_series = http.calls_total.get((Method::Delete, true)).unwrap();
    assert!(std::ptr::eq(&*struct_series, &*tuple_series));
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus).unwrap();
    let text = String::from_utf8(body).unwrap();
    let by_struct: Vec<&str> = text.lines().filter_map(|line| line.strip_prefix("app_calls_total")).collect();
    let by_tuple: Vec<&str> = text.lines().filter_map(|line| line.strip_prefix("app_calls_by_tuple_total")).collect();
    assert_eq!(by_struct.len(), 6, "{text}");
    assert_eq!(by_struct, by_tuple);
}

/// `init` with a struct of fixed fields: every combination at 0 from registration.
#[test]
fn init_with_a_struct() {
    #[derive(MetricsSet)]
    struct Calls {
        /// Calls made.
        #[metric(init, labels = Call)]
        calls_total: IntCounterVec,
    }
    let registry = Registry::new();
    let calls = Calls::register(&registry).unwrap();
    assert_eq!(calls.calls_total.series_count(), 6);
    assert_exposition_eq(
        &registry,
        Format::Prometheus,
        r#"# HELP calls_total Calls made.
# TYPE calls_total counter
calls_total{cached="false",method="DELETE"} 0
calls_total{cached="false",method="get"} 0
calls_total{cached="false",method="post"} 0
calls_total{cached="true",method="DELETE"} 0
calls_total{cached="true",method="get"} 0
calls_total{cached="true",method="post"} 0
"#,
    );
    calls.calls_total(Call { method: Method::Get, cached: false }).inc();
    assert_eq!(calls.calls_total.series_count(), 6, "the first record finds its series");
}

/// A label struct's names are the set's label names: a constant label of the same name is
/// refused.
#[test]
fn constant_labels_clash_with_field_names() {
    let result = Http::register_with(&Registry::new(), &[("tenant", "x")]);
    assert!(matches!(result, Err(solti_metrics::Error::ConstLabelClash { .. })));
    assert!(Http::register_with(&Registry::new(), &[("service", "api")]).is_ok());
}

/// A label value that writes itself as an integer (as the built-in integers do, through the
/// hidden `push_key`): its key is written, packed, hashed and compared one way, so each of its
/// tuples has one series, in a label struct and in a tuple, with a key that fits a slot and
/// one that does not. The exposition writes the value its key holds, the integer.
#[derive(Clone, Copy)]
struct UserId(u64);

impl LabelValue for UserId {
    fn label(&self) -> solti_metrics::LabelStr<'_> {
        solti_metrics::LabelStr::borrowed(if self.0 % 2 == 0 { "even" } else { "odd" })
    }

    fn hash_key<H: core::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.0);
    }

    fn push_key<K: solti_metrics::__private::KeySink>(&self, key: &mut K) -> bool {
        key.push_u64(self.0)
    }
}

#[derive(LabelSet)]
struct Who {
    user: UserId,
}

#[derive(MetricsSet)]
struct Users {
    /// Records per user.
    #[metric(labels = Who)]
    whos_total: IntCounterVec,
    /// Records per user and tenant.
    #[metric(labels(user: UserId, tenant: &str))]
    tenant_users_total: IntCounterVec,
}

#[test]
fn a_value_written_as_an_integer_keeps_one_series_per_tuple() {
    let registry = Registry::new();
    let users = Users::register(&registry).unwrap();
    let tenant = "a-tenant-with-a-name-too-long-for-a-slot";
    for _ in 0..3 {
        for id in [7, 8] {
            users.whos_total(Who { user: UserId(id) }).inc();
            users.tenant_users_total(UserId(id), tenant).inc();
            users.tenant_users_total(UserId(id), "short").inc();
        }
    }
    assert_eq!(users.whos_total.series_count(), 2);
    assert_eq!(users.tenant_users_total.series_count(), 4);
    let mut text = Vec::new();
    registry.encode(&mut text, Format::Prometheus).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("whos_total{user=\"7\"} 3\n"), "{text}");
    assert!(text.contains("whos_total{user=\"8\"} 3\n"), "{text}");
    assert!(text.contains(&format!("tenant_users_total{{tenant=\"{tenant}\",user=\"7\"}} 3\n")), "{text}");
    assert!(text.contains("tenant_users_total{tenant=\"short\",user=\"8\"} 3\n"), "{text}");
}
