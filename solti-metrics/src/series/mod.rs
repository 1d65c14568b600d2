//! The series types: a few atomics each, with the recording API of the `prometheus` crate's
//! types of the same names.
//!
//! A series is what a recorder method returns: `metrics.requests_total(Method::Get).inc()`.
//! Recording never panics and never allocates. A counter never decreases: a negative or `NaN`
//! increment is ignored.

// Memory ordering.
//
// Every operation on a series' cells (`scalar.rs`, `histogram.rs`, and `add_f64`'s
// compare-and-swap loop) is relaxed, and that is enough: each cell is one atomic, whose
// read-modify-writes all land in one order, so no record is lost (checked by
// `loom_concurrent_adds_are_exact`), and a cell publishes no other memory. A scrape reads each
// cell on its own: it may see a bucket and the sum at slightly different moments, as a scrape
// of any concurrent client does, which Prometheus takes as it comes. `reset` (a series
// removed or expired) stores zero under the family's locks, and a record racing it is lost or
// counted, as one through a series held across a removal. One place needs more: native
// buckets are added to with release after the classic count, and read with acquire before it,
// so that the count written is never below them (`native.rs`, `Histogram::observe_in_bucket`).

use crate::sync::atomic::{AtomicU64, Ordering};

use crate::metric::{MetricKind, Native};

mod exemplar;
mod guard;
mod histogram;
mod info;
#[cfg(all(test, solti_loom))]
mod loom;
mod native;
mod scalar;
mod slot;

pub use exemplar::{EXEMPLAR_MAX_CHARS, ExemplarSeries};
pub(crate) use exemplar::{Exemplar, ExemplarTable};
pub use guard::GaugeGuard;
pub use histogram::{Histogram, HistogramTimer};
pub use info::Info;
pub(crate) use native::NativeHead;
pub use scalar::{Counter, Gauge, IntCounter, IntGauge};
pub use slot::OpenSlot;

/// The series type of a metric: [`Counter`], [`IntCounter`], [`Gauge`], [`IntGauge`] or
/// [`Histogram`]. Sealed: the exposition knows each of them.
pub trait Series: Send + Sync + Sized + 'static + sealed::Sealed {
    /// The kind of metric this series type makes.
    const KIND: MetricKind;

    /// What the open index keeps a series of this type in: the series itself, or a
    /// `OnceLock` of it when building one allocates.
    #[doc(hidden)]
    type Open: OpenSlot<Series = Self>;

    /// A series at zero, of the `shape` its metric declares (which only histograms use).
    #[doc(hidden)]
    fn new(shape: Shape) -> Self;

    /// What the series holds now: the one view of a series the exposition reads.
    #[doc(hidden)]
    fn read(&self) -> Reading<'_>;

    /// Sets the series back to zero. Called when a series of fixed labels is removed (its
    /// slot is then out of the exposition): the next record through the recorder method puts
    /// the slot back in use at zero, and a record through the series held across the removal
    /// counts in that fresh series.
    #[doc(hidden)]
    fn reset(&self);

    /// A number that changes whenever a record changes the series (a counter's or gauge's
    /// value, a histogram's count): what `#[metric(expire_after = ..)]` compares between
    /// expositions to find idle series.
    #[doc(hidden)]
    fn fingerprint(&self) -> u64;
}

mod sealed {
    pub trait Sealed {}
}

/// What a histogram series is built with: its bucket upper bounds (without `+Inf`) and its
/// native buckets, if declared. Other series ignore it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    /// The classic buckets' upper bounds.
    pub bounds: &'static [f64],
    /// `#[metric(native)]`.
    pub native: Option<&'static Native>,
}

/// A series whose value a function can compute at each exposition
/// (`#[metric(collect = path)]`): counters and gauges, not histograms.
#[diagnostic::on_unimplemented(
    message = "`collect` computes one number, and a `{Self}` series holds more",
    label = "`collect` needs a counter or a gauge",
    note = "`collect = path` works on `Counter`, `IntCounter`, `Gauge` and `IntGauge`"
)]
pub trait Collected: Series {
    /// What the function returns: `f64` for `Counter` and `Gauge`, `u64` for `IntCounter`,
    /// `i64` for `IntGauge`.
    type Value;

    /// Stores a computed value.
    #[doc(hidden)]
    fn store(&self, value: Self::Value);
}

/// What a call of `inc_with_exemplar`, `inc_by_with_exemplar` or `observe_with_exemplar` on
/// the series of a metric without `#[metric(exemplars)]` is told. Implemented for nothing.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this series records no exemplars: its metric is declared without `#[metric(exemplars)]`",
    label = "exemplars need `#[metric(exemplars)]` on the metric",
    note = "with `#[metric(exemplars)]` on a counter or a histogram, its recorder method returns a series with `inc_with_exemplar`, `inc_by_with_exemplar` (counters) or `observe_with_exemplar` (histograms)"
)]
pub trait DeclareExemplars<Labels: ?Sized> {}

/// What a series holds at one moment, as the exposition reads it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Reading<'a> {
    /// A counter's value.
    Counter(Number),
    /// A gauge's value (an info series reads as the gauge 1).
    Gauge(Number),
    /// A histogram: its bounds, its observations per bucket and its sum.
    Histogram(&'a Histogram),
}

/// A sample's value as the series holds it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Number {
    /// A whole number that is never negative.
    U64(u64),
    /// A whole number.
    I64(i64),
    /// Any number.
    F64(f64),
}

impl Number {
    /// The value as the `prometheus` crate holds every value: an `f64` (large integers round).
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Self::U64(value) => value as f64,
            Self::I64(value) => value as f64,
            Self::F64(value) => value,
        }
    }
}

/// Adds `value` to the `f64` stored as bits in `cell`.
#[inline]
pub(crate) fn add_f64(cell: &AtomicU64, value: f64) {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(current) + value).to_bits();
        match cell.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(actual) => current = actual,
        }
    }
}
