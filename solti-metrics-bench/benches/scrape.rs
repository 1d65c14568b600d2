//! Scrape: the text exposition of the same series by solti-metrics and three peers, in one run.
//!
//! A plain program (`harness = false`), in the style of `hot_path.rs`: every round runs every
//! side of every case back to back, in an order that rotates from round to round, and the
//! figures reported are medians and the spread of the per-round ratios.
//!
//! ```text
//! cargo bench -p solti-metrics-bench --bench scrape                        # 21 rounds, markdown tables on stdout
//! cargo bench -p solti-metrics-bench --bench scrape -- --rounds 31 --target-ms 100
//! cargo bench -p solti-metrics-bench --bench scrape -- --list              # case names
//! cargo bench -p solti-metrics-bench --bench scrape -- --case counters_10k --side ours --iters 10
//! ```
//!
//! Cases (every side holds the same series, with the same values, checked before timing):
//! - `counters_10k`, `counters_100k`: one counter family with two string labels (`shard`, 20
//!   values, and `id`, one per 20 series), 10,000 and 100,000 series;
//! - `histograms_1k`: one histogram family with the same two labels and 11 bounds (prometheus'
//!   default buckets), 1,000 series, three observations each.
//!
//! Sides, each writing into a buffer it keeps from scrape to scrape:
//! - **ours**: `solti_metrics::Registry::encode(&mut Vec<u8>, Format::Prometheus)`;
//! - **measured** 0.0.25: `collect_group_into` a `BufferedTextEncoder`, then `finish()` (string
//!   labels interned with `paracord`, measured's interner for labels not known in advance);
//! - **client**: prometheus-client 0.26, `encoding::text::encode` into a `String` (it writes
//!   OpenMetrics text only);
//! - **prometheus** 0.14: `Registry::gather` then `TextEncoder::encode`, the same metrics
//!   recorded through `with_label_values`.
//!
//! Peers do not sort series (measured and prometheus-client write them in hash order); ours and
//! prometheus write them sorted by label values, as Prometheus' own clients do.

use std::hint::black_box;
use std::time::{Duration, Instant};

use measured::MetricGroup;
use measured::metric::histogram::Thresholds;
use measured::text::BufferedTextEncoder;
use prometheus_client::metrics::counter::Counter as ClientCounter;
use prometheus_client::metrics::family::Family as ClientFamily;
use prometheus_client::metrics::histogram::Histogram as ClientHistogram;
use solti_metrics::prometheus::{self, Encoder as _};
use solti_metrics::{Format, HistogramVec, IntCounterVec, MetricsSet, Registry};

#[path = "common/pairs.rs"]
mod pairs;
use pairs::{ClientPair, MeasuredPair, MeasuredPairSet};

#[path = "common/options.rs"]
mod options;

// ---------------------------------------------------------------------------------------------
// The data: the same on every side.

/// prometheus' default buckets.
const BOUNDS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Observations per histogram series, spread over the buckets.
const OBSERVATIONS: [f64; 3] = [0.003, 0.07, 1.7];
const SHARDS: usize = 20;

/// The label values of series `i`: every `i` its own tuple.
fn labels(i: usize) -> (String, String) {
    (format!("s{:02}", i % SHARDS), format!("u{:06}", i / SHARDS))
}

/// The value of counter series `i`.
fn count(i: usize) -> u64 {
    (i % 1_000) as u64 + 1
}

#[derive(MetricsSet)]
#[metrics(namespace = "bench")]
struct OursCounters {
    /// Requests served.
    #[metric(labels(shard, id))]
    requests_total: IntCounterVec,
}

#[derive(MetricsSet)]
#[metrics(namespace = "bench")]
struct OursHistograms {
    /// Request latency.
    #[metric(labels(shard, id), buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))]
    request_duration_seconds: HistogramVec,
}

#[derive(MetricGroup)]
#[metric(new())]
struct MeasuredCounters {
    /// Requests served.
    bench_requests_total: measured::CounterVec<MeasuredPairSet>,
}

#[derive(MetricGroup)]
#[metric(new())]
struct MeasuredHistograms {
    /// Request latency.
    #[metric(metadata = Thresholds::with_buckets(BOUNDS))]
    bench_request_duration_seconds: measured::HistogramVec<MeasuredPairSet, 11>,
}

type ClientHistograms = ClientFamily<ClientPair, ClientHistogram, fn() -> ClientHistogram>;

/// One side of a case: a registry and the buffer it writes its exposition into.
trait Scrape {
    /// Writes one exposition into the side's own buffer, returning its length.
    fn scrape(&mut self) -> usize;

    /// One exposition, as text (for the check before timing).
    fn text(&mut self) -> String;
}

struct Sides {
    ours: Box<dyn Scrape>,
    measured: Box<dyn Scrape>,
    client: Box<dyn Scrape>,
    prometheus: Box<dyn Scrape>,
}

struct Ours {
    registry: Registry,
    out: Vec<u8>,
}

impl Scrape for Ours {
    fn scrape(&mut self) -> usize {
        self.out.clear();
        self.registry.encode(&mut self.out, Format::Prometheus).expect("our exposition");
        self.out.len()
    }

    fn text(&mut self) -> String {
        self.scrape();
        String::from_utf8(self.out.clone()).expect("UTF-8")
    }
}

fn ours_side(registry: Registry) -> Box<dyn Scrape> {
    Box::new(Ours { registry, out: Vec::new() })
}

/// measured hands out each exposition as `Bytes` split off its encoder's buffer (what a server
/// sends), and reuses the buffer once that is dropped.
struct Measured<G> {
    group: G,
    encoder: BufferedTextEncoder,
}

impl<G: MetricGroup<BufferedTextEncoder>> Scrape for Measured<G> {
    fn scrape(&mut self) -> usize {
        let _ = self.group.collect_group_into(&mut self.encoder);
        self.encoder.finish().len()
    }

    fn text(&mut self) -> String {
        let _ = self.group.collect_group_into(&mut self.encoder);
        String::from_utf8(self.encoder.finish().to_vec()).expect("UTF-8")
    }
}

fn measured_side(group: impl MetricGroup<BufferedTextEncoder> + 'static) -> Box<dyn Scrape> {
    Box::new(Measured { group, encoder: BufferedTextEncoder::new() })
}

struct Client {
    registry: prometheus_client::registry::Registry,
    out: String,
}

impl Scrape for Client {
    fn scrape(&mut self) -> usize {
        self.out.clear();
        prometheus_client::encoding::text::encode(&mut self.out, &self.registry).expect("prometheus-client exposition");
        self.out.len()
    }

    fn text(&mut self) -> String {
        self.scrape();
        self.out.clone()
    }
}

fn client_side(registry: prometheus_client::registry::Registry) -> Box<dyn Scrape> {
    Box::new(Client { registry, out: String::new() })
}

struct Prometheus {
    registry: prometheus::Registry,
    out: Vec<u8>,
}

impl Scrape for Prometheus {
    fn scrape(&mut self) -> usize {
        self.out.clear();
        prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut self.out).expect("prometheus exposition");
        self.out.len()
    }

    fn text(&mut self) -> String {
        self.scrape();
        String::from_utf8(self.out.clone()).expect("UTF-8")
    }
}

fn prometheus_side(registry: prometheus::Registry) -> Box<dyn Scrape> {
    Box::new(Prometheus { registry, out: Vec::new() })
}

fn counter_sides(series: usize) -> Sides {
    let tuples: Vec<(String, String)> = (0..series).map(labels).collect();

    let registry = Registry::new();
    let ours = OursCounters::register(&registry).expect("our set");
    let measured = MeasuredCounters::new();
    let mut client_registry = prometheus_client::registry::Registry::default();
    let client = ClientFamily::<ClientPair, ClientCounter>::default();
    client_registry.register("bench_requests", "Requests served.", client.clone());
    let prometheus_registry = prometheus::Registry::new();
    let hand = prometheus::IntCounterVec::new(
        prometheus::Opts::new("bench_requests_total", "Requests served."),
        &["shard", "id"],
    )
    .expect("prometheus family");
    prometheus_registry.register(Box::new(hand.clone())).expect("prometheus registration");

    // One side after the other, so that no side's series are spread among another's allocations.
    for (i, (shard, id)) in tuples.iter().enumerate() {
        ours.requests_total(shard, id).inc_by(count(i));
    }
    for (i, (shard, id)) in tuples.iter().enumerate() {
        measured.bench_requests_total.inc_by(MeasuredPair { shard, id }, count(i));
    }
    for (i, (shard, id)) in tuples.iter().enumerate() {
        client.get_or_create(&ClientPair { shard: shard.clone(), id: id.clone() }).inc_by(count(i));
    }
    for (i, (shard, id)) in tuples.iter().enumerate() {
        hand.with_label_values(&[shard, id]).inc_by(count(i));
    }
    Sides {
        ours: ours_side(registry),
        measured: measured_side(measured),
        client: client_side(client_registry),
        prometheus: prometheus_side(prometheus_registry),
    }
}

fn histogram_sides(series: usize) -> Sides {
    let tuples: Vec<(String, String)> = (0..series).map(labels).collect();

    let registry = Registry::new();
    let ours = OursHistograms::register(&registry).expect("our set");
    let measured = MeasuredHistograms::new();
    let mut client_registry = prometheus_client::registry::Registry::default();
    let client: ClientHistograms = ClientFamily::new_with_constructor(|| ClientHistogram::new(BOUNDS));
    client_registry.register("bench_request_duration_seconds", "Request latency.", client.clone());
    let prometheus_registry = prometheus::Registry::new();
    let hand = prometheus::HistogramVec::new(
        prometheus::HistogramOpts::new("bench_request_duration_seconds", "Request latency.").buckets(BOUNDS.to_vec()),
        &["shard", "id"],
    )
    .expect("prometheus family");
    prometheus_registry.register(Box::new(hand.clone())).expect("prometheus registration");

    let observations =
        |i: usize| OBSERVATIONS.iter().enumerate().map(move |(k, &base)| base * (1.0 + ((i + k) % 7) as f64 / 10.0));
    for (i, (shard, id)) in tuples.iter().enumerate() {
        observations(i).for_each(|value| ours.request_duration_seconds(shard, id).observe(value));
    }
    for (i, (shard, id)) in tuples.iter().enumerate() {
        observations(i)
            .for_each(|value| measured.bench_request_duration_seconds.observe(MeasuredPair { shard, id }, value));
    }
    for (i, (shard, id)) in tuples.iter().enumerate() {
        let pair = ClientPair { shard: shard.clone(), id: id.clone() };
        observations(i).for_each(|value| client.get_or_create(&pair).observe(value));
    }
    for (i, (shard, id)) in tuples.iter().enumerate() {
        observations(i).for_each(|value| hand.with_label_values(&[shard, id]).observe(value));
    }
    Sides {
        ours: ours_side(registry),
        measured: measured_side(measured),
        client: client_side(client_registry),
        prometheus: prometheus_side(prometheus_registry),
    }
}

// ---------------------------------------------------------------------------------------------
// Checking that every side exports the same samples.

/// A sample line read back: name, label pairs sorted by name, value.
type Sample = (String, Vec<(String, String)>, f64);

/// The samples of an exposition, sorted; `le` values normalised (`1` and `1.0` are one bound).
fn samples(text: &str) -> Vec<Sample> {
    let mut samples: Vec<Sample> = text
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("bad value in {line:?}"));
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => (name, labels.trim_end_matches('}')),
                None => (series, ""),
            };
            let mut pairs: Vec<(String, String)> = labels
                .split(',')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or_else(|| panic!("bad label in {line:?}"));
                    let mut value = value.trim_matches('"').to_owned();
                    if key == "le" {
                        value = value.parse::<f64>().map(|bound| bound.to_string()).unwrap_or(value);
                    }
                    (key.to_owned(), value)
                })
                .collect();
            pairs.sort();
            (name.to_owned(), pairs, value)
        })
        .collect();
    samples.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    samples
}

fn check_same_samples(name: &str, texts: [(&str, String); 4]) {
    let [(first, reference), rest @ ..] = texts;
    let reference = samples(&reference);
    assert!(!reference.is_empty(), "{name}: {first} exports nothing");
    for (side, text) in rest {
        let other = samples(&text);
        assert_eq!(other.len(), reference.len(), "{name}: {side} exports another number of samples than {first}");
        for (a, b) in reference.iter().zip(&other) {
            let close = (a.2 - b.2).abs() <= 1e-9 * a.2.abs().max(1.0);
            assert!(a.0 == b.0 && a.1 == b.1 && close, "{name}: {first} has {a:?}, {side} has {b:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cases and the harness.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Measured,
    Client,
    Prometheus,
}

const SIDES: [Side; 4] = [Side::Ours, Side::Measured, Side::Client, Side::Prometheus];

impl Side {
    fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::Measured => "measured",
            Self::Client => "client",
            Self::Prometheus => "prometheus",
        }
    }
}

struct Case {
    name: &'static str,
    what: &'static str,
    series: usize,
    sides: Sides,
}

impl Case {
    fn side(&mut self, side: Side) -> &mut dyn Scrape {
        match side {
            Side::Ours => &mut *self.sides.ours,
            Side::Measured => &mut *self.sides.measured,
            Side::Client => &mut *self.sides.client,
            Side::Prometheus => &mut *self.sides.prometheus,
        }
    }
}

/// The loop every side runs; `scripts/callgrind.sh` counts instructions inside it.
#[inline(never)]
fn measured_loop(iters: u64, side: &mut dyn Scrape) -> usize {
    let mut bytes = 0;
    for _ in 0..iters {
        bytes = black_box(side.scrape());
    }
    bytes
}

fn timed(iters: u64, side: &mut dyn Scrape) -> Duration {
    let start = Instant::now();
    measured_loop(iters, side);
    start.elapsed()
}

const CASES: [(&str, &str, usize); 3] = [
    ("counters_10k", "10,000 counter series, 2 labels", 10_000),
    ("counters_100k", "100,000 counter series, 2 labels", 100_000),
    ("histograms_1k", "1,000 histogram series, 2 labels, 11 bounds", 1_000),
];

fn build(name: &'static str) -> Case {
    let (name, what, series) =
        CASES.into_iter().find(|case| case.0 == name).unwrap_or_else(|| panic!("no case `{name}`"));
    let mut sides = if name.starts_with("histograms") { histogram_sides(series) } else { counter_sides(series) };
    let texts = [
        ("ours", sides.ours.text()),
        ("measured", sides.measured.text()),
        ("client", sides.client.text()),
        ("prometheus", sides.prometheus.text()),
    ];
    check_same_samples(name, texts);
    Case { name, what, series, sides }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// `median [p10 .. p90]` of per-round ratios.
fn spread(mut values: Vec<f64>) -> String {
    let median = median(&mut values);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    format!("{median:.2}x [{:.2} .. {:.2}]", at(0.1), at(0.9))
}

fn main() {
    let options = options::options(options::Options {
        rounds: 21,
        target_ms: 50.0,
        case: None,
        side: None,
        iters: 10,
        list: false,
    });
    if options.list {
        let sides: Vec<&str> = SIDES.iter().map(|side| side.name()).collect();
        for (name, _, _) in CASES {
            println!("{name}\tsingle\t{}", sides.join(","));
        }
        return;
    }
    let names: Vec<&'static str> = CASES
        .iter()
        .map(|case| case.0)
        .filter(|name| options.case.as_deref().is_none_or(|only| only == *name))
        .collect();
    let mut cases: Vec<Case> = names.into_iter().map(build).collect();

    if let Some(name) = &options.case {
        if let Some(side) = &options.side {
            // One side of one case, for callgrind.
            let side = *SIDES.iter().find(|s| s.name() == side).unwrap_or_else(|| panic!("no side `{side}`"));
            let case = &mut cases[0];
            let _ = case.side(side).scrape();
            let elapsed = timed(options.iters, case.side(side));
            eprintln!("{name} {}: {} scrapes in {elapsed:?}", side.name(), options.iters);
            return;
        }
    }

    // Calibrate: scrapes per side so that one measurement takes about `target_ms` (at least one).
    let target = options.target_ms / 1000.0;
    let iters: Vec<Vec<u64>> = cases
        .iter_mut()
        .map(|case| {
            SIDES
                .iter()
                .map(|&side| {
                    let once = timed(1, case.side(side)).as_secs_f64();
                    ((target / once.max(1e-9)) as u64).max(1)
                })
                .collect()
        })
        .collect();

    // Seconds per scrape, per case, per side, per round.
    let mut samples: Vec<Vec<Vec<f64>>> = cases.iter().map(|_| vec![Vec::new(); SIDES.len()]).collect();
    for round in 0..options.rounds {
        for (c, case) in cases.iter_mut().enumerate() {
            for k in 0..SIDES.len() {
                let s = (k + round) % SIDES.len();
                let elapsed = timed(iters[c][s], case.side(SIDES[s]));
                samples[c][s].push(elapsed.as_secs_f64() / iters[c][s] as f64);
            }
        }
        eprint!("\rround {}/{}", round + 1, options.rounds);
    }
    eprintln!();
    report(&cases, &samples, &options);
}

fn report(cases: &[Case], samples: &[Vec<Vec<f64>>], options: &options::Options) {
    println!(
        "{} rounds; times are medians over rounds; ratios are medians of per-round ratios, [p10 .. p90]",
        options.rounds
    );
    println!();
    println!("| case | side | ms per scrape | ns per series |");
    println!("|---|---|---:|---:|");
    for (c, case) in cases.iter().enumerate() {
        for (s, side) in SIDES.iter().enumerate() {
            let seconds = median(&mut samples[c][s].clone());
            println!(
                "| `{}` ({}) | {} | {:.2} | {:.0} |",
                case.name,
                case.what,
                side.name(),
                seconds * 1e3,
                seconds * 1e9 / case.series as f64
            );
        }
    }
    println!();
    println!("| case | ours / measured | prometheus / ours | client / ours | targets | hold |");
    println!("|---|---:|---:|---:|---|---|");
    let mut failed = Vec::new();
    for (c, case) in cases.iter().enumerate() {
        let ratios = |num: usize, den: usize| -> Vec<f64> {
            samples[c][num].iter().zip(&samples[c][den]).map(|(a, b)| a / b).collect()
        };
        let (ours, measured, client, prometheus) = (0, 1, 2, 3);
        let versus_measured = ratios(ours, measured);
        let versus_prometheus = ratios(prometheus, ours);
        let holds = median(&mut versus_measured.clone()) <= 1.0 && median(&mut versus_prometheus.clone()) >= 8.0;
        if !holds {
            failed.push(case.name);
        }
        println!(
            "| `{}` | {} | {} | {} | ours / measured <= 1.0, prometheus / ours >= 8 | {} |",
            case.name,
            spread(versus_measured),
            spread(versus_prometheus),
            spread(ratios(client, ours)),
            if holds { "yes" } else { "**no**" }
        );
    }
    println!();
    if failed.is_empty() {
        println!("every scrape target holds");
    } else {
        println!("targets not met: {}", failed.join(", "));
    }
}
