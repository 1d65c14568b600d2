//! Growth stall: the longest single record while a family with open labels grows to 1,000,000
//! series, for solti-metrics and its peers.
//!
//! One thread records a new label tuple per call (every call creates a series) and times each
//! call; a second thread meanwhile records into 64 series created beforehand and times its
//! calls too, so a record that waits for the index to grow shows on either thread. Each side
//! runs alone, one after the other, with its label tuples built before the clock starts.
//!
//! ```text
//! cargo bench -p solti-metrics-bench --bench growth                          # every side, 1,000,000 series
//! cargo bench -p solti-metrics-bench --bench growth -- --series 100000 --sides ours,measured
//! cargo bench -p solti-metrics-bench --bench growth -- --alone               # the growing thread only
//! ```
//!
//! On a shared machine a thread can also be descheduled in the middle of a call. The growing
//! thread's calls are therefore also timed in its own CPU time, which stops while it is
//! descheduled, with the series count at each of the five longest: stalls that come with growth
//! show at the same counts run after run (where tables double), preemption anywhere. The other
//! thread is timed in wall-clock time only (a wait for a lock takes no CPU time).

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter as ClientCounter;
use prometheus_client::metrics::family::Family as ClientFamily;
use solti_metrics::prometheus;
use solti_metrics::{IntCounterVec, MetricsSet, Registry};

#[path = "common/pairs.rs"]
mod pairs;
use pairs::{ClientPair, MeasuredPair, MeasuredPairSet};

#[derive(MetricsSet)]
#[metrics(namespace = "bench")]
struct Ours {
    /// Requests served.
    #[metric(labels(shard, id))]
    requests_total: IntCounterVec,
}

/// The label values of series `i`, as in `scrape.rs`.
fn labels(i: usize) -> (String, String) {
    (format!("s{:02}", i % 20), format!("u{:07}", i / 20))
}

/// Records into series `i`, creating it on first use.
type Record<'a> = Box<dyn Fn(usize) + Sync + 'a>;

/// The calling thread's CPU time. Unlike wall-clock time it does not advance while the thread
/// is descheduled: a call long in CPU time did that work itself (a rehash, a copy, spinning),
/// while one long only in wall-clock time may have waited for a lock or for a core.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `clock_gettime` writes the time into the `timespec` it is given, a valid local.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// The five longest of a series of calls, with the series count when each started.
#[derive(Default)]
struct Longest(Vec<(Duration, usize)>);

impl Longest {
    #[inline]
    fn add(&mut self, took: Duration, at: usize) {
        if self.0.len() < 5 || took > self.0[4].0 {
            self.0.push((took, at));
            self.0.sort_by_key(|&(took, _)| std::cmp::Reverse(took));
            self.0.truncate(5);
        }
    }

    fn first(&self) -> (Duration, usize) {
        self.0.first().copied().unwrap_or_default()
    }

    fn list(&self) -> String {
        let calls: Vec<String> = self.0.iter().map(|(took, at)| format!("{} ({at})", format_duration(*took))).collect();
        calls.join(", ")
    }
}

/// What one thread saw, in wall-clock and (growing thread only) CPU time.
#[derive(Default)]
struct Calls {
    wall: Longest,
    cpu: Longest,
    wall_over_1ms: usize,
    cpu_over_1ms: usize,
}

impl Calls {
    #[inline]
    fn add(&mut self, wall: Duration, cpu: Option<Duration>, at: usize) {
        const MS: Duration = Duration::from_millis(1);
        self.wall_over_1ms += usize::from(wall > MS);
        self.wall.add(wall, at);
        if let Some(cpu) = cpu {
            self.cpu_over_1ms += usize::from(cpu > MS);
            self.cpu.add(cpu, at);
        }
    }
}

/// Creates series `warm..series` on this thread, one per call. Each call is timed from the end
/// of the previous one (one clock read per call and clock), so the figures include the clock
/// reads, a fraction of a microsecond.
fn grow_here(record: &Record<'_>, warm: usize, series: usize) -> Calls {
    let mut calls = Calls::default();
    let (mut wall, mut cpu) = (Instant::now(), thread_cpu_time());
    for i in warm..series {
        record(i);
        let (wall_now, cpu_now) = (Instant::now(), thread_cpu_time());
        calls.add(wall_now - wall, Some(cpu_now - cpu), i);
        (wall, cpu) = (wall_now, cpu_now);
    }
    calls
}

/// Grows `record`'s family from `warm` series to `series`, timing every call on the growing
/// thread and (unless `alone`) on a second thread recording into series `0..warm`.
fn grow(record: &Record<'_>, series: usize, warm: usize, alone: bool) -> (Calls, Calls) {
    for i in 0..warm {
        record(i);
    }
    if alone {
        return (grow_here(record, warm, series), Calls::default());
    }
    let done = AtomicBool::new(false);
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            let mut calls = Calls::default();
            barrier.wait();
            let mut i = 0;
            while !done.load(Ordering::Relaxed) {
                let start = Instant::now();
                record(i % warm);
                calls.add(start.elapsed(), None, 0);
                i += 1;
            }
            calls
        });
        barrier.wait();
        let calls = grow_here(record, warm, series);
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
        "| side | growing thread: longest call, CPU time (at series) | 5 longest in CPU time (at series) | calls > 1 ms CPU | longest call, wall clock (at series) | calls > 1 ms wall | other thread: longest call, wall clock | calls > 1 ms |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
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
        let (cpu, cpu_at) = growing.cpu.first();
        let (wall, wall_at) = growing.wall.first();
        println!(
            "| {side} | {} ({cpu_at}) | {} | {} | {} ({wall_at}) | {} | {} | {} |",
            format_duration(cpu),
            growing.cpu.list(),
            growing.cpu_over_1ms,
            format_duration(wall),
            growing.wall_over_1ms,
            if alone { "–".to_owned() } else { format_duration(other.wall.first().0) },
            if alone { "–".to_owned() } else { other.wall_over_1ms.to_string() },
        );
    }
}
