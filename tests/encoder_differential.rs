//! Differential test of the Prometheus text encoder: random records into derived sets of every
//! metric type and label type, mirrored into the same metrics written by hand against
//! `prometheus` 0.14. `solti_metrics::Registry::encode` must write exactly what
//! `prometheus::TextEncoder` writes for the `prometheus::Registry` of the mirror: family and
//! series order, label order and escaping (hostile values included), and every number (`inf`,
//! `NaN`, `-0`, huge and tiny values, integers past 2^53), with and without a registry prefix
//! and constant label, and with a foreign collector in both registries.

mod common;

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use solti_metrics::prometheus::{self, Encoder as _, HistogramOpts, Opts, TextEncoder};
use solti_metrics::{
    Counter, CounterVec, Format, Gauge, GaugeVec, Histogram, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, LabelValue, MetricDesc, MetricsSet, Registry,
};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Op {
    Read,
    Write,
    #[label = "del\"e\\te"]
    Delete,
}

const OPS: [Op; 3] = [Op::Read, Op::Write, Op::Delete];

/// Every metric type, and label types of every path: enums and small integers (dense),
/// strings and wide integers (open), mixed.
#[derive(MetricsSet)]
#[metrics(namespace = "diff")]
struct Everything {
    /// Requests with "quotes" and a \ backslash.
    #[metric(labels(op: Op, path))]
    requests_total: IntCounterVec,

    /// Bytes moved.
    #[metric(labels(code: u16, ok: bool))]
    bytes_total: CounterVec,

    /// Temperature.
    #[metric(labels(zone: u64, name: String))]
    temperature_celsius: GaugeVec,

    /// Queue depth.
    #[metric(labels(shard: i32))]
    depth: IntGaugeVec,

    /// Latency.
    #[metric(labels(route, op: Op), buckets(0.001, 0.5, 1.0, 1000000.0))]
    latency_seconds: HistogramVec,

    /// Events.
    events_total: IntCounter,

    /// Load.
    load_ratio: Gauge,

    /// Workers.
    workers: IntGauge,

    /// Work done.
    work_total: Counter,

    /// Sizes.
    #[metric(buckets(1.0, 10.0, 100.0))]
    size_bytes: Histogram,
}

/// The same metrics, by hand against `prometheus`.
struct Mirror {
    requests_total: prometheus::IntCounterVec,
    bytes_total: prometheus::CounterVec,
    temperature_celsius: prometheus::GaugeVec,
    depth: prometheus::IntGaugeVec,
    latency_seconds: prometheus::HistogramVec,
    events_total: prometheus::IntCounter,
    load_ratio: prometheus::Gauge,
    workers: prometheus::IntGauge,
    work_total: prometheus::Counter,
    size_bytes: prometheus::Histogram,
}

fn desc(field: &str) -> &'static MetricDesc {
    Everything::METRICS.iter().find(|desc| desc.field == field).expect("a field of `Everything`")
}

fn opts(field: &str) -> Opts {
    let desc = desc(field);
    Opts::new(desc.name, desc.help)
}

fn histogram_opts(field: &str) -> HistogramOpts {
    HistogramOpts { common_opts: opts(field), buckets: desc(field).buckets.to_vec() }
}

fn labels(field: &str) -> &'static [&'static str] {
    desc(field).labels
}

impl Mirror {
    fn register(registry: &prometheus::Registry) -> prometheus::Result<Self> {
        let mirror = Self {
            requests_total: prometheus::IntCounterVec::new(opts("requests_total"), labels("requests_total"))?,
            bytes_total: prometheus::CounterVec::new(opts("bytes_total"), labels("bytes_total"))?,
            temperature_celsius: prometheus::GaugeVec::new(opts("temperature_celsius"), labels("temperature_celsius"))?,
            depth: prometheus::IntGaugeVec::new(opts("depth"), labels("depth"))?,
            latency_seconds: prometheus::HistogramVec::new(
                histogram_opts("latency_seconds"),
                labels("latency_seconds"),
            )?,
            events_total: prometheus::IntCounter::with_opts(opts("events_total"))?,
            load_ratio: prometheus::Gauge::with_opts(opts("load_ratio"))?,
            workers: prometheus::IntGauge::with_opts(opts("workers"))?,
            work_total: prometheus::Counter::with_opts(opts("work_total"))?,
            size_bytes: prometheus::Histogram::with_opts(histogram_opts("size_bytes"))?,
        };
        registry.register(Box::new(mirror.requests_total.clone()))?;
        registry.register(Box::new(mirror.bytes_total.clone()))?;
        registry.register(Box::new(mirror.temperature_celsius.clone()))?;
        registry.register(Box::new(mirror.depth.clone()))?;
        registry.register(Box::new(mirror.latency_seconds.clone()))?;
        registry.register(Box::new(mirror.events_total.clone()))?;
        registry.register(Box::new(mirror.load_ratio.clone()))?;
        registry.register(Box::new(mirror.workers.clone()))?;
        registry.register(Box::new(mirror.work_total.clone()))?;
        registry.register(Box::new(mirror.size_bytes.clone()))?;
        Ok(mirror)
    }
}

#[derive(Debug, Clone)]
enum Record {
    Requests(usize, String, u64),
    Bytes(u16, bool, f64),
    Temperature(u64, String, f64),
    Depth(i32, i64),
    Latency(String, usize, f64),
    Events(u64),
    Load(f64),
    Workers(i64),
    Work(f64),
    Size(f64),
}

/// Label values that need escaping, look like exposition syntax, or are not ASCII.
fn label_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("\n".to_owned()),
        Just("a\"b\\c\nd".to_owned()),
        Just("} 1\n# HELP x y".to_owned()),
        Just("le=\"+Inf\",".to_owned()),
        Just("日本語 é".to_owned()),
        "[a-c]{1,3}",
        "\\PC{0,12}",
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        Just(1e300),
        Just(1e-300),
        Just(0.1),
        Just(1e15),
        Just(1e16),
        Just(9007199254740993.0),
        -1e6f64..1e6,
        any::<f64>(),
    ]
}

fn increment() -> impl Strategy<Value = f64> {
    // `prometheus::Counter::inc_by` panics on negative values in debug builds: the mirror gets
    // only what it accepts (ours ignores the rest, tested in `reliability.rs`).
    prop_oneof![Just(0.0), Just(1.0), Just(0.1), Just(1e300), Just(f64::INFINITY), 0.0f64..1e9]
}

fn record() -> impl Strategy<Value = Record> {
    prop_oneof![
        (0..OPS.len(), label_string(), prop_oneof![Just(1u64), Just(1 << 60), any::<u32>().prop_map(u64::from)])
            .prop_map(|(op, path, n)| Record::Requests(op, path, n)),
        (prop_oneof![Just(200u16), Just(404), Just(9), Just(10), any::<u16>()], any::<bool>(), increment())
            .prop_map(|(code, ok, v)| Record::Bytes(code, ok, v)),
        (prop_oneof![Just(0u64), Just(u64::MAX), 0u64..20], label_string(), float())
            .prop_map(|(zone, name, v)| Record::Temperature(zone, name, v)),
        (prop_oneof![Just(i32::MIN), Just(-1), Just(0), Just(10), Just(9), any::<i32>()], any::<i64>())
            .prop_map(|(shard, v)| Record::Depth(shard, v)),
        (label_string(), 0..OPS.len(), float()).prop_map(|(route, op, v)| Record::Latency(route, op, v)),
        any::<u32>().prop_map(|n| Record::Events(u64::from(n))),
        float().prop_map(Record::Load),
        any::<i64>().prop_map(Record::Workers),
        increment().prop_map(Record::Work),
        float().prop_map(Record::Size),
    ]
}

fn apply(ours: &Everything, mirror: &Mirror, record: &Record) {
    match record {
        Record::Requests(op, path, n) => {
            let op = OPS[*op];
            ours.requests_total(op, path).inc_by(*n);
            mirror.requests_total.with_label_values(&[op.label().as_str(), path]).inc_by(*n);
        }
        Record::Bytes(code, ok, v) => {
            ours.bytes_total(*code, *ok).inc_by(*v);
            mirror.bytes_total.with_label_values(&[&code.to_string(), &ok.to_string()]).inc_by(*v);
        }
        Record::Temperature(zone, name, v) => {
            ours.temperature_celsius(*zone, name.clone()).set(*v);
            mirror.temperature_celsius.with_label_values(&[&zone.to_string(), name]).set(*v);
        }
        Record::Depth(shard, v) => {
            ours.depth(*shard).add(*v);
            mirror.depth.with_label_values(&[&shard.to_string()]).add(*v);
        }
        Record::Latency(route, op, v) => {
            let op = OPS[*op];
            ours.latency_seconds(route, op).observe(*v);
            mirror.latency_seconds.with_label_values(&[route, op.label().as_str()]).observe(*v);
        }
        Record::Events(n) => {
            ours.events_total.inc_by(*n);
            mirror.events_total.inc_by(*n);
        }
        Record::Load(v) => {
            ours.load_ratio.set(*v);
            mirror.load_ratio.set(*v);
        }
        Record::Workers(v) => {
            ours.workers.add(*v);
            mirror.workers.add(*v);
        }
        Record::Work(v) => {
            ours.work_total.inc_by(*v);
            mirror.work_total.inc_by(*v);
        }
        Record::Size(v) => {
            ours.size_bytes.observe(*v);
            mirror.size_bytes.observe(*v);
        }
    }
}

/// `prometheus` 0.14 finds a series by a hash of its label values' bytes, one after the
/// other, so `("ab", "c")` and `("a", "bc")` share a series there (ours keeps them apart, as
/// `reliability.rs` tests). The mirror can only agree on tuples that it tells apart.
fn mirror_tells_apart(records: &[Record]) -> bool {
    let mut seen: HashMap<(u8, String), Vec<String>> = HashMap::new();
    let mut check = |metric: u8, values: Vec<String>| {
        let joined = values.concat();
        seen.entry((metric, joined)).or_insert_with(|| values.clone()) == &values
    };
    records.iter().all(|record| match record {
        Record::Requests(op, path, _) => check(0, vec![OPS[*op].label().as_str().to_owned(), path.clone()]),
        Record::Temperature(zone, name, _) => check(1, vec![zone.to_string(), name.clone()]),
        Record::Latency(route, op, _) => check(2, vec![route.clone(), OPS[*op].label().as_str().to_owned()]),
        Record::Bytes(code, ok, _) => check(3, vec![code.to_string(), ok.to_string()]),
        _ => true,
    })
}

/// A family of a foreign collector, in both registries.
fn foreign_collector() -> prometheus::IntGaugeVec {
    let gauge = prometheus::IntGaugeVec::new(Opts::new("diff_foreign", "From elsewhere."), &["kind"]).unwrap();
    gauge.with_label_values(&["b"]).set(2);
    gauge.with_label_values(&["a"]).set(-1);
    gauge
}

/// A registry's prefix and constant labels, as `new_custom` takes them; `None` for `new`.
type Custom = Option<(Option<String>, Option<HashMap<String, String>>)>;

fn registries(custom: Custom) -> (Registry, prometheus::Registry) {
    match custom {
        None => (Registry::new(), prometheus::Registry::new()),
        Some((prefix, labels)) => (
            Registry::new_custom(prefix.clone(), labels.clone()).unwrap(),
            prometheus::Registry::new_custom(prefix, labels).unwrap(),
        ),
    }
}

fn custom() -> impl Strategy<Value = Custom> {
    // At most one constant label: `prometheus` writes several in `HashMap` order.
    let labels =
        prop_oneof![Just(None), label_string().prop_map(|value| Some(HashMap::from([("region".to_owned(), value)])))];
    prop_oneof![Just(None), (prop_oneof![Just(None), Just(Some("app".to_owned()))], labels).prop_map(Some)]
}

fn unix_seconds() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn ours_text(registry: &Registry) -> String {
    let mut body = Vec::new();
    registry.encode(&mut body, Format::Prometheus).unwrap();
    String::from_utf8(body).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 320, ..ProptestConfig::default() })]

    #[test]
    fn encoder_writes_what_text_encoder_writes(
        records in prop::collection::vec(record(), 0..80),
        custom in custom(),
        with_foreign in any::<bool>(),
    ) {
        prop_assume!(mirror_tells_apart(&records));
        let started = unix_seconds();
        let (registry, prometheus_registry) = registries(custom);
        let ours = Everything::register(&registry).unwrap();
        let mirror = Mirror::register(&prometheus_registry).unwrap();
        if with_foreign {
            registry.register_collector(Box::new(foreign_collector())).unwrap();
            prometheus_registry.register(Box::new(foreign_collector())).unwrap();
        }
        for record in &records {
            apply(&ours, &mirror, record);
        }
        let expected = TextEncoder::new().encode_to_string(&prometheus_registry.gather()).unwrap();
        prop_assert_eq!(ours_text(&registry), expected.clone());

        // `gather` hands the same families to the `TextEncoder` (and the `ProtobufEncoder`).
        let gathered = TextEncoder::new().encode_to_string(&registry.gather()).unwrap();
        prop_assert_eq!(gathered, expected);

        // The protobuf format, written straight from the series, is what the `ProtobufEncoder`
        // writes for `prometheus`' families, plus a created timestamp on each of our counters
        // and histograms (which `prometheus` does not write).
        let mut expected = Vec::new();
        prometheus::ProtobufEncoder::new().encode(&prometheus_registry.gather(), &mut expected).unwrap();
        let mut ours = Vec::new();
        registry.encode(&mut ours, Format::Protobuf).unwrap();
        let mut decoded = common::metrics_proto::decode(&ours);
        // Our bytes are canonical: what prost writes for the messages they decode to.
        let again: Vec<u8> = decoded.iter().flat_map(prost::Message::encode_length_delimited_to_vec).collect();
        prop_assert!(again == ours, "not in canonical form: {} bytes against {}", ours.len(), again.len());
        let created = common::metrics_proto::take_created(&mut decoded);
        let ended = unix_seconds();
        for (family, seconds) in &created {
            prop_assert!((started..=ended).contains(seconds), "{family} created at {seconds}, not in {started}..={ended}");
        }
        let with_created = decoded
            .iter()
            .filter(|family| !family.name.as_deref().unwrap_or("").ends_with("diff_foreign"))
            .flat_map(|family| &family.metric)
            .filter(|metric| metric.counter.is_some() || metric.histogram.is_some())
            .count();
        prop_assert_eq!(created.len(), with_created);
        // Without them, encoded again (prost writes fields in field order, as both writers do):
        // byte for byte what the `ProtobufEncoder` wrote.
        let stripped: Vec<u8> = decoded.iter().flat_map(prost::Message::encode_length_delimited_to_vec).collect();
        prop_assert!(stripped == expected, "protobuf differs: {} bytes against {}", stripped.len(), expected.len());
    }
}

/// One wide case, linted by promtool: every hostile value in every label position.
#[test]
fn hostile_values_stay_well_formed() {
    let registry =
        Registry::new_custom(Some("app".to_owned()), Some(HashMap::from([("region".to_owned(), "e\"u".to_owned())])))
            .unwrap();
    let ours = Everything::register(&registry).unwrap();
    let hostile = ["", "\"", "\\", "\n", "a\"b\\c\nd", "} 1\n# HELP x y", "日本語", &"x".repeat(10_000)];
    let mut distinct = HashSet::new();
    for (i, value) in hostile.iter().enumerate() {
        ours.requests_total(OPS[i % 3], value).inc();
        ours.temperature_celsius(i as u64, (*value).to_owned()).set(i as f64);
        ours.latency_seconds(value, OPS[i % 3]).observe(i as f64);
        distinct.insert(*value);
    }
    let text = ours_text(&registry);
    common::promtool::check(&text);
    assert_eq!(text.matches("app_diff_requests_total{").count(), distinct.len());
}
