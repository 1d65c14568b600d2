//! # solti-metrics
//!
//! Prometheus metrics declared as a plain annotated struct. `#[derive(MetricsSet)]` reads the
//! struct and generates the registration of every metric, as one collector, and a typed
//! recorder method per metric: a label is an argument of a declared type, so a wrong label
//! count, order or type is a compile error, never a runtime panic.
//!
//! ```
//! use solti_metrics::prometheus::{Registry, TextEncoder};
//! use solti_metrics::{HistogramVec, IntCounterVec, IntGauge, LabelValue, MetricsSet};
//!
//! #[derive(Clone, Copy, LabelValue)]
//! enum Method { Get, Post, #[label = "DELETE"] Delete }
//!
//! /// HTTP server metrics.
//! #[derive(MetricsSet)]
//! #[metrics(namespace = "demo", subsystem = "http")]
//! pub struct HttpMetrics {
//!     /// Total requests served.
//!     #[metric(labels(method: Method, path))]
//!     requests_total: IntCounterVec,
//!
//!     /// Request latency.
//!     #[metric(labels(method: Method), buckets(0.005, 0.01, 0.1, 1.0))]
//!     request_duration_seconds: HistogramVec,
//!
//!     /// Requests in flight.
//!     in_flight: IntGauge,
//! }
//!
//! let registry = Registry::new();
//! let metrics = HttpMetrics::register(&registry)?;
//! metrics.requests_total(Method::Delete, "/users").inc();
//! metrics.request_duration_seconds(Method::Post).observe(0.02);
//! metrics.in_flight().inc();
//!
//! let text = TextEncoder::new().encode_to_string(&registry.gather())?;
//! assert!(text.contains("# HELP demo_http_requests_total Total requests served.\n"));
//! assert!(text.contains(r#"demo_http_requests_total{method="DELETE",path="/users"} 1"#));
//! assert!(text.contains("demo_http_in_flight 1\n"));
//! # Ok::<(), solti_metrics::prometheus::Error>(())
//! ```
//!
//! ## Declaring a set
//!
//! Struct attribute `#[metrics(..)]`, all keys optional:
//!
//! | key | meaning |
//! |---|---|
//! | `namespace = ".."` | first part of every exported name |
//! | `subsystem = ".."` | second part of every exported name |
//! | `crate = path` | where `solti_metrics` is, for crates that re-export it |
//!
//! Field attribute `#[metric(..)]`, all keys optional:
//!
//! | key | meaning |
//! |---|---|
//! | `name = ".."` | the metric's name; default the field's name |
//! | `help = ".."` | the help text; default the field's doc comment (lines trimmed, joined by a space) |
//! | `labels(a, b: Type)` | variable labels in order; untyped labels take `&str`, typed ones a [`LabelValue`] |
//! | `buckets(b1, b2, ..)` | histogram bounds; also `buckets = linear(start, width, count)` and `buckets = exponential(start, factor, count)`; default [`prometheus::DEFAULT_BUCKETS`] |
//! | `subsystem = ".."` | overrides the set's subsystem for this metric |
//! | `max_series = N` | caps the series of a metric with open labels (see below); default: no limit |
//! | `allow(..)` | opts out of a naming convention: `missing_total`, `unexpected_total`, `non_base_unit` |
//!
//! The exported name is `namespace_subsystem_name`, skipping absent parts. Field types are
//! [`Counter`], [`IntCounter`], [`Gauge`], [`IntGauge`], [`Histogram`] (no labels) and
//! [`CounterVec`], [`IntCounterVec`], [`GaugeVec`], [`IntGaugeVec`], [`HistogramVec`] (one or
//! more labels).
//!
//! Every field gets an inherent method of the same name, with the field's visibility, whose
//! parameters are its labels in declared order. It returns the series, which derefs to the prometheus type (`IntCounter`,
//! `Histogram`, ...), so `.inc()`, `.observe()`, `.set()` and `.start_timer()` work as usual.
//! One exception: a [`HistogramVec`]'s series is solti-metrics' own [`HistogramSeries`], not
//! `prometheus::Histogram`, for a cheaper `observe`; it has the same recording methods
//! (`observe`, `start_timer`, `observe_closure_duration`, `get_sample_count`, `get_sample_sum`)
//! and exports the same text.
//!
//! ## What is checked when
//!
//! The derive rejects, with a message pointing at the token at fault: invalid metric or label
//! names, reserved labels (`le` on histograms, `quantile`, a `__` prefix), two metrics of a set
//! that export the same series (a histogram's `_bucket`, `_sum` and `_count` included), a label
//! given twice, buckets on a non-histogram, empty, unordered or non-finite buckets, a `*Vec`
//! without labels or a plain metric with labels, a missing help, unknown or repeated keys, and
//! names against Prometheus' conventions (counters end in `_total`, nothing else does, base
//! units only). [`assert_disjoint!`] extends the name check across sets.
//!
//! ## Series and the hot path
//!
//! A series appears in the exposition once it has been recorded. When every label of a metric
//! has a fixed set of values (derived enums, `bool`, `u8`, solti-runner's label enums) its
//! series live in a dense table: a record is index arithmetic, one atomic load and the
//! metric's own atomic operation, with no hashing, lock or allocation. Other label tuples go
//! through a map keyed by the whole tuple, so distinct tuples never share a series.
//!
//! A metric with open labels has no series limit by default. `max_series = N` caps it: further
//! new tuples are recorded into one overflow series labelled `otel_metric_overflow="true"`, and
//! [`MetricVec::overflow_records`] counts the records that went there.
//!
//! ## Registries
//!
//! [`MetricsSet::register`] registers the whole set as one collector: if any metric clashes
//! with one already in the registry, nothing of the set is registered, and the error says
//! which. [`MetricsSet::unregister`] removes the set again. Any [`prometheus::Registry`]
//! works, and exposition stays the usual `registry.gather()` with a
//! [`TextEncoder`](prometheus::TextEncoder) (or the `ProtobufEncoder`), so whatever already
//! serves a registry serves the set too. Served over HTTP, the text goes out with the content
//! type [`TextEncoder::format_type`](prometheus::Encoder::format_type),
//! `text/plain; version=0.0.4`: `cargo run --example serve` does it with axum.
//!
//! ### The default registry
//!
//! Register into [`prometheus::default_registry`] to sit beside metrics made with the
//! `prometheus` macros (`register_int_counter!` and co.) and expose everything with
//! [`prometheus::gather`]:
//!
//! ```
//! use solti_metrics::prometheus::{self, TextEncoder};
//! use solti_metrics::{IntCounter, MetricsSet};
//!
//! #[derive(MetricsSet)]
//! struct Jobs {
//!     /// Jobs run.
//!     jobs_total: IntCounter,
//! }
//!
//! let jobs = Jobs::register(prometheus::default_registry())?;
//! jobs.jobs_total().inc();
//!
//! let text = TextEncoder::new().encode_to_string(&prometheus::gather())?;
//! assert!(text.contains("jobs_total 1\n"));
//!
//! // The names are taken: a second instance is refused, the first one keeps working.
//! assert!(Jobs::register(prometheus::default_registry()).is_err());
//! jobs.jobs_total().inc();
//! # Ok::<(), prometheus::Error>(())
//! ```
//!
//! The default registry is global: in tests, prefer a registry per test.
//!
//! ### Custom registries
//!
//! A registry of your own keeps sets apart (one per test, per tenant, per component), and
//! [`Registry::new_custom`](prometheus::Registry::new_custom) adds a prefix and constant labels
//! to every metric of every set in it at gather time. Several sets share a registry as long
//! as their names differ, which [`assert_disjoint!`] checks at compile time; the registry is
//! cheap to clone (clones share their metrics), so hand it around as a `Registry` or an
//! `Arc<Registry>`, as `PrometheusMetrics::new` takes it.
//!
//! ```
//! use std::collections::HashMap;
//!
//! use solti_metrics::prometheus::{Registry, TextEncoder};
//! use solti_metrics::{IntCounter, IntGauge, MetricsSet};
//!
//! #[derive(MetricsSet)]
//! #[metrics(subsystem = "cache")]
//! struct Cache {
//!     /// Cache hits.
//!     hits_total: IntCounter,
//! }
//!
//! #[derive(MetricsSet)]
//! #[metrics(subsystem = "pool")]
//! struct Pool {
//!     /// Open connections.
//!     connections: IntGauge,
//! }
//!
//! solti_metrics::assert_disjoint!(Cache, Pool);
//!
//! let labels = HashMap::from([("region".to_owned(), "eu".to_owned())]);
//! let registry = Registry::new_custom(Some("app".to_owned()), Some(labels))?;
//! let cache = Cache::register(&registry)?;
//! let pool = Pool::register(&registry)?;
//! cache.hits_total().inc();
//! pool.connections().set(4);
//!
//! let text = TextEncoder::new().encode_to_string(&registry.gather())?;
//! assert!(text.contains("app_cache_hits_total{region=\"eu\"} 1\n"));
//! assert!(text.contains("app_pool_connections{region=\"eu\"} 4\n"));
//!
//! // Taken out again, the set's series leave the exposition.
//! pool.unregister(&registry)?;
//! assert!(!TextEncoder::new().encode_to_string(&registry.gather())?.contains("pool"));
//! # Ok::<(), solti_metrics::prometheus::Error>(())
//! ```
//!
//! ## Migrating a hand-written `prometheus` struct
//!
//! A struct of `prometheus` metrics with a constructor that creates and registers each one
//! becomes a derived set, with the same exposition:
//!
//! 1. Keep the struct; give it `#[derive(MetricsSet)]` and move the `Opts` namespace and
//!    subsystem to `#[metrics(namespace = "..", subsystem = "..")]`.
//! 2. Change each field's type to the type of the same name from `solti_metrics`
//!    (`prometheus::IntCounterVec` becomes [`IntCounterVec`], and so on). The metric's name is
//!    the field's name, or `#[metric(name = "..")]`; the help text becomes the field's doc
//!    comment.
//! 3. Move the label names to `#[metric(labels(..))]`, in the same order. A label with a fixed
//!    set of values gets a type: an enum with `#[derive(LabelValue)]`, with
//!    `#[label = ".."]` wherever the old string was not the variant's snake_case name. Open
//!    labels stay untyped and take `&str`.
//! 4. Move histogram buckets to `#[metric(buckets(..))]`.
//! 5. Delete the constructor: [`MetricsSet::register`] replaces it, and registers all or
//!    nothing.
//! 6. Replace `with_label_values(&["get", path])` with the recorder method,
//!    `requests_total(Method::Get, path)`: the compiler now checks each call's labels.
//!
//! Names, help, types, label names and values stay the same, so dashboards and alerts keep
//! working. A test that records the same events into the old struct and the new set and
//! compares the two expositions proves it, as here (the runner backend,
//! `PrometheusMetrics`, was migrated this way, and its exposition is byte-identical to the
//! original's):
//!
//! ```
//! use solti_metrics::prometheus::{self, HistogramOpts, Opts, Registry, TextEncoder};
//! use solti_metrics::{HistogramVec, IntCounterVec, LabelValue, MetricsSet};
//!
//! // Before: created and registered by hand, labels as strings.
//! struct OldHttpMetrics {
//!     requests: prometheus::IntCounterVec,
//!     latency: prometheus::HistogramVec,
//! }
//!
//! impl OldHttpMetrics {
//!     fn new(registry: &Registry) -> prometheus::Result<Self> {
//!         let requests = prometheus::IntCounterVec::new(
//!             Opts::new("requests_total", "Total requests served.").namespace("demo").subsystem("http"),
//!             &["method", "path"],
//!         )?;
//!         let latency = prometheus::HistogramVec::new(
//!             HistogramOpts::new("request_duration_seconds", "Request latency.")
//!                 .namespace("demo")
//!                 .subsystem("http")
//!                 .buckets(vec![0.005, 0.01, 0.1, 1.0]),
//!             &["method"],
//!         )?;
//!         registry.register(Box::new(requests.clone()))?;
//!         // Should this fail, `requests` stays registered.
//!         registry.register(Box::new(latency.clone()))?;
//!         Ok(Self { requests, latency })
//!     }
//! }
//!
//! // After: declared.
//! #[derive(Clone, Copy, LabelValue)]
//! enum Method { Get, #[label = "DELETE"] Delete }
//!
//! /// HTTP server metrics.
//! #[derive(MetricsSet)]
//! #[metrics(namespace = "demo", subsystem = "http")]
//! struct HttpMetrics {
//!     /// Total requests served.
//!     #[metric(labels(method: Method, path))]
//!     requests_total: IntCounterVec,
//!
//!     /// Request latency.
//!     #[metric(labels(method: Method), buckets(0.005, 0.01, 0.1, 1.0))]
//!     request_duration_seconds: HistogramVec,
//! }
//!
//! let (old_registry, new_registry) = (Registry::new(), Registry::new());
//! let old = OldHttpMetrics::new(&old_registry)?;
//! let new = HttpMetrics::register(&new_registry)?;
//!
//! old.requests.with_label_values(&["get", "/users"]).inc();
//! old.requests.with_label_values(&["DELETE", "/users/7"]).inc();
//! old.latency.with_label_values(&["get"]).observe(0.02);
//!
//! new.requests_total(Method::Get, "/users").inc();
//! new.requests_total(Method::Delete, "/users/7").inc();
//! new.request_duration_seconds(Method::Get).observe(0.02);
//!
//! let encoder = TextEncoder::new();
//! assert_eq!(
//!     encoder.encode_to_string(&new_registry.gather())?,
//!     encoder.encode_to_string(&old_registry.gather())?,
//! );
//! # Ok::<(), solti_metrics::prometheus::Error>(())
//! ```
//!
//! ## Documenting a set
//!
//! Each recorder method's rustdoc gives the exported name, kind, labels and help of its
//! metric. [`MetricsSet::METRICS`] holds the same facts as data, and
//! [`catalog::markdown`] renders them as a markdown table for a README or a runbook; the
//! README's table of runner metrics is `cargo run --example catalog`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod catalog;
mod histogram;
mod label;
mod vec;

#[cfg(feature = "runner")]
mod runner;

pub use prometheus;
pub use prometheus::{Counter, Gauge, Histogram, IntCounter, IntGauge};
pub use solti_metrics_derive::{LabelValue, MetricsSet};

pub use histogram::{HistogramSeries, HistogramTimer};
pub use label::{LabelSet, LabelStr, LabelValue, MAX_DENSE_SLOTS};
#[cfg(feature = "runner")]
pub use runner::{PrometheusMetrics, RunnerMetrics};
pub use vec::{Child, Handle, MetricVec, OVERFLOW_LABEL};

use prometheus::Registry;
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;

/// A family of `Counter` series told apart by labels.
pub type CounterVec = MetricVec<Counter>;
/// A family of `IntCounter` series told apart by labels.
pub type IntCounterVec = MetricVec<IntCounter>;
/// A family of `Gauge` series told apart by labels.
pub type GaugeVec = MetricVec<Gauge>;
/// A family of `IntGauge` series told apart by labels.
pub type IntGaugeVec = MetricVec<IntGauge>;
/// A family of histogram series told apart by labels; each series is a [`HistogramSeries`].
pub type HistogramVec = MetricVec<HistogramSeries>;

/// A set of metrics declared as a struct; implemented by `#[derive(MetricsSet)]`.
pub trait MetricsSet: Sized + Send + Sync + 'static {
    /// The static catalog: one entry per metric, in declaration order.
    const METRICS: &'static [MetricDesc];

    /// Creates every metric and registers the whole set as one collector: all or nothing.
    ///
    /// # Errors
    ///
    /// Fails with [`prometheus::Error::AlreadyReg`] when a metric of the set is already in
    /// `registry` (registered by another set or by hand), or with the error prometheus gives
    /// for a metric it cannot create; in both cases nothing of the set is registered.
    ///
    /// One thing outlives a refused set, as it outlives [`unregister`](Self::unregister):
    /// prometheus 0.14 binds each metric name a registry has been offered to the label names
    /// and help it came with, for the registry's lifetime. A later metric of the same name must
    /// keep them.
    fn register(registry: &Registry) -> Result<Self, prometheus::Error>;

    /// The whole set as one [`Collector`], sharing its series with `self`.
    fn collector(&self) -> SetCollector;

    /// Removes the set from `registry`, where [`register`](Self::register) put it.
    ///
    /// # Errors
    ///
    /// Fails when the set is not registered in `registry`.
    fn unregister(&self, registry: &Registry) -> Result<(), prometheus::Error> {
        registry.unregister(Box::new(self.collector()))
    }
}

/// One entry of a set's catalog ([`MetricsSet::METRICS`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDesc {
    /// The exported name, `namespace_subsystem_name`.
    pub name: &'static str,
    /// The help text.
    pub help: &'static str,
    /// The kind of metric.
    pub kind: MetricKind,
    /// The variable label names, in declared order.
    pub labels: &'static [&'static str],
    /// The histogram's bucket upper bounds (without `+Inf`); empty for other kinds.
    pub buckets: &'static [f64],
    /// The most series the metric keeps for open label values, if limited.
    pub max_series: Option<usize>,
    /// The name of the struct field that declares the metric.
    pub field: &'static str,
}

impl MetricDesc {
    /// The names of the series this metric exports: its name, and for a histogram also
    /// `name_bucket`, `name_sum` and `name_count`.
    pub fn series_names(&self) -> Vec<String> {
        let mut names = vec![self.name.to_owned()];
        if self.kind == MetricKind::Histogram {
            names.extend(HISTOGRAM_SUFFIXES.iter().map(|suffix| format!("{}{suffix}", self.name)));
        }
        names
    }
}

/// The kind of a metric, as exported in its `# TYPE` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// A value that only goes up.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Observations counted into buckets.
    Histogram,
}

impl MetricKind {
    /// The name used in the `# TYPE` line: `counter`, `gauge` or `histogram`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        }
    }
}

impl core::fmt::Display for MetricKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

const HISTOGRAM_SUFFIXES: [&str; 3] = ["_bucket", "_sum", "_count"];

/// A type that can be a field of a `#[derive(MetricsSet)]` struct.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric type",
    label = "not a metric type",
    note = "a `MetricsSet` field is one of `Counter`, `IntCounter`, `Gauge`, `IntGauge`, `Histogram` (no labels) or `CounterVec`, `IntCounterVec`, `GaugeVec`, `IntGaugeVec`, `HistogramVec` (with labels), from `solti_metrics`"
)]
pub trait MetricField: Collector + Clone + Sized + 'static {
    /// The series type a recorder method returns.
    type Series;
    /// The kind of metric.
    const KIND: MetricKind;
    /// Whether the type takes labels (the `*Vec` types).
    const LABELLED: bool;

    /// Creates the metric described by `meta`, with labels of the tuple type `L`.
    ///
    /// # Errors
    ///
    /// The error prometheus gives for a metric it cannot create.
    fn build<L: LabelSet>(meta: &'static MetricDesc) -> prometheus::Result<Self>;
}

impl<C: Child> MetricField for C {
    type Series = C;
    const KIND: MetricKind = C::KIND;
    const LABELLED: bool = false;

    fn build<L: LabelSet>(meta: &'static MetricDesc) -> prometheus::Result<Self> {
        C::create(meta, std::collections::HashMap::new())
    }
}

impl<C: Child> MetricField for MetricVec<C> {
    type Series = C;
    const KIND: MetricKind = C::KIND;
    const LABELLED: bool = true;

    fn build<L: LabelSet>(meta: &'static MetricDesc) -> prometheus::Result<Self> {
        MetricVec::new::<L>(meta)
    }
}

/// All metrics of a set as one [`Collector`], so the registry takes or refuses them together.
pub struct SetCollector {
    parts: Vec<Box<dyn Collector>>,
}

impl SetCollector {
    /// A collector made of `parts`.
    pub fn new(parts: impl IntoIterator<Item = Box<dyn Collector>>) -> Self {
        Self { parts: parts.into_iter().collect() }
    }

    /// One metric as a part of a set's collector.
    #[doc(hidden)]
    pub fn part<M: MetricField>(metric: &M) -> Box<dyn Collector> {
        Box::new(metric.clone())
    }

    /// Registers the set in `registry` as one collector.
    #[doc(hidden)]
    pub fn register(registry: &Registry, collector: Self) -> Result<(), prometheus::Error> {
        registry.register(Box::new(collector))
    }
}

impl core::fmt::Debug for SetCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names: Vec<&str> = self.desc().iter().map(|desc| desc.fq_name.as_str()).collect();
        f.debug_struct("SetCollector").field("metrics", &names).finish()
    }
}

impl Collector for SetCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.parts.iter().flat_map(|part| part.desc()).collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        self.parts.iter().flat_map(|part| part.collect()).collect()
    }
}

/// Fails the build when two or more [`MetricsSet`]s export the same series name (a
/// histogram's `_bucket`, `_sum` and `_count` series included).
///
/// ```
/// use solti_metrics::{IntCounter, MetricsSet};
///
/// #[derive(MetricsSet)]
/// struct Api { /// Requests.
///     requests_total: IntCounter }
/// #[derive(MetricsSet)]
/// struct Jobs { /// Jobs run.
///     jobs_total: IntCounter }
///
/// solti_metrics::assert_disjoint!(Api, Jobs);
/// ```
///
/// ```compile_fail
/// use solti_metrics::{IntCounter, MetricsSet};
///
/// #[derive(MetricsSet)]
/// struct Api { /// Requests.
///     requests_total: IntCounter }
/// #[derive(MetricsSet)]
/// struct Proxy { /// Requests.
///     requests_total: IntCounter }
///
/// solti_metrics::assert_disjoint!(Api, Proxy);
/// ```
#[macro_export]
macro_rules! assert_disjoint {
    ($only:ty $(,)?) => {
        ::core::compile_error!("`assert_disjoint!` compares two or more sets: `assert_disjoint!(A, B)`");
    };
    ($first:ty, $($set:ty),+ $(,)?) => {
        const _: () = {
            let clash = $crate::__private::first_clash(&[
                (::core::stringify!($first), <$first as $crate::MetricsSet>::METRICS),
                $((::core::stringify!($set), <$set as $crate::MetricsSet>::METRICS)),+
            ]);
            if let ::core::option::Option::Some(message) = clash.message() {
                ::core::panic!("{}", message);
            }
        };
    };
}

#[doc(hidden)]
pub mod __private {
    //! Re-exports and helpers for generated code; not a public API.
    pub use crate::{
        Handle, LabelSet, LabelStr, LabelValue, MetricDesc, MetricField, MetricKind, MetricVec, MetricsSet,
        SetCollector,
    };
    pub use prometheus;
    pub use prometheus::DEFAULT_BUCKETS;

    use crate::{Child, HISTOGRAM_SUFFIXES};

    /// A field type the derive could not recognize by name (a type alias) and that has no
    /// labels: the bound the generated code puts on it, so a wrong type is one error at the type.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a metric type without labels",
        label = "not a metric type without labels",
        note = "without `#[metric(labels(..))]` a field is one of `Counter`, `IntCounter`, `Gauge`, `IntGauge`, `Histogram`; a `*Vec` type needs labels: add `#[metric(labels(..))]`"
    )]
    pub trait PlainMetric: MetricField {}

    // Keeps rustc's error on this trait's message instead of a list of `Child` types.
    #[diagnostic::do_not_recommend]
    impl<C: Child> PlainMetric for C {}

    /// A field type the derive could not recognize by name and that has labels.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a metric type with labels",
        label = "not a metric type with labels",
        note = "with `#[metric(labels(..))]` a field is one of `CounterVec`, `IntCounterVec`, `GaugeVec`, `IntGaugeVec`, `HistogramVec`; the types without `Vec` take no labels"
    )]
    pub trait LabelledMetric: MetricField {
        /// The series of `labels`; what a recorder method returns.
        fn series<L: LabelSet>(&self, labels: L) -> Handle<'_, Self::Series>;
    }

    // Keeps rustc's error on this trait's message instead of a list of `Child` types.
    #[diagnostic::do_not_recommend]
    impl<C: Child> LabelledMetric for MetricVec<C> {
        #[inline]
        fn series<L: LabelSet>(&self, labels: L) -> Handle<'_, C> {
            self.with(labels)
        }
    }

    const fn concat_eq(a: &str, a_suffix: &str, b: &str, b_suffix: &str) -> bool {
        let (a, a_suffix, b, b_suffix) = (a.as_bytes(), a_suffix.as_bytes(), b.as_bytes(), b_suffix.as_bytes());
        if a.len() + a_suffix.len() != b.len() + b_suffix.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() + a_suffix.len() {
            let x = if i < a.len() { a[i] } else { a_suffix[i - a.len()] };
            let y = if i < b.len() { b[i] } else { b_suffix[i - b.len()] };
            if x != y {
                return false;
            }
            i += 1;
        }
        true
    }

    const fn suffix_count(desc: &MetricDesc) -> usize {
        match desc.kind {
            MetricKind::Histogram => HISTOGRAM_SUFFIXES.len() + 1,
            MetricKind::Counter | MetricKind::Gauge => 1,
        }
    }

    const fn suffix(i: usize) -> &'static str {
        if i == 0 { "" } else { HISTOGRAM_SUFFIXES[i - 1] }
    }

    /// The message of a failed [`assert_disjoint!`](crate::assert_disjoint), built at compile
    /// time: const panics can only format a single `&str`.
    pub struct Clash {
        buf: [u8; 512],
        len: usize,
    }

    impl Clash {
        const NONE: Self = Self { buf: [0; 512], len: 0 };

        const fn push(mut self, text: &str) -> Self {
            let text = text.as_bytes();
            let mut i = 0;
            while i < text.len() && self.len < self.buf.len() {
                self.buf[self.len] = text[i];
                self.len += 1;
                i += 1;
            }
            self
        }

        /// The message, or `None` when the sets are disjoint.
        pub const fn message(&self) -> Option<&str> {
            if self.len == 0 {
                return None;
            }
            let (mut text, _) = self.buf.split_at(self.len);
            // A message cut inside a multi-byte character loses that character.
            while core::str::from_utf8(text).is_err() && !text.is_empty() {
                text = text.split_at(text.len() - 1).0;
            }
            match core::str::from_utf8(text) {
                Ok(text) => Some(text),
                Err(_) => Some("two sets export the same series"),
            }
        }
    }

    /// The first series exported by two of `sets` (each a set's name and catalog), as a
    /// message naming the series, both sets and both fields.
    pub const fn first_clash(sets: &[(&str, &[MetricDesc])]) -> Clash {
        let mut s = 0;
        while s < sets.len() {
            let mut t = s + 1;
            while t < sets.len() {
                let mut i = 0;
                while i < sets[s].1.len() {
                    let mut j = 0;
                    while j < sets[t].1.len() {
                        let (a, b) = (&sets[s].1[i], &sets[t].1[j]);
                        if let Some((x, _)) = clash(a, b) {
                            return Clash::NONE
                                .push("series `")
                                .push(a.name)
                                .push(suffix(x))
                                .push("` is exported by both `")
                                .push(sets[s].0)
                                .push("::")
                                .push(a.field)
                                .push("` and `")
                                .push(sets[t].0)
                                .push("::")
                                .push(b.field)
                                .push("`; rename one of the metrics, or give the sets different namespaces");
                        }
                        j += 1;
                    }
                    i += 1;
                }
                t += 1;
            }
            s += 1;
        }
        Clash::NONE
    }

    /// The series two metrics both export, as indices into their suffixes (`""`, `_bucket`,
    /// `_sum`, `_count`), if any.
    pub const fn clash(a: &MetricDesc, b: &MetricDesc) -> Option<(usize, usize)> {
        let mut i = 0;
        while i < suffix_count(a) {
            let mut j = 0;
            while j < suffix_count(b) {
                if concat_eq(a.name, suffix(i), b.name, suffix(j)) {
                    return Some((i, j));
                }
                j += 1;
            }
            i += 1;
        }
        None
    }
}
