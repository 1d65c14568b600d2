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

/// What one side takes: bytes retained after recording and after a scrape (output not
/// counted), and one warm scrape's allocations and bytes allocated.
struct Footprints {
    recorded: isize,
    scraped: isize,
    scrape_allocations: usize,
    scrape_bytes: usize,
}

fn ours_footprint(tuples: &[(String, String)]) -> Footprints {
    let (recorded, scraped) = ours_open(tuples);
    let registry = Registry::new();
    let set = Footprint::register(&registry).unwrap();
    for (shard, id) in tuples {
        set.open_total(shard, id).inc();
    }
    let mut out = Vec::new();
    registry.encode(&mut out, Format::Prometheus).unwrap();
    let (scrape_allocations, scrape_bytes) = allocations(|| {
        out.clear();
        registry.encode(&mut out, Format::Prometheus).unwrap();
    });
    Footprints { recorded, scraped, scrape_allocations, scrape_bytes }
}

fn measured_footprint(tuples: &[(String, String)]) -> Footprints {
    use measured::MetricGroup as _;
    let (group, recorded) = retained(|| {
        let group = MeasuredGroup::new();
        for (shard, id) in tuples {
            group.open_total.inc(MeasuredPair { shard, id });
        }
        group
    });
    let ((), scraped) = retained(|| {
        let mut encoder = BufferedTextEncoder::new();
        let _ = group.collect_group_into(&mut encoder);
        drop(encoder.finish());
    });
    let mut encoder = BufferedTextEncoder::new();
    let _ = group.collect_group_into(&mut encoder);
    drop(encoder.finish());
    let (scrape_allocations, scrape_bytes) = allocations(|| {
        let _ = group.collect_group_into(&mut encoder);
        drop(encoder.finish());
    });
    Footprints { recorded, scraped: recorded + scraped, scrape_allocations, scrape_bytes }
}

fn client_footprint(tuples: &[(String, String)]) -> Footprints {
    let ((registry, family), recorded) = retained(|| {
        let mut registry = prometheus_client::registry::Registry::default();
        let family = ClientFamily::<ClientPair, ClientCounter>::default();
        registry.register("open", "Requests served.", family.clone());
        for (shard, id) in tuples {
            family.get_or_create(&ClientPair { shard: shard.clone(), id: id.clone() }).inc();
        }
        (registry, family)
    });
    let ((), scraped) = retained(|| {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
    });
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
    let (scrape_allocations, scrape_bytes) = allocations(|| {
        out.clear();
        prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
    });
    drop(family);
    Footprints { recorded, scraped: recorded + scraped, scrape_allocations, scrape_bytes }
}

fn prometheus_footprint(tuples: &[(String, String)]) -> Footprints {
    let ((registry, family), recorded) = retained(|| {
        let registry = prometheus::Registry::new();
        let family =
            prometheus::IntCounterVec::new(prometheus::Opts::new("open_total", "Requests served."), &["shard", "id"])
                .unwrap();
        registry.register(Box::new(family.clone())).unwrap();
        for (shard, id) in tuples {
            family.with_label_values(&[shard, id]).inc();
        }
        (registry, family)
    });
    let ((), scraped) = retained(|| {
        let mut out = Vec::new();
        prometheus::TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
    });
    let mut out = Vec::new();
    prometheus::TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
    let (scrape_allocations, scrape_bytes) = allocations(|| {
        out.clear();
        prometheus::TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
    });
    drop(family);
    Footprints { recorded, scraped: recorded + scraped, scrape_allocations, scrape_bytes }
}

/// Builds one side's family from label tuples and measures it.
type Side = fn(&[(String, String)]) -> Footprints;

/// The process's resident set, in bytes (`VmRSS`).
fn rss() -> isize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<isize>().ok());
    kib.expect("a VmRSS line") * 1024
}

/// One side's resident set growth, in a process of its own: after recording `tuples` and after
/// one scrape (its output dropped), from before the side was built. Every side is kept alive
/// until both are read.
fn rss_side(side: &str, tuples: &[(String, String)]) -> (isize, isize) {
    let base = rss();
    let (recorded, scraped);
    match side {
        "ours" => {
            let registry = Registry::new();
            let set = Footprint::register(&registry).unwrap();
            for (shard, id) in tuples {
                set.open_total(shard, id).inc();
            }
            recorded = rss();
            let mut out = Vec::new();
            registry.encode(&mut out, Format::Prometheus).unwrap();
            drop(out);
            scraped = rss();
        }
        "measured" => {
            use measured::MetricGroup as _;
            let group = MeasuredGroup::new();
            for (shard, id) in tuples {
                group.open_total.inc(MeasuredPair { shard, id });
            }
            recorded = rss();
            let mut encoder = BufferedTextEncoder::new();
            let _ = group.collect_group_into(&mut encoder);
            drop(encoder.finish());
            scraped = rss();
        }
        "prometheus-client" => {
            let mut registry = prometheus_client::registry::Registry::default();
            let family = ClientFamily::<ClientPair, ClientCounter>::default();
            registry.register("open", "Requests served.", family.clone());
            for (shard, id) in tuples {
                family.get_or_create(&ClientPair { shard: shard.clone(), id: id.clone() }).inc();
            }
            recorded = rss();
            let mut out = String::new();
            prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
            drop(out);
            scraped = rss();
        }
        "prometheus" => {
            let registry = prometheus::Registry::new();
            let family = prometheus::IntCounterVec::new(
                prometheus::Opts::new("open_total", "Requests served."),
                &["shard", "id"],
            )
            .unwrap();
            registry.register(Box::new(family.clone())).unwrap();
            for (shard, id) in tuples {
                family.with_label_values(&[shard, id]).inc();
            }
            recorded = rss();
            let mut out = Vec::new();
            prometheus::TextEncoder::new().encode(&registry.gather(), &mut out).unwrap();
            drop(out);
            scraped = rss();
        }
        other => panic!("no side {other}: one of {SIDES:?}"),
    }
    (recorded - base, scraped - base)
}

const SIDES: [&str; 4] = ["ours", "measured", "prometheus-client", "prometheus"];

/// Every side at 100,000 and 1,000,000 open series: the allocator's counts, then the resident
/// set of each side in a process of its own.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, side, series] = args.as_slice()
        && flag == "--rss"
    {
        let tuples = tuples(series.parse().expect("a series count"));
        let (recorded, scraped) = rss_side(side, &tuples);
        println!("{recorded} {scraped}");
        return;
    }
    println!(
        "| series | side | bytes per series | after a scrape | total | after a scrape | allocations per scrape | MiB allocated per scrape |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|");
    for series in [100_000, 1_000_000] {
        let tuples = tuples(series);
        let sides: [(&str, Side); 4] = [
            ("ours", ours_footprint),
            ("measured", measured_footprint),
            ("prometheus-client", client_footprint),
            ("prometheus", prometheus_footprint),
        ];
        for (side, footprint) in sides {
            let f = footprint(&tuples);
            println!(
                "| {series} | {side} | {:.0} | {:.0} | {:.1} MiB | {:.1} MiB | {} | {:.1} |",
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
        for side in SIDES {
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
                "| {series} | {side} | {:.0} | {:.0} | {:.1} MiB | {:.1} MiB |",
                recorded as f64 / series as f64,
                scraped as f64 / series as f64,
                mib(recorded),
                mib(scraped),
            );
        }
    }
}
