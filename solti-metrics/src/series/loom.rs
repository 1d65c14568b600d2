//! Model checks of the series' atomics: `RUSTFLAGS="--cfg solti_loom" cargo test -p
//! solti-metrics --lib --release loom` runs each test under loom, which explores every
//! interleaving of its threads (and the values each relaxed load may see) and fails on the first
//! that breaks an assertion. Each test names the ordering it holds to account.

use ::loom::sync::Arc;
use ::loom::thread;

use crate::metric::Native;
use crate::series::native::NativeBuckets;
use crate::series::{Counter, Gauge, Histogram, IntCounter, Series, Shape};

/// Native buckets of schema 0 (a power of two per bucket): what the tests observe stays in the
/// first window, so no lock is taken.
const NATIVE: Native = Native { schema: 0, max_buckets: 160, zero_threshold: 0.0 };

/// What an exposition reads of native buckets: every bucket's count, summed.
fn native_total(native: &NativeBuckets) -> u64 {
    let (mut positive, mut negative) = (Vec::new(), Vec::new());
    let head = native.read_into(&mut positive, &mut negative);
    positive.iter().chain(&negative).map(|&(_, count)| count).sum::<u64>() + head.zero_count
}

/// An exposition reads the native buckets (acquire) before the classic count (relaxed), and an
/// observation adds to the classic count before it adds to a native bucket (release): whatever
/// the exposition sees in the native buckets, the count it then reads covers, in every
/// interleaving loom runs (and the observation is counted once, its sum added once).
///
/// Not proven here: that the release/acquire pair is needed. With the native add made relaxed
/// this model still passes (loom runs 6 executions and never lets the count's load read the
/// value before the add), while the same operations written out with bare atomics, in a model
/// of their own, fail as the memory model says they may. The pair stays on that reasoning.
#[test]
fn loom_the_count_is_never_below_the_native_buckets() {
    ::loom::model(|| {
        let histogram = Arc::new(Histogram::new(Shape { bounds: &[1.0], native: Some(&NATIVE) }));
        let observer = {
            let histogram = Arc::clone(&histogram);
            thread::spawn(move || {
                histogram.observe(0.5);
            })
        };
        let native = native_total(histogram.native().expect("native buckets"));
        let count = histogram.get_sample_count();
        assert!(count >= native, "count {count} below the native buckets' {native}");
        observer.join().unwrap();
        assert_eq!(native_total(histogram.native().unwrap()), 1);
        assert_eq!(histogram.get_sample_count(), 1);
        assert_eq!(histogram.get_sample_sum(), 0.5);
    });
}

/// Two first observations race to place the window (a compare-and-swap of its base): one
/// places it, the other uses that placement, and both are counted once, in their buckets. A
/// plain store in place of the compare-and-swap fails this model.
#[test]
fn loom_racing_first_observations_place_one_window() {
    ::loom::model(|| {
        let native = Arc::new(NativeBuckets::new(&NATIVE));
        let other = {
            let native = Arc::clone(&native);
            thread::spawn(move || native.observe(1024.0))
        };
        native.observe(0.25);
        other.join().unwrap();
        let (mut positive, mut negative) = (Vec::new(), Vec::new());
        native.read_into(&mut positive, &mut negative);
        assert_eq!(positive, [(-2, 1), (10, 1)]);
        assert!(negative.is_empty());
    });
}

/// Adds from two threads are never lost: an integer counter's `fetch_add`, and the
/// compare-and-swap loop of an `f64` counter and a histogram's sum. A load and a store in place
/// of the integer counter's `fetch_add` fail this model.
#[test]
fn loom_concurrent_adds_are_exact() {
    ::loom::model(|| {
        let series = Arc::new((IntCounter::new(Shape::default()), Counter::new(Shape::default())));
        let other = {
            let series = Arc::clone(&series);
            thread::spawn(move || {
                series.0.inc_by(2);
                series.1.inc_by(0.5);
            })
        };
        series.0.inc();
        series.1.inc_by(0.25);
        other.join().unwrap();
        assert_eq!(series.0.get(), 3);
        assert_eq!(series.1.get(), 0.75);
    });
}

/// A gauge raised in one thread and lowered in another ends where it started.
#[test]
fn loom_a_gauge_returns_to_zero() {
    ::loom::model(|| {
        let gauge = Arc::new(Gauge::new(Shape::default()));
        let other = {
            let gauge = Arc::clone(&gauge);
            thread::spawn(move || {
                gauge.add(1.5);
                gauge.sub(1.5);
            })
        };
        gauge.inc();
        gauge.dec();
        other.join().unwrap();
        assert_eq!(gauge.get(), 0.0);
    });
}
