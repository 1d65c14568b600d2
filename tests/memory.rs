//! Memory per series, measured by an instrumented global allocator: a dense slot, an open-label series,
//! and 100,000 open-label series. Run with `--nocapture` to see the figures.

use std::alloc::System;

use solti_metrics::prometheus::Registry;
use solti_metrics::{IntCounterVec, LabelValue, MetricsSet};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not yet freed.
fn live() -> isize {
    let stats = ALLOCATOR.stats();
    stats.bytes_allocated as isize - stats.bytes_deallocated as isize + stats.bytes_reallocated
}

#[derive(Clone, Copy, LabelValue)]
enum Code {
    C0,
    C1,
    C2,
    C3,
    C4,
    C5,
    C6,
    C7,
    C8,
    C9,
    C10,
    C11,
    C12,
    C13,
    C14,
    C15,
}

const CODES: [Code; 16] = [
    Code::C0,
    Code::C1,
    Code::C2,
    Code::C3,
    Code::C4,
    Code::C5,
    Code::C6,
    Code::C7,
    Code::C8,
    Code::C9,
    Code::C10,
    Code::C11,
    Code::C12,
    Code::C13,
    Code::C14,
    Code::C15,
];

/// One dense metric and one open one.
#[derive(MetricsSet)]
struct Footprint {
    /// Dense: 16 x 16 slots.
    #[metric(labels(a: Code, b: Code))]
    dense_total: IntCounterVec,
    /// Open: one string label.
    #[metric(labels(key))]
    open_total: IntCounterVec,
}

// One test, so no other test allocates while the counter is read.
#[test]
fn bytes_per_series() {
    let registry = Registry::new();
    let before_register = live();
    let m = Footprint::register(&registry).unwrap();
    let registered = live() - before_register;

    let before_dense = live();
    for a in CODES {
        for b in CODES {
            m.dense_total(a, b).inc();
        }
    }
    let dense_per_series = (live() - before_dense) / 256;

    let keys: Vec<String> = (0..100_000).map(|i| format!("key-{i:06}")).collect();
    let before_open = live();
    for key in &keys {
        m.open_total(key).inc();
    }
    let open_total = live() - before_open;
    let open_per_series = open_total / 100_000;

    println!("set with a 256-slot dense table, registered: {registered} bytes");
    println!("dense series, filled on first record: {dense_per_series} bytes each");
    println!("open series (10-byte label value): {open_per_series} bytes each");
    println!("100,000 open series: {:.1} MiB", open_total as f64 / (1024.0 * 1024.0));

    assert_eq!(m.open_total.series_count(), 100_000);
    // Generous bounds, so a change that multiplies the footprint fails here.
    assert!(dense_per_series < 1_024, "dense series take {dense_per_series} bytes");
    assert!(open_per_series < 2_048, "open series take {open_per_series} bytes");
}
