//! Memory counted by an instrumented global allocator (`stats_alloc`), and the set and label
//! tuples both memory measurements use: `tests/memory.rs` (ours, with bounds) and
//! `benches/memory.rs` (ours beside the peers), each including this file with `#[path]`.

// Each includer uses a part: the benchmark has no use for the dense codes.
#![allow(dead_code)]

use std::alloc::System;

use solti_metrics::{Format, IntCounterVec, LabelValue, MetricsSet, Registry};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not yet freed. `stats_alloc` already adds a reallocation's growth to
/// `bytes_allocated` (and its shrinking to `bytes_deallocated`); `bytes_reallocated` is the same
/// change again and is not added.
pub fn live() -> isize {
    let stats = ALLOCATOR.stats();
    stats.bytes_allocated as isize - stats.bytes_deallocated as isize
}

/// Runs `f`, returning its result and the bytes it left allocated.
pub fn retained<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let before = live();
    let value = f();
    (value, live() - before)
}

/// Runs `f` (a scrape), returning the allocations (reallocations included) and bytes it made.
pub fn allocations(f: impl FnOnce()) -> (usize, usize) {
    let region = Region::new(ALLOCATOR);
    f();
    let change = region.change();
    (change.allocations + change.reallocations, change.bytes_allocated)
}

pub fn mib(bytes: isize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[derive(Clone, Copy, LabelValue)]
pub enum Code {
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

pub const CODES: [Code; 16] = [
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

/// One dense metric (16 x 16 = 256 slots: one page) and one with open labels.
#[derive(MetricsSet)]
pub struct Footprint {
    /// Dense: 16 x 16 slots.
    #[metric(labels(a: Code, b: Code))]
    pub dense_total: IntCounterVec,
    /// Open: two string labels.
    #[metric(labels(shard, id))]
    pub open_total: IntCounterVec,
    /// Open and removable: two string labels.
    #[metric(labels(shard, id), removable)]
    pub removable_total: IntCounterVec,
}

/// The label values of open series `i`: two short strings (3 and 7 bytes), every `i` its own
/// tuple, as in `benches/scrape.rs`.
pub fn labels(i: usize) -> (String, String) {
    (format!("s{:02}", i % 20), format!("u{:06}", i / 20))
}

pub fn tuples(series: usize) -> Vec<(String, String)> {
    (0..series).map(labels).collect()
}

/// The bytes an open series of ours takes, at `series` series: while recording, and after a
/// scrape (which keeps the family's export order), the output buffer not counted.
pub fn ours_open(tuples: &[(String, String)]) -> (isize, isize) {
    let registry = Registry::new();
    let set = Footprint::register(&registry).unwrap();
    let ((), recorded) = retained(|| {
        for (shard, id) in tuples {
            set.open_total(shard, id).inc();
        }
    });
    let ((), scraped) = retained(|| {
        let mut out = Vec::new();
        registry.encode(&mut out, Format::Prometheus).unwrap();
    });
    assert_eq!(set.open_total.series_count(), tuples.len());
    (recorded, recorded + scraped)
}
