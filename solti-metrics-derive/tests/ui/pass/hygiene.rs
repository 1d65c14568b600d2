//! Generated code uses absolute paths only: this crate shadows the prelude and the names a
//! careless expansion would reach for, and uses nothing but `solti_metrics`.

#![allow(dead_code, non_camel_case_types, non_upper_case_globals, unused_imports, unused_macros)]

struct Result;
struct Ok;
struct Err;
struct Box;
struct Vec;
struct String;
struct Option;
struct Some;
struct None;
struct usize;
struct str;
struct u8;
struct bool;
struct H;
trait Clone {}
trait Sized {}
trait Send {}
trait Sync {}

mod core {}
mod prometheus {}
mod solti_metrics_derive {}

// Constants named like fields: a `let` of the field's name in generated code would be a
// pattern matching the constant.
const in_flight: i32 = 0;
const plain_total: i32 = 0;

macro_rules! assert {
    ($($t:tt)*) => {
        compile_error!("the local `assert!` was used")
    };
}
macro_rules! unreachable {
    ($($t:tt)*) => {
        compile_error!("the local `unreachable!` was used")
    };
}
macro_rules! matches {
    ($($t:tt)*) => {
        compile_error!("the local `matches!` was used")
    };
}

use ::solti_metrics::{HistogramVec, IntCounter, IntCounterVec, IntGauge, LabelSet, LabelValue, MetricsSet};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
    Post,
}

type Requests = IntCounterVec;

// A label struct: its generated `LabelSet` reaches for `Option`, `usize`, `u8`, `bool` and a
// hasher type parameter, all shadowed here.
#[derive(LabelSet)]
pub struct Route<'a> {
    method: Method,
    route: &'a ::core::primitive::str,
    cached: ::core::primitive::bool,
}

#[derive(LabelSet)]
pub struct Call {
    method: Method,
    cached: ::core::primitive::bool,
}

#[derive(MetricsSet)]
#[metrics(namespace = "hygiene")]
pub struct Http {
    /// Requests.
    #[metric(labels(method: Method, path, status: u16))]
    requests_total: Requests,

    /// Latency.
    #[metric(labels(method: Method), buckets = exponential(0.01, 2, 4))]
    latency_seconds: HistogramVec,

    /// In flight.
    in_flight: IntGauge,

    /// Plain.
    plain_total: IntCounter,

    /// Named like `register`'s parameter would be without its prefix.
    registry: IntGauge,

    /// Routes, by a label struct.
    #[metric(labels = Route)]
    routes_total: IntCounterVec,

    /// Calls, by a label struct of fixed fields, every combination from registration.
    #[metric(labels = Call, init)]
    calls_total: IntCounterVec,

    /// Traced, through the alias.
    #[metric(labels(path), exemplars)]
    traced_total: Requests,

    /// Traced, plain.
    #[metric(exemplars)]
    traced_plain_total: IntCounter,
}

pub fn main() {
    let registry = ::solti_metrics::prometheus::Registry::new();
    let http = match <Http as MetricsSet>::register(&registry) {
        ::core::result::Result::Ok(http) => http,
        ::core::result::Result::Err(error) => ::core::panic!("{error}"),
    };
    http.requests_total(Method::Get, "/", 200).inc();
    http.latency_seconds(Method::Post).observe(0.02);
    http.in_flight().inc();
    http.plain_total().inc();
    http.registry().set(2);
    ::core::assert_eq!(http.requests_total(Method::Get, "/", 200).get(), 1);
    ::core::assert_eq!(http.registry().get(), 2);
    http.routes_total(Route { method: Method::Get, route: "/", cached: true }).inc();
    ::core::assert_eq!(http.routes_total(Route { method: Method::Get, route: "/", cached: true }).get(), 1);
    http.calls_total(Call { method: Method::Post, cached: false }).inc();
    ::core::assert_eq!(http.calls_total.series_count(), 4);

    ::core::assert!(http.traced_total("/").inc_with_exemplar(&[("trace_id", "a")]));
    ::core::assert!(http.traced_plain_total().inc_by_with_exemplar(2, &[]));
    ::core::assert_eq!(http.traced_total("/").get() + http.traced_plain_total().get(), 3);
    ::core::assert_eq!(<Http as MetricsSet>::METRICS.len(), 9);
}
