//! Model checks of the series' atomics and exemplars: `RUSTFLAGS="--cfg solti_loom" cargo test
//! -p solti-metrics --lib --release loom` runs each test under loom, which explores every
//! interleaving of its threads (and the values each relaxed load may see) and fails on the first
//! that breaks an assertion. Each test names the ordering it holds to account. The indexes'
//! models are in `index/loom.rs`, removal's and expiry's in `family/lifecycle/loom.rs`.

use ::loom::sync::Arc;
use ::loom::thread;

use crate::metric::Native;
use crate::series::native::NativeBuckets;
use crate::series::{Counter, ExemplarSeries, ExemplarTable, Gauge, Histogram, IntCounter, Series, Shape};

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

/// The two exemplars the exemplar model records, as the exposition reads them: the rendered
/// labels and the value.
const EXEMPLARS: [(&str, f64); 2] = [("trace_id=\"a\"", 1.0), ("trace_id=\"bb\",span_id=\"c\"", 2.0)];

/// A series and its family's exemplar table.
type WithExemplars = (IntCounter, Option<ExemplarTable>);

/// The exemplar of `series` as a scrape reads it (`ExemplarTable::with_slots`, keyed by the
/// series' address as the exposition keys it), if it has one.
fn exemplar(series: &WithExemplars) -> Option<(String, f64)> {
    let table = series.1.as_ref().expect("exemplars");
    table.with_slots(core::ptr::from_ref(&series.0).addr(), |slots| {
        slots
            .first()
            .filter(|exemplar| exemplar.recorded())
            .map(|exemplar| (String::from_utf8_lossy(exemplar.labels()).into_owned(), exemplar.value()))
    })
}

/// Two records with exemplars race a scrape that reads the exemplar: the scrape finds none, or
/// the labels and value of one record together, never the labels of one with the value of the
/// other; the exemplar left is one of the two, whole, and both records are counted. Recording
/// the labels and the value under two takings of the shard's lock instead of one fails this
/// model.
///
/// Loom sees the shards' locks (`Mutex` from the sync room); the slots they guard are plain
/// data. The timestamp comes from the real clock, which no assertion reads. The series'
/// address picks the shard, and may pick another from one execution to the next: each
/// execution's threads all take the one it picks, which is what the model needs.
#[test]
fn loom_a_scrape_reads_an_exemplar_whole() {
    let whole = |exemplar: &(String, f64)| {
        EXEMPLARS.iter().any(|&(labels, value)| (labels, value) == (exemplar.0.as_str(), exemplar.1))
    };
    ::loom::model(move || {
        let series: Arc<WithExemplars> = Arc::new((IntCounter::new(Shape::default()), Some(ExemplarTable::default())));
        let recorders =
            [(1, &[("trace_id", "a")][..]), (2, &[("trace_id", "bb"), ("span_id", "c")][..])].map(|(value, labels)| {
                let series = Arc::clone(&series);
                thread::spawn(move || {
                    assert!(ExemplarSeries::new(&series.0, &series.1).inc_by_with_exemplar(value, labels))
                })
            });
        if let Some(seen) = exemplar(&series) {
            assert!(whole(&seen), "a torn exemplar: {seen:?}");
        }
        for recorder in recorders {
            recorder.join().unwrap();
        }
        let last = exemplar(&series).expect("an exemplar");
        assert!(whole(&last), "a torn exemplar: {last:?}");
        assert_eq!(series.0.get(), 3);
    });
}
