//! A metric's list of labels: how many, each once, and whether its type takes any.

use crate::Kind;

/// The most labels a metric can have: `LabelSet` is implemented for tuples up to this length,
/// and a series' key holds at most this many values.
pub const MAX_LABELS: usize = 12;

/// A metric with more than [`MAX_LABELS`] labels: `extra` is the first one over.
pub fn too_many(extra: &str) -> String {
    format!("a metric takes at most {MAX_LABELS} labels; `{extra}` is label {}", MAX_LABELS + 1)
}

/// A `LabelSet` struct with more than [`MAX_LABELS`] fields, each a label: `extra` is the
/// first field over.
pub fn too_many_fields(extra: &str) -> String {
    format!("a metric takes at most {MAX_LABELS} labels; `{extra}` is field {}", MAX_LABELS + 1)
}

/// A label declared a second time.
pub fn twice(name: &str) -> String {
    format!("label `{name}` is declared twice; remove this one")
}

/// A metric type that takes labels (`*Vec`, `Info`) declared without any.
pub fn missing(kind: Kind) -> &'static str {
    match kind {
        Kind::Info => {
            "an info metric states its facts as labels: add `#[metric(labels(..))]`, as in `labels(version, commit)`"
        }
        Kind::Counter | Kind::Gauge | Kind::Histogram => {
            "a `*Vec` metric needs labels: add `#[metric(labels(..))]`, or use the type without `Vec`"
        }
    }
}

/// A metric type without labels declared with some.
pub const NOT_TAKEN: &str =
    "this metric type takes no labels; use its `*Vec` type (`IntCounterVec`, ...) for labelled series";
