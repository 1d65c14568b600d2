#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The rooms. Bottom-up they are sync, error, metric, labels, series, index, exposition, family,
// registry, integrations, testing: each imports only from rooms before it, which
// `tests/module_graph.rs` checks. `ARCHITECTURE.md` draws the map and follows a record and a
// scrape through it.
mod error; // why a set, a collector or a registry was refused
pub(crate) mod exposition; // the formats: Prometheus text, OpenMetrics, `prometheus`' protobuf families
mod family; // a metric's series: lookup, lifecycle, order, exposition
mod index; // where series live: dense table, open index, removable index
mod integrations; // axum, Pushgateway, Solti runner
mod labels; // label values, label tuples, a series' key
pub(crate) mod metric; // what a metric is: description, kind, rules
mod registry; // sets, registries, catalog, global registry
pub mod series; // the series types: a few atomics each, exemplars beside them
mod sync; // atomics and locks: std's, or loom's for the model checks
pub mod testing; // reading values in tests

#[doc = include_str!("guide.md")]
#[cfg_attr(feature = "prometheus", doc = include_str!("guide_prometheus.md"))]
pub mod guide {}

#[doc(hidden)]
pub mod __private;

/// The `prometheus` crate, for its `Registry`, encoders and collectors (feature `prometheus`).
#[cfg(feature = "prometheus")]
pub use prometheus;
pub use solti_metrics_derive::{LabelSet, LabelValue, MetricsSet};

pub use error::Error;
pub use exposition::{ContentType, Escaping, Format};
pub use family::Family;
pub use index::Lease;
pub use labels::{LabelSet, LabelStr, LabelValue, MAX_DENSE_SLOTS, NamedLabels};
pub use metric::{DEFAULT_BUCKETS, MetricDesc, MetricKind, Native, OVERFLOW_LABEL};
pub use registry::{Global, MetricField, MetricsSet, Registrar, Registry, SetCollector, catalog, default_registry};

/// The `http` crate, whose `Method` and `StatusCode` are label values (feature `http`).
#[cfg(feature = "http")]
pub use http;
#[cfg(feature = "axum")]
pub use integrations::axum;
#[cfg(all(feature = "process", target_os = "linux"))]
pub use integrations::process;
#[cfg(feature = "push")]
pub use integrations::push;
#[cfg(feature = "runner")]
pub use integrations::runner::{PrometheusMetrics, RunnerMetrics};

/// A counter of `f64` values, without labels.
pub type Counter = Family<series::Counter, false>;
/// A counter of whole numbers, without labels.
pub type IntCounter = Family<series::IntCounter, false>;
/// A gauge of `f64` values, without labels.
pub type Gauge = Family<series::Gauge, false>;
/// A gauge of whole numbers, without labels.
pub type IntGauge = Family<series::IntGauge, false>;
/// A histogram, without labels.
pub type Histogram = Family<series::Histogram, false>;
/// Counters of `f64` values told apart by labels.
pub type CounterVec = Family<series::Counter, true>;
/// Counters of whole numbers told apart by labels.
pub type IntCounterVec = Family<series::IntCounter, true>;
/// Gauges of `f64` values told apart by labels.
pub type GaugeVec = Family<series::Gauge, true>;
/// Gauges of whole numbers told apart by labels.
pub type IntGaugeVec = Family<series::IntGauge, true>;
/// Histograms told apart by labels.
pub type HistogramVec = Family<series::Histogram, true>;
/// Facts about the program as label values (`build_info{version="1.4.2",commit="9f3c2e1"} 1`):
/// each label tuple recorded is a series of value 1.
pub type Info = Family<series::Info, true>;
