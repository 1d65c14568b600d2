//! Doubling buckets, as the open index's slots and its arena of long keys are allocated: bucket
//! `b` holds `first << b` items, so a vector of a billion items needs 30 or so buckets, and an
//! item never moves.

/// The most entries an open index holds: a billion, past what a process holds (entry numbers
/// go into 30 bits of a scrape's export order).
pub(crate) const MAX_ENTRIES: usize = (1 << 30) - 1;

/// The bucket of item `at` in buckets of `first << b` items each, and its place in the bucket.
#[inline(always)]
pub(crate) fn place(at: usize, first: usize) -> (usize, usize) {
    let n = at / first + 1;
    let bucket = n.ilog2() as usize;
    (bucket, at - first * ((1 << bucket) - 1))
}
