//! Re-exports and helpers for generated code; not a public API.

pub use crate::labels::key::KeyBuf;
pub use crate::labels::packed::KeySink;
pub use crate::labels::{dense_digit, dense_slots, dense_step};
pub use crate::metric::DEFAULT_BUCKETS;
pub use crate::{
    Error, LabelSet, LabelStr, LabelValue, Lease, MetricDesc, MetricField, MetricKind, MetricsSet, NamedLabels, Native,
    SetCollector,
};
/// `#[metric(init)]`'s compile-time assertion: the combinations of the labels' values.
pub use solti_metrics_rules::options::combinations as init_combinations;

use crate::family::Family;
use crate::series::Series;

/// `#[metric(collect = path)]`: `value` computes the metric's one series at each exposition.
pub fn collect_with<S: crate::series::Collected>(
    metric: &Family<S, false>,
    value: impl Fn() -> S::Value + Send + Sync + 'static,
) {
    metric.collect_with(value);
}

pub use crate::series::ExemplarSeries;

/// `#[metric(exemplars)]`: the series of `labels` (`()` without labels) with its exemplars,
/// what the metric's recorder method returns.
#[inline]
pub fn exemplar_series<S: Series, const LABELLED: bool, L: LabelSet>(
    metric: &Family<S, LABELLED>,
    labels: L,
) -> ExemplarSeries<'_, S> {
    metric.exemplar_series(labels)
}

/// A field type the derive could not recognize by name (a type alias) and that has no
/// labels: the bound the generated code puts on it, so a wrong type is one error at the type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric type without labels",
    label = "not a metric type without labels",
    note = "without `#[metric(labels(..))]` a field is one of `Counter`, `IntCounter`, `Gauge`, `IntGauge`, `Histogram`; a `*Vec` type needs labels: add `#[metric(labels(..))]`"
)]
pub trait PlainMetric: MetricField {}

// Keeps rustc's error on this trait's message instead of a list of family types.
#[diagnostic::do_not_recommend]
impl<S: Series> PlainMetric for Family<S, false> {}

/// What a call of `remove_<field>` on a metric that is not removable is told. Implemented for
/// nothing.
#[diagnostic::on_unimplemented(
    message = "this metric's series cannot be removed: it is declared without `#[metric(removable)]`",
    label = "`remove_` needs `#[metric(removable)]` (or `expire_after = n`) on the metric",
    note = "with `#[metric(labels(..), removable)]` the derive generates `remove_<field>(labels..)` and `field.clear()`"
)]
pub trait DeclareRemovable {}

/// A field type the derive could not recognize by name and that has labels.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric type with labels",
    label = "not a metric type with labels",
    note = "with `#[metric(labels(..))]` a field is one of `CounterVec`, `IntCounterVec`, `GaugeVec`, `IntGaugeVec`, `HistogramVec`; the types without `Vec` take no labels"
)]
pub trait LabelledMetric: MetricField {
    /// The series of `labels`; what a recorder method returns.
    fn series<L: LabelSet>(&self, labels: L) -> &Self::Series;

    /// The series of `labels`, for a removable metric's recorder method.
    fn lease<L: LabelSet>(&self, labels: L) -> Lease<'_, Self::Series>;

    /// Removes the series of `labels`, for a removable metric's `remove_` method.
    fn remove<L: LabelSet>(&self, labels: L) -> bool;
}

// Keeps rustc's error on this trait's message instead of a list of family types.
#[diagnostic::do_not_recommend]
impl<S: Series> LabelledMetric for Family<S, true> {
    #[inline]
    fn series<L: LabelSet>(&self, labels: L) -> &S {
        Family::series(self, labels)
    }

    #[inline]
    fn lease<L: LabelSet>(&self, labels: L) -> Lease<'_, S> {
        Family::lease(self, labels)
    }

    fn remove<L: LabelSet>(&self, labels: L) -> bool {
        Family::remove(self, labels)
    }
}

/// Whether a histogram's `labels` hold the label of its bucket bounds, `le`: what
/// `#[metric(labels = Struct)]` asserts at compile time, the struct's names being known only
/// to the compiler.
pub const fn has_bucket_label(kind: MetricKind, labels: &[&str]) -> bool {
    if !matches!(kind, MetricKind::Histogram) {
        return false;
    }
    let mut i = 0;
    while i < labels.len() {
        if concat_eq(labels[i], "", crate::metric::names::BUCKET_LABEL, "") {
            return true;
        }
        i += 1;
    }
    false
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

/// The number of series names `desc` exports: its name and its kind's suffixes.
const fn suffix_count(desc: &MetricDesc) -> usize {
    desc.kind.suffixes().len() + 1
}

/// Suffix `i` of a histogram's series names, `""` for the name itself.
const fn suffix(i: usize) -> &'static str {
    if i == 0 { "" } else { MetricKind::Histogram.suffixes()[i - 1] }
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
