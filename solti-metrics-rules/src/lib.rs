//! The rules of solti-metrics that both its derive (at compile time, as spanned errors) and
//! its runtime (when a family is built from a hand-written description, as
//! `Error::InvalidMetric`) apply, written once so that the two cannot drift apart, each with
//! the words both show.
//!
//! Each rule is a function of what it reads ([`names`], [`labels`], [`buckets`],
//! [`options`]); [`check`] applies them all to one metric's [`Declaration`]. The naming
//! conventions that `#[metric(allow(..))]` switches off (`missing_total`, `unexpected_total`,
//! `non_base_unit`) are the derive's alone.
//!
//! ```
//! use solti_metrics_rules::options::Combinations;
//! use solti_metrics_rules::{Declaration, Kind, Rule, check};
//!
//! let declaration = Declaration {
//!     name: "latency_count",
//!     help: "Request latency.",
//!     field: "latency_count",
//!     kind: Kind::Histogram,
//!     labelled: true,
//!     labels: &["path"],
//!     buckets: &[],
//!     max_series: None,
//!     unit: None,
//!     init: false,
//!     combinations: Combinations::Open { label: Some(0) },
//!     removable: false,
//!     expire_after: None,
//!     exemplars: false,
//!     collect: false,
//!     native: None,
//! };
//! let violations = check(&declaration);
//! assert_eq!(violations.len(), 1);
//! assert_eq!(violations[0].rule, Rule::KindName);
//! assert!(violations[0].message.ends_with("name it `latency`"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod buckets;
#[doc(hidden)]
pub mod cases;
mod check;
pub mod labels;
pub mod names;
pub mod options;

pub use check::{Declaration, Rule, Violation, check};

/// The kinds of metric, as the rules tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A counter.
    Counter,
    /// A gauge.
    Gauge,
    /// A histogram.
    Histogram,
    /// An info metric.
    Info,
}
