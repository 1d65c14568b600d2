//! Memory per open series, ours beside prometheus, prometheus-client and measured, counted by
//! an instrumented global allocator (`stats_alloc`): bytes retained after recording 100,000 and
//! 1,000,000 series of a counter with two string labels, after one scrape, and one warm
//! scrape's allocations.
//!
//! ```text
//! cargo bench -p solti-metrics-bench --bench memory    # a markdown table on stdout (about 25 s)
//! ```
//!
//! A plain program (`harness = false`), one side after the other in one thread: the allocator's
//! counters are global. Then the resident set: each side alone in a process of its own (this
//! program again, `--rss SIDE SERIES`), its growth read from `/proc/self/status` after
//! recording and after a scrape. It counts what the allocator asked of the system (its own
//! bookkeeping and free space among it), which the allocator's counters leave out.

use measured::text::BufferedTextEncoder;
use prometheus_client::metrics::counter::Counter as ClientCounter;
use prometheus_client::metrics::family::Family as ClientFamily;
use solti_metrics::prometheus::{self, Encoder as _};
use solti_metrics::{Format, MetricsSet, Registry};

#[path = "common/footprint.rs"]
mod footprint;
use footprint::{Footprint, allocations, mib, ours_open, retained, tuples};

#[path = "common/pairs.rs"]
mod pairs;
use pairs::{ClientPair, MeasuredPair, MeasuredPairSet};

#[derive(measured::MetricGroup)]
#[metric(new())]
struct MeasuredGroup {
    /// Requests served.
    open_total: measured::CounterVec<MeasuredPairSet>,
}

/// One side of the comparison: its counter family, recorded from the label tuples, and its
/// scrape into an output of its own kind, which a scrape reuses.
trait Side: Sized {
    type Out;
    fn record(tuples: &[(String, String)]) -> Self;
    fn out() -> Self::Out;
    fn scrape(&self, out: &mut Self::Out);
}

struct Ours(Registry);

impl Side for Ours {
    type Out = Vec<u8>;

    fn record(tuples: &[(String, String)]) -> Self {
        let registry = Registry::new();
        let set = Footprint::register(&registry).unwrap();
        for (shard, id) in tuples {
            set.open_total(shard, id).inc();
        }
        Self(registry)
    }

    fn out() -> Vec<u8> {
        Vec::new()
    }

    fn scrape(&self, out: &mut Vec<u8>) {
        out.clear();
        self.0.encode(out, Format::Prometheus).unwrap();
    }
}

struct Measured(MeasuredGroup);

impl Side for Measured {
    type Out = BufferedTextEncoder;

    fn record(tuples: &[(String, String)]) -> Self {
        let group = MeasuredGroup::new();
        for (shard, id) in tuples {
            group.open_total.inc(MeasuredPair { shard, id });
        }
        Self(group)
    }

    fn out() -> BufferedTextEncoder {
        BufferedTextEncoder::new()
    }

    fn scrape(&self, out: &mut BufferedTextEncoder) {
        use measured::MetricGroup as _;
        let _ = self.0.collect_group_into(out);
        drop(out.finish());
    }
}

/// The registry holds the family (a clone shares its series).
struct Client(prometheus_client::registry::Registry);

impl Side for Client {
    type Out = String;

    fn record(tuples: &[(String, String)]) -> Self {
        let mut registry = prometheus_client::registry::Registry::default();
        let family = ClientFamily::<ClientPair, ClientCounter>::default();
        registry.register("open", "Requests served.", family.clone());
        for (shard, id) in tuples {
            family.get_or_create(&ClientPair { shard: shard.clone(), id: id.clone() }).inc();
        }
        Self(registry)
    }

    fn out() -> String {
        String::new()
    }

    fn scrape(&self, out: &mut String) {
        out.clear();
        prometheus_client::encoding::text::encode(out, &self.0).unwrap();
    }
}

/// The registry holds the family (a clone shares its series).
struct Prometheus(prometheus::Registry);

impl Side for Prometheus {
    type Out = Vec<u8>;

    fn record(tuples: &[(String, String)]) -> Self {
        let registry = prometheus::Registry::new();
        let family =
            prometheus::IntCounterVec::new(prometheus::Opts::new("open_total", "Requests served."), &["shard", "id"])
                .unwrap();
        registry.register(Box::new(family.clone())).unwrap();
        for (shard, id) in tuples {
            family.with_label_values(&[shard, id]).inc();
        }
        Self(registry)
    }

    fn out() -> Vec<u8> {
        Vec::new()
    }

    fn scrape(&self, out: &mut Vec<u8>) {
        out.clear();
        prometheus::TextEncoder::new().encode(&self.0.gather(), out).unwrap();
    }
}

/// What one side takes: bytes retained after recording and after a scrape (output not
/// counted), and one warm scrape's allocations and bytes allocated.
struct Footprints {
    recorded: isize,
    scraped: isize,
    scrape_allocations: usize,
    scrape_bytes: usize,
}

/// Measures side `S` by the allocator's counts.
fn footprint<S: Side>(tuples: &[(String, String)]) -> Footprints {
    let (side, recorded) = retained(|| S::record(tuples));
    // The output is dropped inside: what the side itself keeps.
    let ((), scraped) = retained(|| side.scrape(&mut S::out()));
    let mut out = S::out();
    side.scrape(&mut out);
    let (scrape_allocations, scrape_bytes) = allocations(|| side.scrape(&mut out));
    Footprints { recorded, scraped: recorded + scraped, scrape_allocations, scrape_bytes }
}

/// Ours: recorded and scraped as `tests/memory.rs` counts them, the registry's and the set's
/// registration left out (what the series take).
fn ours_footprint(tuples: &[(String, String)]) -> Footprints {
    let (recorded, scraped) = ours_open(tuples);
    Footprints { recorded, scraped, ..footprint::<Ours>(tuples) }
}

/// The process's resident set, in bytes (`VmRSS`).
fn rss() -> isize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<isize>().ok());
    kib.expect("a VmRSS line") * 1024
}

/// Side `S`'s resident set growth, in a process of its own: after recording `tuples` and after
/// one scrape (its output dropped), from before the side was built.
fn rss_side<S: Side>(tuples: &[(String, String)]) -> (isize, isize) {
    let base = rss();
    let side = S::record(tuples);
    let recorded = rss();
    side.scrape(&mut S::out());
    let scraped = rss();
    drop(side);
    (recorded - base, scraped - base)
}

/// Each side: its name, its measure by the allocator, its resident set's.
type Measures = (&'static str, fn(&[(String, String)]) -> Footprints, fn(&[(String, String)]) -> (isize, isize));

const SIDES: [Measures; 4] = [
    ("ours", ours_footprint, rss_side::<Ours>),
    ("measured", footprint::<Measured>, rss_side::<Measured>),
    ("prometheus-client", footprint::<Client>, rss_side::<Client>),
    ("prometheus", footprint::<Prometheus>, rss_side::<Prometheus>),
];

/// Every side at 100,000 and 1,000,000 open series: the allocator's counts, then the resident
/// set of each side in a process of its own.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, side, series] = args.as_slice()
        && flag == "--rss"
    {
        let tuples = tuples(series.parse().expect("a series count"));
        let (_, _, measure) = SIDES.iter().find(|(name, ..)| name == side).expect("a side's name");
        let (recorded, scraped) = measure(&tuples);
        println!("{recorded} {scraped}");
        return;
    }
    println!(
        "| series | side | bytes per series | after a scrape | total | after a scrape | allocations per scrape | MiB allocated per scrape |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|");
    for series in [100_000, 1_000_000] {
        let tuples = tuples(series);
        for (side, footprint, _) in SIDES {
            let f = footprint(&tuples);
            println!(
                "| {series} | {side} | {:.1} | {:.1} | {:.1} MiB | {:.1} MiB | {} | {:.1} |",
                f.recorded as f64 / series as f64,
                f.scraped as f64 / series as f64,
                mib(f.recorded),
                mib(f.scraped),
                f.scrape_allocations,
                f.scrape_bytes as f64 / (1024.0 * 1024.0),
            );
        }
    }
    println!();
    println!("| series | side | resident bytes per series | after a scrape | resident growth | after a scrape |");
    println!("|---:|---|---:|---:|---:|---:|");
    let program = std::env::current_exe().expect("this program's path");
    for series in [100_000, 1_000_000] {
        for (side, ..) in SIDES {
            let output = std::process::Command::new(&program)
                .args(["--rss", side, &series.to_string()])
                .output()
                .expect("the side's process");
            let text = String::from_utf8_lossy(&output.stdout);
            if !output.status.success() {
                println!("| {series} | {side} | failed: {} | | | |", String::from_utf8_lossy(&output.stderr).trim());
                continue;
            }
            let mut figures = text.split_whitespace().filter_map(|figure| figure.parse::<isize>().ok());
            let (Some(recorded), Some(scraped)) = (figures.next(), figures.next()) else {
                println!("| {series} | {side} | failed: {} | | | |", String::from_utf8_lossy(&output.stderr).trim());
                continue;
            };
            println!(
                "| {series} | {side} | {:.1} | {:.1} | {:.1} MiB | {:.1} MiB |",
                recorded as f64 / series as f64,
                scraped as f64 / series as f64,
                mib(recorded),
                mib(scraped),
            );
        }
    }
}
