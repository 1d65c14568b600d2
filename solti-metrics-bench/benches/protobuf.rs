//! The protobuf exposition: ours, written straight from the series, against `prometheus`
//! 0.14's `gather` and `ProtobufEncoder` on the same series (both give the same messages but
//! for our created timestamps, checked before timing), against ours through `gather` (the way
//! before our own encoder), and against our Prometheus text of the same series.
//!
//! ```text
//! taskset -c 1 cargo bench -p solti-metrics-bench --bench protobuf   # 21 rounds, a markdown table
//! cargo bench -p solti-metrics-bench --bench protobuf -- --case counters_10k --rounds 3
//! cargo bench -p solti-metrics-bench --bench protobuf -- --case counters_10k --side ours --iters 3
//! ```
//!
//! The last form scrapes one side of one case `--iters` times inside `measured_loop` and
//! nothing else, for `valgrind --tool=callgrind --toggle-collect='*measured_loop*'`: the
//! instructions of a protobuf scrape against the text one ("ours, Prometheus text").
//!
//! Cases: 10,000 and 100,000 counter series with two string labels, 1,000 histogram series of
//! 11 bounds with three observations each, as in `scrape.rs`. Each round scrapes every side
//! once after the other (the first side rotating), each into a buffer it keeps; the table gives
//! the median time per scrape and the median of the per-round ratios with the 10th and 90th
//! percentiles.

#[path = "../../tests/common/metrics_proto.rs"]
#[allow(dead_code)]
mod metrics_proto;

use std::hint::black_box;
use std::time::Instant;

use solti_metrics::prometheus::{self, Encoder as _};
use solti_metrics::{Format, HistogramVec, IntCounterVec, MetricsSet, Registry};

const ROUNDS: usize = 21;
const SHARDS: usize = 20;
const BOUNDS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(MetricsSet)]
#[metrics(namespace = "bench")]
struct Counters {
    /// Requests served.
    #[metric(labels(shard, id))]
    requests_total: IntCounterVec,
}

#[derive(MetricsSet)]
#[metrics(namespace = "bench")]
struct Histograms {
    /// Request latency.
    #[metric(labels(shard, id), buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))]
    request_duration_seconds: HistogramVec,
}

fn labels(i: usize) -> (String, String) {
    (format!("s{:02}", i % SHARDS), format!("u{:06}", i / SHARDS))
}

/// Both registries holding the same series.
fn counters(series: usize) -> (Registry, prometheus::Registry) {
    let ours = Registry::new();
    let set = Counters::register(&ours).unwrap();
    let theirs = prometheus::Registry::new();
    let vec = prometheus::IntCounterVec::new(
        prometheus::Opts::new("bench_requests_total", "Requests served."),
        &["shard", "id"],
    )
    .unwrap();
    theirs.register(Box::new(vec.clone())).unwrap();
    for i in 0..series {
        let (shard, id) = labels(i);
        let value = (i % 1_000) as u64 + 1;
        set.requests_total(&shard, &id).inc_by(value);
        vec.with_label_values(&[&shard, &id]).inc_by(value);
    }
    (ours, theirs)
}

fn histograms(series: usize) -> (Registry, prometheus::Registry) {
    let ours = Registry::new();
    let set = Histograms::register(&ours).unwrap();
    let theirs = prometheus::Registry::new();
    let opts =
        prometheus::HistogramOpts::new("bench_request_duration_seconds", "Request latency.").buckets(BOUNDS.to_vec());
    let vec = prometheus::HistogramVec::new(opts, &["shard", "id"]).unwrap();
    theirs.register(Box::new(vec.clone())).unwrap();
    for i in 0..series {
        let (shard, id) = labels(i);
        for value in [0.003, 0.3 + (i % 7) as f64, 20.0] {
            set.request_duration_seconds(&shard, &id).observe(value);
            vec.with_label_values(&[&shard, &id]).observe(value);
        }
    }
    (ours, theirs)
}

type Side = Box<dyn FnMut() -> usize>;

/// Builds both registries with a number of series.
type Build = fn(usize) -> (Registry, prometheus::Registry);

fn sides(ours: Registry, theirs: prometheus::Registry) -> Vec<(&'static str, Side)> {
    let (gathered, text) = (ours.clone(), ours.clone());
    let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    vec![
        (
            "ours",
            Box::new(move || {
                a.clear();
                ours.encode(&mut a, Format::Protobuf).unwrap();
                a.len()
            }),
        ),
        (
            "ours through gather",
            Box::new(move || {
                b.clear();
                prometheus::ProtobufEncoder::new().encode(&gathered.gather(), &mut b).unwrap();
                b.len()
            }),
        ),
        (
            "prometheus",
            Box::new(move || {
                c.clear();
                prometheus::ProtobufEncoder::new().encode(&theirs.gather(), &mut c).unwrap();
                c.len()
            }),
        ),
        (
            "ours, Prometheus text",
            Box::new(move || {
                d.clear();
                text.encode(&mut d, Format::Prometheus).unwrap();
                d.len()
            }),
        ),
    ]
}

/// The loop one side runs under callgrind.
#[inline(never)]
fn measured_loop(iters: u64, side: &mut Side) -> usize {
    let mut bytes = 0;
    for _ in 0..iters {
        bytes = black_box(side());
    }
    bytes
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| args.iter().position(|arg| arg == name).and_then(|i| args.get(i + 1)).cloned();
    let only = option("--case");
    let rounds = option("--rounds").and_then(|rounds| rounds.parse().ok()).unwrap_or(ROUNDS);
    println!("| case | side | time per scrape, median | ratio to ours, median [p10 .. p90] |");
    println!("|---|---|---:|---:|");
    let cases: [(&str, Build, usize); 3] = [
        ("counters_10k", counters, 10_000),
        ("counters_100k", counters, 100_000),
        ("histograms_1k", histograms, 1_000),
    ];
    for (name, build, series) in cases {
        if only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        let (ours, theirs) = build(series);
        // The same messages on every side, but for our created timestamps.
        let (mut mine, mut expected) = (Vec::new(), Vec::new());
        ours.encode(&mut mine, Format::Protobuf).unwrap();
        prometheus::ProtobufEncoder::new().encode(&theirs.gather(), &mut expected).unwrap();
        let mut decoded = metrics_proto::decode(&mine);
        assert!(!metrics_proto::take_created(&mut decoded).is_empty());
        let stripped: Vec<u8> = decoded.iter().flat_map(prost::Message::encode_length_delimited_to_vec).collect();
        assert!(stripped == expected, "{name}: our protobuf differs from prometheus'");
        let mut sides = sides(ours, theirs);
        if let Some(only) = option("--side") {
            let iters = option("--iters").and_then(|iters| iters.parse().ok()).unwrap_or(3);
            let (_, side) = sides.iter_mut().find(|(label, _)| *label == only).expect("a side of the case");
            measured_loop(iters, side);
            return;
        }
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
        for round in 0..rounds {
            for k in 0..sides.len() {
                let side = (round + k) % sides.len();
                let start = Instant::now();
                black_box((sides[side].1)());
                times[side].push(start.elapsed().as_secs_f64());
            }
        }
        for (side, (label, _)) in sides.iter().enumerate() {
            let mut ratios: Vec<f64> = times[side].iter().zip(&times[0]).map(|(t, o)| t / o).collect();
            ratios.sort_by(f64::total_cmp);
            let mut own = times[side].clone();
            own.sort_by(f64::total_cmp);
            println!(
                "| `{name}` | {label} | {:.2} ms | {:.2}x [{:.2} .. {:.2}] |",
                percentile(&own, 0.5) * 1e3,
                percentile(&ratios, 0.5),
                percentile(&ratios, 0.1),
                percentile(&ratios, 0.9),
            );
        }
    }
}
