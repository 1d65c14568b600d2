//! The protobuf exposition (`Format::Protobuf`), decoded with `prost` from the messages of
//! Prometheus' client model: every kind, exemplars (on a counter, on buckets, on `+Inf`), units,
//! the registry's prefix and constant labels, label values of any bytes and length, and
//! families long enough that their lengths take several bytes. The byte-for-byte comparison
//! with `prometheus`' `ProtobufEncoder` is in `encoder_differential.rs`.

mod common;

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use common::metrics_proto::{self as proto, decode, labels};
use solti_metrics::{Format, Histogram, HistogramVec, Info, IntCounterVec, IntGauge, LabelValue, MetricsSet, Registry};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Outcome {
    Ok,
    Failed,
}

#[derive(MetricsSet)]
#[metrics(namespace = "pb")]
struct Checkout {
    /// Orders placed.
    #[metric(labels(shop), exemplars)]
    orders_total: IntCounterVec,
    /// Time to place an order.
    #[metric(labels(outcome: Outcome), buckets(0.1, 1.0), exemplars, unit = "seconds")]
    order_duration_seconds: HistogramVec,
    /// The build.
    #[metric(labels(version))]
    build_info: Info,
    /// Orders waiting.
    queue_depth: IntGauge,
    /// Order sizes.
    #[metric(buckets = linear(1.0, 1.0, 40))]
    order_size_bytes: Histogram,
}

fn protobuf(registry: &Registry) -> Vec<proto::MetricFamily> {
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Protobuf).unwrap();
    decode(&body)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn exemplar_ms(exemplar: &proto::Exemplar) -> i64 {
    let timestamp = exemplar.timestamp.as_ref().expect("an exemplar's timestamp");
    assert_eq!(timestamp.nanos % 1_000_000, 0, "whole milliseconds");
    timestamp.seconds * 1000 + i64::from(timestamp.nanos / 1_000_000)
}

#[test]
fn every_kind_decodes_to_what_was_recorded() {
    let registry =
        Registry::new_custom(Some("app".to_owned()), Some(HashMap::from([("region".to_owned(), "e\"u".to_owned())])))
            .unwrap();
    let checkout = Checkout::register(&registry).unwrap();
    let before = now_ms();
    let trace = "4bf92f\"3577\\b34\nda6";
    assert!(checkout.orders_total("eu").inc_with_exemplar(&[("trace_id", trace), ("span", "7")]));
    checkout.orders_total("us").inc_by(3);
    checkout.order_duration_seconds(Outcome::Ok).observe(0.05);
    assert!(checkout.order_duration_seconds(Outcome::Ok).observe_with_exemplar(0.5, &[("trace_id", "b")]));
    assert!(checkout.order_duration_seconds(Outcome::Ok).observe_with_exemplar(7.0, &[("trace_id", "inf")]));
    checkout.order_duration_seconds(Outcome::Failed).observe(2.0);
    checkout.build_info("1.4.2");
    checkout.queue_depth().set(-3);
    for size in 0..100 {
        checkout.order_size_bytes().observe(f64::from(size) / 2.0);
    }
    let after = now_ms();

    let families = protobuf(&registry);
    let names: Vec<&str> = families.iter().map(|family| family.name.as_deref().unwrap()).collect();
    assert_eq!(
        names,
        [
            "app_pb_build_info",
            "app_pb_order_duration_seconds",
            "app_pb_order_size_bytes",
            "app_pb_orders_total",
            "app_pb_queue_depth"
        ]
    );
    let family = |name: &str| families.iter().find(|family| family.name.as_deref() == Some(name)).unwrap();

    // An info metric is the gauge 1.
    let info = family("app_pb_build_info");
    assert_eq!(
        (info.r#type, info.help.as_deref(), info.unit.as_deref()),
        (Some(proto::GAUGE), Some("The build."), None)
    );
    assert_eq!(labels(&info.metric[0]), [("version", "1.4.2"), ("region", "e\"u")]);
    assert_eq!(info.metric[0].gauge.as_ref().unwrap().value, Some(1.0));

    // A histogram with a unit, exemplars on a bucket and on `+Inf` (written for it alone).
    let duration = family("app_pb_order_duration_seconds");
    assert_eq!((duration.r#type, duration.unit.as_deref()), (Some(proto::HISTOGRAM), Some("seconds")));
    // Series sorted by their label values: `failed` before `ok`.
    let ok = &duration.metric[1];
    assert_eq!(labels(ok), [("outcome", "ok"), ("region", "e\"u")]);
    let histogram = ok.histogram.as_ref().unwrap();
    assert_eq!((histogram.sample_count, histogram.sample_sum), (Some(3), Some(7.55)));
    let buckets: Vec<(Option<f64>, Option<u64>)> =
        histogram.bucket.iter().map(|bucket| (bucket.upper_bound, bucket.cumulative_count)).collect();
    assert_eq!(buckets, [(Some(0.1), Some(1)), (Some(1.0), Some(2)), (Some(f64::INFINITY), Some(3))]);
    assert!(histogram.bucket[0].exemplar.is_none());
    let exemplar = histogram.bucket[1].exemplar.as_ref().unwrap();
    assert_eq!((labels_of(exemplar), exemplar.value), (vec![("trace_id", "b")], Some(0.5)));
    let infinite = histogram.bucket[2].exemplar.as_ref().unwrap();
    assert_eq!((labels_of(infinite), infinite.value), (vec![("trace_id", "inf")], Some(7.0)));
    assert!((before..=after).contains(&exemplar_ms(infinite)));
    let failed = duration.metric[0].histogram.as_ref().unwrap();
    assert_eq!(failed.bucket.len(), 2, "no +Inf bucket without an exemplar there");
    assert_eq!((failed.sample_count, failed.bucket[1].cumulative_count), (Some(1), Some(0)));
    assert!(failed.schema.is_none() && failed.positive_span.is_empty(), "a classic histogram only");

    // 40 buckets: a histogram message of over 128 bytes, its length two bytes.
    let sizes = family("app_pb_order_size_bytes").metric[0].histogram.as_ref().unwrap();
    assert_eq!(sizes.bucket.len(), 40);
    assert_eq!((sizes.sample_count, sizes.sample_sum), (Some(100), Some(2475.0)));
    for (i, bucket) in sizes.bucket.iter().enumerate() {
        let bound = i as f64 + 1.0;
        assert_eq!(bucket.upper_bound, Some(bound));
        assert_eq!(bucket.cumulative_count, Some(((bound * 2.0) as u64 + 1).min(100)), "le={bound}");
    }

    // Counters: the exemplar's labels come back unescaped, in the order given.
    let orders = family("app_pb_orders_total");
    assert_eq!((orders.r#type, orders.help.as_deref()), (Some(proto::COUNTER), Some("Orders placed.")));
    assert_eq!(labels(&orders.metric[0]), [("shop", "eu"), ("region", "e\"u")]);
    let eu = orders.metric[0].counter.as_ref().unwrap();
    assert_eq!(eu.value, Some(1.0));
    let exemplar = eu.exemplar.as_ref().unwrap();
    assert_eq!(labels_of(exemplar), [("trace_id", trace), ("span", "7")]);
    assert_eq!(exemplar.value, Some(1.0));
    assert!((before..=after).contains(&exemplar_ms(exemplar)));
    let us = orders.metric[1].counter.as_ref().unwrap();
    assert_eq!((us.value, us.exemplar.as_ref()), (Some(3.0), None));

    let depth = family("app_pb_queue_depth");
    assert_eq!(labels(&depth.metric[0]), [("region", "e\"u")]);
    assert_eq!(depth.metric[0].gauge.as_ref().unwrap().value, Some(-3.0));
}

fn labels_of(exemplar: &proto::Exemplar) -> Vec<(&str, &str)> {
    exemplar.label.iter().map(|pair| (pair.name.as_deref().unwrap(), pair.value.as_deref().unwrap())).collect()
}

#[derive(MetricsSet)]
struct Wide {
    /// Keys seen.
    #[metric(labels(key))]
    keys_total: IntCounterVec,
}

/// A label value of 1 MiB (a length of three bytes), every byte a text format escapes, an
/// empty value, and 20,000 series (a family of over 2 MiB): all come back as recorded.
#[test]
fn long_values_and_long_families_keep_their_lengths() {
    let registry = Registry::new();
    let wide = Wide::register(&registry).unwrap();
    let long = "x\"\\\n".repeat(256 * 1024);
    let values: Vec<String> =
        (0..20_000).map(|i| format!("k{i:05}")).chain([String::new(), long.clone(), "日本語".to_owned()]).collect();
    for (i, value) in values.iter().enumerate() {
        wide.keys_total(value).inc_by(i as u64 + 1);
    }
    let families = protobuf(&registry);
    assert_eq!(families.len(), 1);
    let metrics = &families[0].metric;
    assert_eq!(metrics.len(), values.len());
    let decoded: HashMap<&str, f64> =
        metrics.iter().map(|metric| (labels(metric)[0].1, metric.counter.as_ref().unwrap().value.unwrap())).collect();
    for (i, value) in values.iter().enumerate() {
        assert_eq!(decoded.get(value.as_str()), Some(&(i as f64 + 1.0)), "value of {} bytes", value.len());
    }
    assert!(decoded.contains_key(long.as_str()));
}

/// Nothing registered, or only families without series: an empty body, as `prometheus`'
/// `ProtobufEncoder` writes for no families.
#[test]
fn no_series_no_bytes() {
    assert!(protobuf(&Registry::new()).is_empty());
    let registry = Registry::new();
    Wide::register(&registry).unwrap();
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Protobuf).unwrap();
    assert!(body.is_empty());
}

/// Native buckets (declared here in the catalog entry, as the derive writes it): the classic
/// part in every format, the native part in protobuf, spans and deltas as Prometheus reads
/// them, the resolution halved past `max_buckets`.
mod native {
    use super::*;
    use solti_metrics::{Family, MetricDesc, MetricKind, Native, Registrar, SetCollector, series};

    static BOTH: MetricDesc = MetricDesc {
        name: "latency_seconds",
        help: "Latency.",
        kind: MetricKind::Histogram,
        labels: &[],
        buckets: &[0.1, 1.0],
        max_series: None,
        init: false,
        removable: false,
        expire_after: None,
        unit: None,
        exemplars: false,
        native: Some(Native { schema: 0, max_buckets: 160, zero_threshold: 0.001 }),
        field: "latency_seconds",
    };

    /// Expands spans and deltas into (key, count), as Prometheus does.
    fn buckets(spans: &[proto::BucketSpan], deltas: &[i64]) -> Vec<(i32, i64)> {
        let (mut key, mut count, mut deltas) = (0, 0, deltas.iter());
        let mut buckets = Vec::new();
        for (i, span) in spans.iter().enumerate() {
            key += span.offset.unwrap();
            if i > 0 || span.length.unwrap() > 0 {
                for _ in 0..span.length.unwrap() {
                    count += deltas.next().unwrap();
                    buckets.push((key, count));
                    key += 1;
                }
            }
        }
        assert!(deltas.next().is_none(), "as many deltas as the spans' lengths");
        buckets.retain(|&(_, count)| count != 0);
        buckets
    }

    #[test]
    fn both_kinds_of_buckets() {
        let registry = Registry::new();
        let family = Family::<series::Histogram, false>::new::<()>(&BOTH).unwrap();
        registry.add_set("native", SetCollector::new([SetCollector::part(&family)])).unwrap();
        for value in [0.0005, -0.0002, 0.3, 0.3, 0.9, 1.5, 3.0, 3.5, 100.0, -5.0] {
            family.observe(value);
        }
        let families = protobuf(&registry);
        let histogram = families[0].metric[0].histogram.as_ref().unwrap();
        assert_eq!(histogram.sample_count, Some(10));
        assert_eq!(histogram.bucket.len(), 2, "the classic buckets too");
        assert_eq!((histogram.schema, histogram.zero_threshold, histogram.zero_count), (Some(0), Some(0.001), Some(2)));
        // Schema 0: bucket k holds (2^(k-1), 2^k].
        assert_eq!(
            buckets(&histogram.positive_span, &histogram.positive_delta),
            [(-1, 2), (0, 1), (1, 1), (2, 2), (7, 1)]
        );
        assert_eq!(buckets(&histogram.negative_span, &histogram.negative_delta), [(3, 1)]);
    }

    static ONLY: MetricDesc = MetricDesc {
        name: "only_seconds",
        buckets: &[],
        native: Some(Native { schema: 3, max_buckets: 160, zero_threshold: 1e-9 }),
        field: "only_seconds",
        ..BOTH
    };

    fn both_and_only(registry: &Registry) -> (Family<series::Histogram, false>, Family<series::Histogram, false>) {
        let both = Family::<series::Histogram, false>::new::<()>(&BOTH).unwrap();
        let only = Family::<series::Histogram, false>::new::<()>(&ONLY).unwrap();
        let parts = [SetCollector::part(&both), SetCollector::part(&only)];
        registry.add_set("native", SetCollector::new(parts)).unwrap();
        (both, only)
    }

    /// Native buckets alone: no classic bucket but `+Inf`; `NaN` counts in the count and no
    /// bucket; the text formats show the count.
    #[test]
    fn native_buckets_alone() {
        let registry = Registry::new();
        let (_, only) = both_and_only(&registry);
        for value in [0.5, 2.0, f64::NAN, 0.0] {
            only.observe(value);
        }
        assert_eq!(only.get_sample_count(), 4);
        let families = protobuf(&registry);
        let histogram = families[1].metric[0].histogram.as_ref().unwrap();
        assert_eq!(families[1].name.as_deref(), Some("only_seconds"));
        assert!(histogram.bucket.is_empty(), "no classic buckets");
        assert_eq!((histogram.sample_count, histogram.zero_count, histogram.schema), (Some(4), Some(1), Some(3)));
        assert_eq!(buckets(&histogram.positive_span, &histogram.positive_delta), [(-8, 1), (8, 1)]);
        let mut text = Vec::new();
        registry.encode(&mut text, Format::Prometheus).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains("only_seconds_bucket{le=\"+Inf\"} 4\nonly_seconds_sum NaN\nonly_seconds_count 4\n"),
            "{text}"
        );
    }

    /// Scraped while threads observe: every exposition's count covers what its native buckets
    /// hold, as Prometheus requires of a native histogram.
    #[test]
    fn the_count_covers_the_buckets_while_observing() {
        let registry = Registry::new();
        let (both, only) = both_and_only(&registry);
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            for thread in 0..2 {
                let (both, only, done) = (&both, &only, &done);
                scope.spawn(move || {
                    let mut i = 0u32;
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        let value = f64::from(i % 1000 + thread) * 0.013;
                        both.observe(value);
                        only.observe(-value);
                        i += 1;
                    }
                });
            }
            for _ in 0..200 {
                for family in protobuf(&registry) {
                    let histogram = family.metric[0].histogram.as_ref().unwrap();
                    let expanded = buckets(&histogram.positive_span, &histogram.positive_delta)
                        .into_iter()
                        .chain(buckets(&histogram.negative_span, &histogram.negative_delta))
                        .map(|(_, count)| count as u64)
                        .sum::<u64>();
                    let in_buckets = expanded + histogram.zero_count.unwrap();
                    assert!(histogram.sample_count.unwrap() >= in_buckets, "{:?}: {histogram:?}", family.name);
                }
            }
            done.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    }
}
