#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "axum")]
pub mod axum;
pub mod catalog;
mod desc;
mod disjoint;
mod encode;
mod error;
mod exemplar;
mod family;
mod global;
mod key;
mod label;
mod lease;
mod open;
#[cfg(feature = "push")]
pub mod push;
mod registry;
pub mod series;
mod set;
pub mod testing;

#[cfg(feature = "runner")]
mod runner;

#[doc = include_str!("guide.md")]
pub mod guide {}

#[doc(hidden)]
pub mod __private;

pub use prometheus;
pub use solti_metrics_derive::{LabelSet, LabelValue, MetricsSet};

pub use desc::{DEFAULT_BUCKETS, MetricDesc, MetricKind};
pub use encode::Format;
pub use error::Error;
pub use family::{Family, OVERFLOW_LABEL};
pub use global::{Global, default_registry};
pub use label::{LabelSet, LabelStr, LabelValue, MAX_DENSE_SLOTS, NamedLabels};
pub use lease::Lease;
pub use registry::Registry;
#[cfg(feature = "runner")]
pub use runner::{PrometheusMetrics, RunnerMetrics};
pub use set::{MetricField, MetricsSet, Registrar, SetCollector};

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
