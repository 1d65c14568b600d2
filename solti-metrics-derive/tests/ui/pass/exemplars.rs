//! `#[metric(exemplars)]` on every kind that takes them, with and without labels, beside
//! `init`, `max_series` and a type alias; each recorder returns a series that records
//! exemplars and still has its plain methods.

use solti_metrics::{
    Counter, CounterVec, Format, Histogram, HistogramVec, IntCounter, IntCounterVec, LabelValue, MetricsSet, Registry,
};

#[derive(Clone, Copy, LabelValue)]
enum Queue {
    Fast,
    Bulk,
}

type Jobs = IntCounterVec;

#[derive(MetricsSet)]
#[metrics(namespace = "t")]
struct Traced {
    /// A.
    #[metric(exemplars)]
    counter_total: Counter,
    /// B.
    #[metric(exemplars)]
    int_counter_total: IntCounter,
    /// C.
    #[metric(exemplars, buckets(1, 2))]
    histogram: Histogram,
    /// D.
    #[metric(labels(k), exemplars)]
    counter_vec_total: CounterVec,
    /// E.
    #[metric(labels(queue: Queue), init, exemplars)]
    int_counter_vec_total: IntCounterVec,
    /// F.
    #[metric(labels(k), buckets(1, 2), max_series = 10, exemplars)]
    histogram_vec: HistogramVec,
    /// G.
    #[metric(labels(k), exemplars)]
    aliased_total: Jobs,
}

pub fn main() {
    assert!(Traced::METRICS.iter().all(|metric| metric.exemplars));
    let registry = Registry::new();
    let m = Traced::register(&registry).unwrap();
    let trace = [("trace_id", "4bf92f3577b34da6")];
    assert!(m.counter_total().inc_with_exemplar(&trace));
    assert!(m.counter_total().inc_by_with_exemplar(0.5, &trace));
    m.counter_total().inc();
    assert!(m.int_counter_total().inc_by_with_exemplar(3, &trace));
    assert!(m.histogram().observe_with_exemplar(1.5, &trace));
    m.histogram().observe(0.5);
    assert!(m.counter_vec_total("a").inc_with_exemplar(&trace));
    assert!(m.int_counter_vec_total(Queue::Bulk).inc_with_exemplar(&trace));
    assert!(m.histogram_vec("a").observe_with_exemplar(3.0, &trace));
    assert!(m.aliased_total("a").inc_with_exemplar(&trace));
    assert_eq!(m.counter_total().get(), 2.5);
    assert_eq!(m.histogram().get_sample_count(), 2);
    assert_eq!(m.int_counter_vec_total(Queue::Fast).get(), 0);

    let mut body = Vec::new();
    registry.encode(&mut body, Format::OpenMetrics).unwrap();
    let text = String::from_utf8(body).unwrap();
    assert_eq!(text.matches(" # {trace_id=\"4bf92f3577b34da6\"} ").count(), 7, "{text}");
    assert!(text.contains("t_int_counter_vec_total{queue=\"fast\"} 0\n"), "{text}");
}
