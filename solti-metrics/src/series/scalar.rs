//! The series that hold one number: counters and gauges, of `f64` values or whole numbers.
//! Every operation on their cell is relaxed: why that is enough is in `series/mod.rs`.

use crate::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::metric::MetricKind;
use crate::series::{Collected, DeclareExemplars, Number, Reading, Series, Shape, add_f64, sealed};

/// A counter of `f64` values: it only goes up.
///
/// [`inc_by`](Self::inc_by) ignores a negative, zero or `NaN` increment, in debug and release
/// builds alike (`prometheus::Counter` panics in debug builds and decreases in release builds).
#[derive(Debug, Default)]
pub struct Counter {
    bits: AtomicU64,
}

impl Counter {
    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        add_f64(&self.bits, 1.0);
    }

    /// Adds `value`; a negative or `NaN` `value` is ignored, so the counter never decreases.
    #[inline]
    pub fn inc_by(&self, value: f64) {
        // `!(value > 0.0)` is also true for `NaN`.
        if value > 0.0 {
            add_f64(&self.bits, value);
        }
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

/// A counter of whole numbers: it only goes up (it wraps after `u64::MAX`).
#[derive(Debug, Default)]
pub struct IntCounter {
    value: AtomicU64,
}

impl IntCounter {
    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `value`.
    #[inline]
    pub fn inc_by(&self, value: u64) {
        self.value.fetch_add(value, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

/// A gauge of `f64` values: it goes up and down.
#[derive(Debug, Default)]
pub struct Gauge {
    bits: AtomicU64,
}

impl Gauge {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: f64) {
        self.bits.store(value.to_bits(), Ordering::Relaxed);
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        add_f64(&self.bits, 1.0);
    }

    /// Subtracts 1.
    #[inline]
    pub fn dec(&self) {
        add_f64(&self.bits, -1.0);
    }

    /// Adds `value`.
    #[inline]
    pub fn add(&self, value: f64) {
        add_f64(&self.bits, value);
    }

    /// Subtracts `value`.
    #[inline]
    pub fn sub(&self, value: f64) {
        add_f64(&self.bits, -value);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

/// A gauge of whole numbers: it goes up and down (wrapping at the ends of `i64`).
#[derive(Debug, Default)]
pub struct IntGauge {
    value: AtomicI64,
}

impl IntGauge {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: i64) {
        self.value.store(value, Ordering::Relaxed);
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// Subtracts 1.
    #[inline]
    pub fn dec(&self) {
        self.value.fetch_sub(1, Ordering::Relaxed);
    }

    /// Adds `value`.
    #[inline]
    pub fn add(&self, value: i64) {
        self.value.fetch_add(value, Ordering::Relaxed);
    }

    /// Subtracts `value`.
    #[inline]
    pub fn sub(&self, value: i64) {
        self.value.fetch_sub(value, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> i64 {
        self.value.load(Ordering::Relaxed)
    }
}

// The `*_with_exemplar` methods of the series exist only to point the compiler's message
// at `#[metric(exemplars)]`; `ExemplarSeries` has the real ones. Each is generic over its
// labels' type: a bound without a type parameter that no type meets would not compile.
// Written out per type, not by a macro: the compiler quotes these lines in its message.

impl Counter {
    #[doc(hidden)]
    pub fn inc_with_exemplar<Labels: ?Sized>(&self, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }

    #[doc(hidden)]
    pub fn inc_by_with_exemplar<Labels: ?Sized>(&self, _: f64, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }
}

impl IntCounter {
    #[doc(hidden)]
    pub fn inc_with_exemplar<Labels: ?Sized>(&self, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }

    #[doc(hidden)]
    pub fn inc_by_with_exemplar<Labels: ?Sized>(&self, _: u64, _: &Labels) -> bool
    where
        Self: DeclareExemplars<Labels>,
    {
        false
    }
}

// The series holding one number: a counter or a gauge, of `f64` values or whole numbers.
macro_rules! scalar_series {
    ($($ty:ident => $kind:ident, $number:ident, $cell:ident;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl Series for $ty {
            const KIND: MetricKind = MetricKind::$kind;
            type Open = Self;

            fn new(_: Shape) -> Self {
                Self::default()
            }

            #[inline]
            fn read(&self) -> Reading<'_> {
                Reading::$kind(Number::$number(self.get()))
            }

            fn reset(&self) {
                self.$cell.store(0, Ordering::Relaxed);
            }

            fn fingerprint(&self) -> u64 {
                // The bits of the value: a record that changes it changes them.
                u64::from_ne_bytes(self.$cell.load(Ordering::Relaxed).to_ne_bytes())
            }
        }
    )*};
}

scalar_series! {
    Counter => Counter, F64, bits;
    IntCounter => Counter, U64, value;
    Gauge => Gauge, F64, bits;
    IntGauge => Gauge, I64, value;
}

impl Collected for Counter {
    type Value = f64;

    fn store(&self, value: f64) {
        self.bits.store(value.to_bits(), Ordering::Relaxed);
    }
}

impl Collected for IntCounter {
    type Value = u64;

    fn store(&self, value: u64) {
        self.value.store(value, Ordering::Relaxed);
    }
}

impl Collected for Gauge {
    type Value = f64;

    fn store(&self, value: f64) {
        self.set(value);
    }
}

impl Collected for IntGauge {
    type Value = i64;

    fn store(&self, value: i64) {
        self.set(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ignored increments are ignored in every build profile: this test runs in both.
    #[test]
    fn counters_never_decrease() {
        let counter = Counter::default();
        counter.inc_by(2.5);
        for ignored in [-1.0, -0.0, 0.0, f64::NAN, -f64::INFINITY, f64::MIN] {
            counter.inc_by(ignored);
        }
        assert_eq!(counter.get(), 2.5);
        counter.inc();
        assert_eq!(counter.get(), 3.5);
    }

    #[test]
    fn gauges_go_both_ways() {
        let gauge = Gauge::default();
        gauge.add(2.5);
        gauge.dec();
        gauge.sub(0.5);
        gauge.inc();
        assert_eq!(gauge.get(), 2.0);
        gauge.set(-7.0);
        assert_eq!(gauge.get(), -7.0);

        let gauge = IntGauge::default();
        gauge.add(5);
        gauge.sub(7);
        gauge.inc();
        gauge.dec();
        assert_eq!(gauge.get(), -2);
        gauge.set(i64::MAX);
        gauge.inc();
        assert_eq!(gauge.get(), i64::MIN, "wraps instead of panicking");
    }
}
