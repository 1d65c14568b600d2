//! Memory of our series, counted by an instrumented global allocator (`stats_alloc`): bytes per
//! dense slot and per open-label series, memory given back on removal, allocations per scrape.
//! The same figures beside prometheus, prometheus-client and measured, and at 1,000,000 series,
//! are the benchmark `cargo bench -p solti-metrics-bench --bench memory` (BENCHMARKS.md).
//!
//! ```text
//! cargo test --release --test memory -- --nocapture
//! ```
//!
//! Each test measures with nothing else running: the counter is global, so the tests of this
//! file take a lock to run one at a time.

use std::sync::Mutex;

use solti_metrics::{Format, MetricsSet, Registry};

#[path = "../solti-metrics-bench/benches/common/footprint.rs"]
mod footprint;
use footprint::{CODES, Code, Footprint, allocations, mib, ours_open, retained, tuples};

/// One test at a time: the allocator's counters are global.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn bytes_per_series() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let registry = Registry::new();
    let (m, registered) = retained(|| Footprint::register(&registry).unwrap());

    // The first record of a dense metric allocates its page (256 slots); each later series
    // adds only its bookkeeping (its key, kept for the exposition).
    let ((), first) = retained(|| m.dense_total(Code::C0, Code::C0).inc());
    let ((), rest) = retained(|| {
        for (n, a) in CODES.into_iter().enumerate() {
            for (k, b) in CODES.into_iter().enumerate() {
                if n + k > 0 {
                    m.dense_total(a, b).inc();
                }
            }
        }
    });
    let per_later_series = rest as f64 / 255.0;
    let slot = (first as f64 - per_later_series) / 256.0;

    let tuples = tuples(100_000);
    let (recorded, scraped) = ours_open(&tuples);
    let open_per_series = recorded as f64 / tuples.len() as f64;
    let open_after_scrape = scraped as f64 / tuples.len() as f64;

    println!("set with a dense and an open metric, registered: {registered} bytes");
    println!(
        "dense: first record {first} bytes (the 256-slot page and the series' key), each later series {per_later_series:.1} bytes"
    );
    println!("dense counter slot: {slot:.1} bytes");
    println!(
        "open series (two labels of 3 and 7 bytes), 100,000 of them: {open_per_series:.1} bytes each, {open_after_scrape:.1} after a scrape"
    );
    println!("100,000 open series: {:.1} MiB, {:.1} MiB after a scrape", mib(recorded), mib(scraped));

    // The allocator's counts do not vary between runs: an open series is held to its target
    // (64 bytes, before and after a scrape), the dense figures to generous bounds, so that a
    // change that multiplies them fails here.
    assert!(slot <= 32.0, "a dense counter slot takes {slot:.1} bytes");
    assert!(per_later_series <= 256.0, "a dense series takes {per_later_series:.1} bytes besides its slot");
    assert!(open_per_series <= 64.0, "an open series takes {open_per_series:.1} bytes");
    assert!(open_after_scrape <= 64.0, "an open series takes {open_after_scrape:.1} bytes once scraped");
}

/// An open series whose key is too long for its slot (two labels of 14 and 15 bytes, a key of
/// 33): kept whole beside the slot, in a vector of its own.
#[test]
fn bytes_per_series_of_long_keys() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tuples: Vec<(String, String)> =
        (0..100_000).map(|i| (format!("shard-{:08}", i % 20), format!("user-{:010}", i / 20))).collect();
    let (recorded, scraped) = ours_open(&tuples);
    let per_series = recorded as f64 / tuples.len() as f64;
    let after_scrape = scraped as f64 / tuples.len() as f64;
    println!(
        "open series (two labels of 14 and 15 bytes), 100,000 of them: {per_series:.1} bytes each, {after_scrape:.1} after a scrape"
    );
    // A generous bound, as for the dense figures: the key's 33 bytes and its place beside the
    // slot, the slot and the index.
    assert!(after_scrape <= 160.0, "an open series of a long key takes {after_scrape:.1} bytes once scraped");
}

/// A removable metric's series give their memory back when removed: the series and their keys,
/// the export order of the last scrape, and the index's tables, which shrink once mostly empty.
#[test]
fn removed_series_give_their_memory_back() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let registry = Registry::new();
    let set = Footprint::register(&registry).unwrap();
    let tuples = tuples(100_000);
    let ((), recorded) = retained(|| {
        for (shard, id) in &tuples {
            set.removable_total(shard, id).inc();
        }
        registry.encode(&mut Vec::new(), Format::Prometheus).unwrap();
    });
    let ((), removed) = retained(|| {
        assert_eq!(set.removable_total.clear(), tuples.len());
        registry.encode(&mut Vec::new(), Format::Prometheus).unwrap();
    });
    let left = recorded + removed;
    println!(
        "removable open series, 100,000 of them, scraped once: {:.1} bytes each; after removing them all: {left} bytes left ({:.1} per removed series)",
        recorded as f64 / tuples.len() as f64,
        left as f64 / tuples.len() as f64
    );
    assert!(left * 100 < recorded, "{left} of {recorded} bytes still held after removing every series");
}

/// A scrape into a reused buffer allocates the same at 10,000 and 100,000 series: nothing per
/// series.
#[test]
fn scrape_allocations_do_not_grow_with_series() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut counts = Vec::new();
    for series in [10_000, 100_000] {
        let registry = Registry::new();
        let set = Footprint::register(&registry).unwrap();
        for (shard, id) in tuples(series) {
            set.open_total(&shard, &id).inc();
        }
        set.dense_total(Code::C1, Code::C2).inc();
        let mut out = Vec::new();
        // The first scrape sizes the buffer and sorts the series once.
        registry.encode(&mut out, Format::Prometheus).unwrap();
        let len = out.len();
        let (count, bytes) = allocations(|| {
            out.clear();
            registry.encode(&mut out, Format::Prometheus).unwrap();
        });
        assert_eq!(out.len(), len);
        println!("scrape of {series} series into a reused buffer: {count} allocations, {bytes} bytes");
        counts.push(count);
    }
    assert!(counts[1] <= counts[0], "allocations per scrape grow with the series count: {counts:?}");
    assert!(counts[1] <= 16, "{} allocations per scrape", counts[1]);
}
