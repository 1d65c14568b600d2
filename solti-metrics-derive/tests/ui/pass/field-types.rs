//! All ten field types, each recorded through its generated method and read back from the
//! exposition.

use solti_metrics::prometheus::{Registry, TextEncoder};
use solti_metrics::{
    Counter, CounterVec, Gauge, GaugeVec, Histogram, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    MetricKind, MetricsSet,
};

#[derive(MetricsSet)]
#[metrics(namespace = "t")]
struct AllTypes {
    /// A.
    counter_total: Counter,
    /// B.
    int_counter_total: IntCounter,
    /// C.
    gauge: Gauge,
    /// D.
    int_gauge: IntGauge,
    /// E.
    #[metric(buckets(1, 2))]
    histogram: Histogram,
    /// F.
    #[metric(labels(k))]
    counter_vec_total: CounterVec,
    /// G.
    #[metric(labels(k))]
    int_counter_vec_total: IntCounterVec,
    /// H.
    #[metric(labels(k))]
    gauge_vec: GaugeVec,
    /// I.
    #[metric(labels(k))]
    int_gauge_vec: IntGaugeVec,
    /// J.
    #[metric(labels(k), buckets(1, 2))]
    histogram_vec: HistogramVec,
}

pub fn main() {
    use MetricKind::{Counter as C, Gauge as G, Histogram as H};
    let kinds: Vec<MetricKind> = AllTypes::METRICS.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [C, C, G, G, H, C, C, G, G, H]);

    let registry = Registry::new();
    let m = AllTypes::register(&registry).unwrap();
    m.counter_total().inc_by(1.5);
    m.int_counter_total().inc();
    m.gauge().set(-2.5);
    m.int_gauge().set(7);
    m.histogram().observe(1.5);
    m.counter_vec_total("x").inc_by(0.5);
    m.int_counter_vec_total("x").inc_by(2);
    m.gauge_vec("x").set(3.5);
    m.int_gauge_vec("x").dec();
    m.histogram_vec("x").observe(0.5);

    let text = TextEncoder::new().encode_to_string(&registry.gather()).unwrap();
    for line in [
        "t_counter_total 1.5\n",
        "t_int_counter_total 1\n",
        "t_gauge -2.5\n",
        "t_int_gauge 7\n",
        "t_histogram_bucket{le=\"2\"} 1\n",
        "t_counter_vec_total{k=\"x\"} 0.5\n",
        "t_int_counter_vec_total{k=\"x\"} 2\n",
        "t_gauge_vec{k=\"x\"} 3.5\n",
        "t_int_gauge_vec{k=\"x\"} -1\n",
        "t_histogram_vec_bucket{k=\"x\",le=\"1\"} 1\n",
        "# TYPE t_histogram_vec histogram\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}
