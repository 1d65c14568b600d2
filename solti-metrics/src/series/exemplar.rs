//! Exemplars (OpenMetrics only): the latest record of a counter series, or of each histogram
//! bucket, with labels such as a trace id, exported after the sample it belongs to:
//! `requests_total{path="/"} 7 # {trace_id="4bf92f35"} 1.0 1700000000.123`.
//!
//! A metric opts in with `#[metric(exemplars)]`, and its recorder method then returns an
//! [`ExemplarSeries`]: the series (through `Deref`) and the `*_with_exemplar` methods. A metric
//! without the opt-in keeps its plain series, no bigger and recorded exactly as before.
//!
//! The exemplars of a family live beside its series, not in them: a table keyed by the
//! series' address (series never move and live as long as their family), whose slots are
//! created when a series records its first exemplar. The table is split into shards, each a
//! map behind its own `Mutex`; recording an exemplar takes one shard's lock for the time it
//! takes to copy the labels into the slot, and writing the exposition takes it for the time it
//! takes to write the series. A poisoned lock is used as it is: a slot is only ever written
//! whole.

use std::sync::PoisonError;
use std::time::{SystemTime, UNIX_EPOCH};

use hashbrown::HashMap;

use crate::labels::escape::write_label_pair;
use crate::metric::names::{Escaping, is_user_label_name};
use crate::series::{Counter, Histogram, IntCounter};
use crate::sync::{Mutex, MutexGuard};

/// The most characters (Unicode scalar values, not bytes) an exemplar's label names and values
/// may have together: OpenMetrics 1.0's limit. An exemplar over it is dropped, the record kept.
pub const EXEMPLAR_MAX_CHARS: usize = 128;

/// The series of a metric declared with `#[metric(exemplars)]`, as its recorder method returns
/// it: the series' own methods (through `Deref`: `inc`, `inc_by`, `observe`, `get`, ...) and
/// the same records with an exemplar.
///
/// An exemplar is a set of label pairs, typically `&[("trace_id", id)]`, kept with the
/// recorded value and the time of the record: the latest one per counter series and per
/// histogram bucket (the bucket the value falls in). It is exported in the OpenMetrics text
/// only: the Prometheus text format has no exemplars and is unchanged, and the `prometheus`
/// protobuf families of `gather` carry none.
///
/// The `*_with_exemplar` methods always record the value as their plain counterparts do, and
/// return whether the exemplar was kept. It is dropped, never truncated (a cut trace id would
/// name another trace), when:
/// - the label names and values have more than [`EXEMPLAR_MAX_CHARS`] characters together;
/// - a label name is not a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`, no `__` prefix), or is
///   given twice;
/// - the record itself is ignored (a negative, zero or `NaN` increment of a [`Counter`]).
///
/// Label values are escaped as any label value is. Recording an exemplar reads the clock and
/// takes a short lock; it never panics, and allocates only for a series' first exemplar and
/// for labels longer than any before on that slot.
///
/// ```
/// use solti_metrics::{Format, HistogramVec, IntCounter, MetricsSet, Registry};
///
/// #[derive(MetricsSet)]
/// struct Api {
///     /// Requests served.
///     #[metric(exemplars)]
///     requests_total: IntCounter,
///     /// Request latency.
///     #[metric(labels(path), buckets(0.1, 1.0), exemplars)]
///     latency_seconds: HistogramVec,
/// }
///
/// let registry = Registry::new();
/// let api = Api::register(&registry)?;
/// assert!(api.requests_total().inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")]));
/// assert!(api.latency_seconds("/users").observe_with_exemplar(0.25, &[("trace_id", "00f067aa")]));
/// api.requests_total().inc(); // a record without an exemplar keeps the latest exemplar
///
/// let too_long = "x".repeat(200);
/// assert!(!api.requests_total().inc_with_exemplar(&[("trace_id", &too_long)]));
/// assert_eq!(api.requests_total().get(), 3, "the value is recorded all the same");
///
/// let mut body = Vec::new();
/// registry.encode(&mut body, Format::OpenMetrics)?;
/// let text = String::from_utf8(body).unwrap();
/// assert!(text.contains(r#"requests_total 3 # {trace_id="4bf92f3577b34da6"} 1.0 "#));
/// assert!(text.contains(r#"latency_seconds_bucket{path="/users",le="1.0"} 1 # {trace_id="00f067aa"} 0.25 "#));
/// # Ok::<(), solti_metrics::Error>(())
/// ```
pub struct ExemplarSeries<'a, S> {
    series: &'a S,
    /// The family's table; `None` only for a family built from a hand-written `MetricDesc`
    /// without `exemplars`, whose exemplars are dropped.
    exemplars: &'a Option<ExemplarTable>,
}

impl<'a, S> ExemplarSeries<'a, S> {
    pub(crate) fn new(series: &'a S, exemplars: &'a Option<ExemplarTable>) -> Self {
        Self { series, exemplars }
    }

    /// Stores an exemplar of `value` in slot `slot` of `slots`; whether it was kept.
    fn store(&self, slots: usize, slot: usize, value: f64, labels: &[(&str, &str)]) -> bool {
        match self.exemplars {
            Some(table) if valid_labels(labels) => {
                table.store(core::ptr::from_ref(self.series).addr(), slots, slot, value, labels);
                true
            }
            _ => false,
        }
    }
}

impl<S> Clone for ExemplarSeries<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for ExemplarSeries<'_, S> {}

impl<S> core::ops::Deref for ExemplarSeries<'_, S> {
    type Target = S;

    #[inline]
    fn deref(&self) -> &S {
        self.series
    }
}

impl<S: core::fmt::Debug> core::fmt::Debug for ExemplarSeries<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.series.fmt(f)
    }
}

impl ExemplarSeries<'_, Counter> {
    /// Adds 1, with an exemplar of value 1; whether the exemplar was kept.
    pub fn inc_with_exemplar(&self, labels: &[(&str, &str)]) -> bool {
        self.inc_by_with_exemplar(1.0, labels)
    }

    /// Adds `value`, with an exemplar of that value; whether the exemplar was kept. A negative,
    /// zero or `NaN` `value` is ignored, exemplar included.
    pub fn inc_by_with_exemplar(&self, value: f64, labels: &[(&str, &str)]) -> bool {
        // What `inc_by` ignores: `value > 0.0` is false for `NaN` too.
        if value > 0.0 {
            self.series.inc_by(value);
            self.store(1, 0, value, labels)
        } else {
            false
        }
    }
}

impl ExemplarSeries<'_, IntCounter> {
    /// Adds 1, with an exemplar of value 1; whether the exemplar was kept.
    pub fn inc_with_exemplar(&self, labels: &[(&str, &str)]) -> bool {
        self.inc_by_with_exemplar(1, labels)
    }

    /// Adds `value`, with an exemplar of that value; whether the exemplar was kept.
    pub fn inc_by_with_exemplar(&self, value: u64, labels: &[(&str, &str)]) -> bool {
        self.series.inc_by(value);
        self.store(1, 0, value as f64, labels)
    }
}

impl ExemplarSeries<'_, Histogram> {
    /// Adds one observation, with an exemplar of it on the bucket it falls in (the `+Inf`
    /// bucket for a value above every bound, and for `NaN`); whether the exemplar was kept.
    pub fn observe_with_exemplar(&self, value: f64, labels: &[(&str, &str)]) -> bool {
        let bucket = self.series.observe_in_bucket(value);
        self.store(self.series.bounds().len() + 1, bucket, value, labels)
    }
}

/// Whether `labels` make a valid exemplar: valid, distinct names, and at most
/// [`EXEMPLAR_MAX_CHARS`] characters of names and values together.
fn valid_labels(labels: &[(&str, &str)]) -> bool {
    let mut bytes = 0;
    for (i, &(name, value)) in labels.iter().enumerate() {
        if !is_user_label_name(name) || labels[..i].iter().any(|&(seen, _)| seen == name) {
            return false;
        }
        bytes += name.len() + value.len();
    }
    // A character is at least a byte: the characters are counted only when the bytes are over.
    // Names are ASCII once valid, their length in bytes their length in characters.
    bytes <= EXEMPLAR_MAX_CHARS
        || labels.iter().map(|&(name, value)| name.len() + value.chars().count()).sum::<usize>() <= EXEMPLAR_MAX_CHARS
}

/// One exemplar: the rendered label pairs (`trace_id="4bf92f"`), the recorded value and the
/// time of the record.
#[derive(Default)]
pub(crate) struct Exemplar {
    labels: Vec<u8>,
    value: f64,
    timestamp_ms: u64,
    recorded: bool,
}

impl Exemplar {
    /// Whether the slot holds an exemplar.
    pub(crate) fn recorded(&self) -> bool {
        self.recorded
    }

    /// The label pairs, rendered and escaped: `trace_id="4bf92f"`.
    pub(crate) fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The recorded value.
    pub(crate) fn value(&self) -> f64 {
        self.value
    }

    /// When it was recorded, in milliseconds since the Unix epoch.
    pub(crate) fn timestamp_ms(&self) -> u64 {
        self.timestamp_ms
    }

    /// An exemplar recorded with these parts.
    #[cfg(test)]
    pub(crate) fn recorded_at(labels: &[u8], value: f64, timestamp_ms: u64) -> Self {
        Self { labels: labels.to_vec(), value, timestamp_ms, recorded: true }
    }
}

/// Shards of an [`ExemplarTable`] (a power of two).
const SHARDS: usize = 16;

/// The exemplar slots of the series whose addresses fall in one shard, by series address: one
/// slot for a counter, one per bucket for a histogram (`+Inf` last).
type Shard = HashMap<usize, Box<[Exemplar]>>;

/// The exemplar slots of a family's series, keyed by the series' address.
pub(crate) struct ExemplarTable {
    shards: Box<[Mutex<Shard>]>,
}

impl Default for ExemplarTable {
    fn default() -> Self {
        Self { shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }
}

impl ExemplarTable {
    fn shard(&self, series: usize) -> MutexGuard<'_, Shard> {
        // Series sit a few dozen bytes apart: a multiplication spreads neighbours over shards.
        let index = (series as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (u64::BITS - SHARDS.trailing_zeros());
        let shard = &self.shards[index as usize % SHARDS];
        shard.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes `labels` (already validated), `value` and now the exemplar of slot `slot` of the
    /// series at `series`, which has `slots` slots.
    fn store(&self, series: usize, slots: usize, slot: usize, value: f64, labels: &[(&str, &str)]) {
        // Before the lock: a clock before 1970 gives 0, which the exposition writes as such.
        let timestamp_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_millis() as u64);
        let mut shard = self.shard(series);
        let slots = shard.entry(series).or_insert_with(|| (0..slots).map(|_| Exemplar::default()).collect());
        let Some(exemplar) = slots.get_mut(slot) else { return };
        exemplar.labels.clear();
        for (position, &(name, value)) in labels.iter().enumerate() {
            write_label_pair(&mut exemplar.labels, position > 0, name, Escaping::AllowUtf8, value.as_bytes());
        }
        exemplar.value = value;
        exemplar.timestamp_ms = timestamp_ms;
        exemplar.recorded = true;
    }

    /// Runs `write` with the exemplar slots of the series at `series` (empty when it has
    /// recorded none), holding their shard's lock.
    pub(crate) fn with_slots<R>(&self, series: usize, write: impl FnOnce(&[Exemplar]) -> R) -> R {
        let shard = self.shard(series);
        write(shard.get(&series).map_or(&[], |slots| &slots[..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_characters_of_names_and_values() {
        let name = "trace_id";
        let fits = "a".repeat(EXEMPLAR_MAX_CHARS - name.len());
        assert!(valid_labels(&[(name, &fits)]));
        let over = "a".repeat(EXEMPLAR_MAX_CHARS - name.len() + 1);
        assert!(!valid_labels(&[(name, &over)]));
        // Characters, not bytes: `é` is two bytes and one character.
        let accents = "é".repeat(EXEMPLAR_MAX_CHARS - name.len());
        assert!(valid_labels(&[(name, &accents)]));
        // Across pairs.
        let half = "b".repeat(EXEMPLAR_MAX_CHARS / 2 - 1);
        assert!(valid_labels(&[("a", &half), ("c", &half)]));
        assert!(!valid_labels(&[("a", &half), ("c", &half), ("d", "")]));
        assert!(valid_labels(&[]));
    }

    #[test]
    fn names_must_be_valid_and_distinct() {
        for bad in ["", "9a", "trace-id", "__trace", "tr\u{e1}ce", "a b"] {
            assert!(!valid_labels(&[(bad, "x")]), "{bad:?}");
        }
        assert!(!valid_labels(&[("trace_id", "a"), ("trace_id", "b")]));
        assert!(valid_labels(&[("trace_id", "a"), ("span_id", "b")]));
    }

    #[test]
    fn values_are_escaped_and_the_latest_exemplar_wins() {
        let table = ExemplarTable::default();
        table.store(64, 1, 0, 2.5, &[("trace_id", "old")]);
        table.store(64, 1, 0, 0.5, &[("trace_id", "a\"b\\c\nd"), ("user", "\u{e9}")]);
        table.with_slots(64, |slots| {
            let exemplar = &slots[0];
            assert!(exemplar.recorded());
            assert_eq!(exemplar.labels(), "trace_id=\"a\\\"b\\\\c\\nd\",user=\"\u{e9}\"".as_bytes());
            assert_eq!(exemplar.value(), 0.5);
            assert!(exemplar.timestamp_ms() > 1_600_000_000_000, "{}", exemplar.timestamp_ms());
        });
        assert_eq!(table.with_slots(128, <[Exemplar]>::len), 0, "no slots for a series without exemplars");
    }

    /// Exemplars live beside the series: a series is as small as it was. (A histogram's
    /// 8 bytes beyond its bounds and cells are the pointer to its native buckets, if declared.)
    /// Not under loom, whose atomics are larger than the ones they stand for.
    #[cfg(not(solti_loom))]
    #[test]
    fn series_do_not_grow() {
        assert_eq!(size_of::<Counter>(), 8);
        assert_eq!(size_of::<IntCounter>(), 8);
        assert_eq!(size_of::<Histogram>(), 40);
    }
}
