//! Growth stall: the longest single record while a family with open labels grows to 1,000,000
//! series, for solti-metrics and its peers.
//!
//! One thread records a new label tuple per call (every call creates a series) and times each
//! call; a second thread meanwhile records into 64 series created beforehand and times its
//! calls too, so a record that waits for the index to grow shows on either thread. Each side
//! runs alone, one after the other, with its label tuples built before the clock starts.
//!
//! ```text
//! cargo bench --bench growth                          # every side, 1,000,000 series
//! cargo bench --bench growth -- --series 100000 --sides ours,measured
//! cargo bench --bench growth -- --alone               # the growing thread only
//! ```
//!
//! On a shared machine a thread can also be descheduled in the middle of a call: the report
//! gives the series count at each of the five longest calls, so stalls that come with growth
//! (at the same counts run after run, near powers of two) can be told from preemption (anywhere).

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use measured::LabelGroup;
use paracord::ParaCord;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter as ClientCounter;
use prometheus_client::metrics::family::Family as ClientFamily;
use solti_metrics::prometheus;
use solti_metrics::{IntCounterVec, MetricsSet, Registry};

#[derive(MetricsSet)]
#[metrics(namespace = "bench")]
struct Ours {
    /// Requests served.
    #[metric(labels(shard, id))]
    requests_total: IntCounterVec,
}

#[derive(Clone, Copy, LabelGroup)]
#[label(set = MeasuredPairSet)]
struct MeasuredPair<'a> {
    #[label(dynamic_with = ParaCord, default)]
    shard: &'a str,
    #[label(dynamic_with = ParaCord, default)]
    id: &'a str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClientPair {
    shard: String,
    id: String,
}

/// The label values of series `i`, as in `benches/scrape.rs`.
fn labels(i: usize) -> (String, String) {
    (format!("s{:02}", i % 20), format!("u{:07}", i / 20))
}

/// Records into series `i`, creating it on first use.
type Record<'a> = Box<dyn Fn(usize) + Sync + 'a>;

/// What one thread saw: its longest calls (duration, series count when it started), the number
/// of calls over 1 ms, and its total time.
struct Calls {
    longest: Vec<(Duration, usize)>,
    over_1ms: usize,
    calls: usize,
    total: Duration,
}

impl Calls {
    fn new() -> Self {
        Self { longest: Vec::new(), over_1ms: 0, calls: 0, total: Duration::ZERO }
    }

    #[inline]
    fn add(&mut self, took: Duration, at: usize) {
        self.calls += 1;
        self.total += took;
        if took > Duration::from_millis(1) {
            self.over_1ms += 1;
        }
        if self.longest.len() < 5 || took > self.longest[4].0 {
            self.longest.push((took, at));
            self.longest.sort_by_key(|&(took, _)| std::cmp::Reverse(took));
            self.longest.truncate(5);
        }
    }
}

/// Grows `record`'s family from `warm` series to `series`, timing every call on the growing
/// thread and on a second thread recording into series `0..warm`.
fn grow(record: &Record<'_>, series: usize, warm: usize, alone: bool) -> (Calls, Calls) {
    for i in 0..warm {
        record(i);
    }
    if alone {
        let mut calls = Calls::new();
        for i in warm..series {
            let start = Instant::now();
            record(i);
            calls.add(start.elapsed(), i);
        }
        return (calls, Calls::new());
    }
    let done = AtomicBool::new(false);
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            let mut calls = Calls::new();
            barrier.wait();
            let mut i = 0;
            while !done.load(Ordering::Relaxed) {
                let start = Instant::now();
                record(i % warm);
                calls.add(start.elapsed(), 0);
                i += 1;
            }
            calls
        });
        let mut calls = Calls::new();
        barrier.wait();
        for i in warm..series {
            let start = Instant::now();
            record(i);
            calls.add(start.elapsed(), i);
        }
        done.store(true, Ordering::Relaxed);
        (calls, other.join().expect("second thread"))
    })
}

fn format_duration(duration: Duration) -> String {
    if duration >= Duration::from_millis(1) {
        format!("{:.2} ms", duration.as_secs_f64() * 1e3)
    } else {
        format!("{:.0} µs", duration.as_secs_f64() * 1e6)
    }
}

fn main() {
    let mut series = 1_000_000;
    let mut alone = false;
    let mut sides = vec!["ours".to_owned(), "measured".to_owned(), "client".to_owned(), "prometheus".to_owned()];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--series" => series = args.next().and_then(|v| v.parse().ok()).unwrap_or(series),
            "--alone" => alone = true,
            "--sides" => sides = args.next().map(|v| v.split(',').map(str::to_owned).collect()).unwrap_or(sides),
            _ => {}
        }
    }
    const WARM: usize = 64;
    let tuples: Vec<(String, String)> = (0..series).map(labels).collect();

    if alone {
        println!("{series} series, 2 labels; one thread, creating one series per call");
    } else {
        println!(
            "{series} series, 2 labels; the growing thread creates one series per call, the other records into {WARM}"
        );
    }
    println!();
    println!(
        "| side | longest call, growing thread | at series | 5 longest (at series) | calls > 1 ms | longest call, other thread | mean per new series |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|");
    for side in &sides {
        let tuples = &tuples;
        // Each side's family lives only for its own run.
        let (growing, other) = match side.as_str() {
            "ours" => {
                let set = Ours::register(&Registry::new()).expect("our set");
                let record: Record<'_> = Box::new(move |i| {
                    let (shard, id) = &tuples[i];
                    set.requests_total(shard, id).inc();
                });
                grow(&record, series, WARM, alone)
            }
            "measured" => {
                let family = measured::CounterVec::<MeasuredPairSet>::new();
                let record: Record<'_> = Box::new(move |i| {
                    let (shard, id) = &tuples[i];
                    family.inc(MeasuredPair { shard, id });
                });
                grow(&record, series, WARM, alone)
            }
            "client" => {
                let family = ClientFamily::<ClientPair, ClientCounter>::default();
                // The key a caller builds for `get_or_create`, built before timing.
                let keys: Vec<ClientPair> =
                    tuples.iter().map(|(shard, id)| ClientPair { shard: shard.clone(), id: id.clone() }).collect();
                let record: Record<'_> = Box::new(move |i| {
                    family.get_or_create(&keys[i]).inc();
                });
                grow(&record, series, WARM, alone)
            }
            "prometheus" => {
                let family = prometheus::IntCounterVec::new(
                    prometheus::Opts::new("bench_requests_total", "Requests served."),
                    &["shard", "id"],
                )
                .expect("prometheus family");
                let record: Record<'_> = Box::new(move |i| {
                    let (shard, id) = &tuples[i];
                    family.with_label_values(&[shard, id]).inc();
                });
                grow(&record, series, WARM, alone)
            }
            other => panic!("no side `{other}`"),
        };
        let longest = growing.longest.first().copied().unwrap_or_default();
        let five: Vec<String> =
            growing.longest.iter().map(|(took, at)| format!("{} ({at})", format_duration(*took))).collect();
        println!(
            "| {side} | {} | {} | {} | {} | {} | {:.0} ns |",
            format_duration(longest.0),
            longest.1,
            five.join(", "),
            growing.over_1ms,
            format_duration(other.longest.first().map_or(Duration::ZERO, |l| l.0)),
            growing.total.as_secs_f64() * 1e9 / growing.calls.max(1) as f64,
        );
        black_box(&other.calls);
    }
}
