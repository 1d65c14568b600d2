//! A histogram's native buckets: exponential buckets of Prometheus' native histograms, kept
//! beside its classic ones.
//!
//! Bucket `k` of schema `s` holds the observations `v` with `base^(k-1) < |v| <= base^k`,
//! `base = 2^(2^-s)`; one side holds the positive observations, one the negative, and the zero
//! bucket those with `|v| <= zero_threshold`. Observations are recorded at the schema the
//! metric declares: the positive ones first into a window of [`WINDOW`] counters allocated with
//! the series and placed around the first observation's bucket (16 powers of two at schema
//! 3), the others into counters allocated a block at a time on a block's first observation.
//! Recording takes no lock and, after a block's first observation, allocates nothing; a
//! bucket in the window is one load away from the series. When an
//! exposition finds more buckets in use than the metric's `max_buckets`, it halves the
//! resolution (merging pairs of buckets, `k -> ceil(k/2)`) until they fit, as the Go client
//! does when it records: merged buckets hold exactly what coarser buckets would have counted.
//!
//! Memory ordering: every add to a bucket (window, blocks, zero bucket) is a release, and every
//! read of one an acquire. An observation adds to the classic count first (relaxed), so an
//! exposition, which reads the native buckets before the count, sees every observation it finds
//! in a bucket counted too: the count it writes is never below the buckets. The window's `base`
//! is placed by a relaxed compare-and-swap: only its one value matters, it publishes nothing.
//! `reset` stores zeros relaxed, under the family's locks, as `series/mod.rs` says.

use std::sync::OnceLock;

use crate::metric::Native;
use crate::sync::atomic::{AtomicI32, AtomicU64, Ordering};

/// Positive buckets counted in the window, beside the series.
const WINDOW: usize = 128;
/// `base` before the first positive observation.
const UNPLACED: i32 = i32::MIN;

/// Buckets per block, allocated together on the first observation into one of them.
const BLOCK: usize = 16;
/// Blocks per directory entry.
const GROUP: usize = 16;

type Block = [AtomicU64; BLOCK];
type Group = [OnceLock<Box<Block>>; GROUP];

/// One sign's buckets: a directory of groups of blocks, covering every key from the zero
/// bucket's edge up to `f64::MAX`, allocated as it is used.
struct Side {
    directory: OnceLock<Box<[OnceLock<Box<Group>>]>>,
}

impl Side {
    const fn new() -> Self {
        Self { directory: OnceLock::new() }
    }

    /// Adds one observation to the bucket at `position` (its key less the lowest key).
    #[inline]
    fn add(&self, position: usize, positions: usize) {
        let directory =
            self.directory.get_or_init(|| (0..positions.div_ceil(BLOCK * GROUP)).map(|_| OnceLock::new()).collect());
        let Some(group) = directory.get(position / (BLOCK * GROUP)) else { return };
        let group = group.get_or_init(|| Box::new(core::array::from_fn(|_| OnceLock::new())));
        let block =
            group[position / BLOCK % GROUP].get_or_init(|| Box::new(core::array::from_fn(|_| AtomicU64::new(0))));
        block[position % BLOCK].fetch_add(1, Ordering::Release);
    }

    /// Calls `f` with each bucket in use, as (position, count), positions increasing.
    fn for_each(&self, mut f: impl FnMut(usize, u64)) {
        let Some(directory) = self.directory.get() else { return };
        for (g, group) in directory.iter().enumerate() {
            let Some(group) = group.get() else { continue };
            for (b, block) in group.iter().enumerate() {
                let Some(block) = block.get() else { continue };
                for (i, count) in block.iter().enumerate() {
                    let count = count.load(Ordering::Acquire);
                    if count > 0 {
                        f((g * GROUP + b) * BLOCK + i, count);
                    }
                }
            }
        }
    }

    fn reset(&self) {
        self.for_each_counter(|counter| counter.store(0, Ordering::Relaxed));
    }

    fn for_each_counter(&self, f: impl Fn(&AtomicU64)) {
        let Some(directory) = self.directory.get() else { return };
        for group in directory.iter().filter_map(OnceLock::get) {
            for block in group.iter().filter_map(OnceLock::get) {
                block.iter().for_each(&f);
            }
        }
    }
}

/// A histogram's native buckets.
pub(crate) struct NativeBuckets {
    schema: i32,
    /// How keys are found at `schema` (above 0), looked up once.
    octave: Option<&'static Octave>,
    zero_threshold: f64,
    max_buckets: u32,
    /// The key of the lowest bucket above the zero bucket: position 0 of each side.
    lowest: i32,
    /// Keys from `lowest` up to the key of `f64::MAX`.
    positions: usize,
    zero: AtomicU64,
    /// The key of `window[0]`: set by the first positive observation, [`UNPLACED`] before.
    base: AtomicI32,
    window: [AtomicU64; WINDOW],
    /// A second window, placed by the first positive observation outside the first one, next
    /// to it: together they cover 32 powers of two at schema 3.
    second: OnceLock<Box<SecondWindow>>,
    /// Positive buckets outside both windows.
    positive: Side,
    negative: Side,
}

impl NativeBuckets {
    pub(crate) fn new(native: &Native) -> Self {
        let schema = i32::from(native.schema);
        let zero_threshold = native.zero_threshold;
        // The smallest magnitude outside the zero bucket.
        let smallest = if zero_threshold > 0.0 { zero_threshold } else { f64::from_bits(1) };
        let lowest = key(smallest, schema);
        let highest = key(f64::MAX, schema);
        let positions = (highest - lowest + 1) as usize;
        Self {
            schema,
            octave: (schema > 0).then(|| octave(schema)),
            zero_threshold,
            max_buckets: native.max_buckets,
            lowest,
            positions,
            zero: AtomicU64::new(0),
            base: AtomicI32::new(UNPLACED),
            window: core::array::from_fn(|_| AtomicU64::new(0)),
            second: OnceLock::new(),
            positive: Side::new(),
            negative: Side::new(),
        }
    }

    /// Adds one observation (`NaN` goes in no bucket: it counts in the histogram's count and
    /// sum alone). Each add releases, and an exposition's reads acquire: one that sees it also
    /// sees the classic count the histogram added before.
    #[inline]
    pub(crate) fn observe(&self, value: f64) {
        let magnitude = value.abs();
        // One comparison on the common path: `NaN` and the zero bucket's values both fail it.
        if magnitude.partial_cmp(&self.zero_threshold) != Some(core::cmp::Ordering::Greater) {
            self.observe_zero(magnitude);
            return;
        }
        let key = self.key(magnitude);
        if value > 0.0 {
            let mut base = self.base.load(Ordering::Relaxed);
            if base == UNPLACED {
                base = self.place(key);
            }
            if let Some(counter) = self.window.get(key.wrapping_sub(base) as u32 as usize) {
                counter.fetch_add(1, Ordering::Release);
                return;
            }
        }
        self.observe_outside(key, value > 0.0);
    }

    /// An observation in the zero bucket, or `NaN` (in none).
    #[cold]
    fn observe_zero(&self, magnitude: f64) {
        if magnitude <= self.zero_threshold {
            self.zero.fetch_add(1, Ordering::Release);
        }
    }

    /// An observation outside the window (or negative): into the second window, placed now if
    /// not yet, else into the blocks. Out of line, so that the window's path keeps few
    /// registers.
    #[inline(never)]
    fn observe_outside(&self, key: i32, positive: bool) {
        if positive {
            let second = self.second.get_or_init(|| Box::new(SecondWindow::new(self.second_base(key))));
            if let Some(counter) = second.counters.get(key.wrapping_sub(second.base) as u32 as usize) {
                counter.fetch_add(1, Ordering::Release);
                return;
            }
        }
        let position = (key - self.lowest).max(0) as usize;
        let side = if positive { &self.positive } else { &self.negative };
        side.add(position, self.positions);
    }

    /// The second window's first key, for `key` outside the first window: next to the first
    /// window on `key`'s side, reaching `key` half a window in where it can.
    fn second_base(&self, key: i32) -> i32 {
        let first = self.base.load(Ordering::Relaxed);
        let around = key.saturating_sub(WINDOW as i32 / 2);
        let base = if key >= first {
            around.max(first.saturating_add(WINDOW as i32))
        } else {
            around.min(first - WINDOW as i32)
        };
        base.max(self.lowest)
    }

    /// Places the window around `key`, the first positive observation's (or finds it placed by
    /// another thread's): the window's first key.
    #[cold]
    fn place(&self, key: i32) -> i32 {
        let base = key.saturating_sub(WINDOW as i32 / 2).max(self.lowest);
        // The counters are independent atomics: only the one value of `base` matters, not
        // what it orders.
        match self.base.compare_exchange(UNPLACED, base, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => base,
            Err(placed) => placed,
        }
    }

    /// The key of `magnitude` (positive): [`key`], from the bits of a normal number and a table
    /// for the schema, without dividing or searching.
    #[inline]
    fn key(&self, magnitude: f64) -> i32 {
        let bits = magnitude.to_bits();
        let biased = (bits >> 52) as i32;
        // 0 (subnormal) and 0x7ff (infinite) in one comparison.
        if (biased - 1) as u32 >= 0x7fe {
            // Subnormal, infinite: rare, the reference way.
            return key(magnitude, self.schema);
        }
        // magnitude = 2^exponent * (1 + mantissa / 2^52).
        let exponent = biased - 1023;
        let mantissa = bits & MANTISSA;
        match self.octave {
            Some(octave) => (exponent << self.schema) + octave.index(mantissa),
            None => {
                let key = exponent + i32::from(mantissa != 0);
                (key + (1 << -self.schema) - 1) >> -self.schema
            }
        }
    }

    pub(crate) fn reset(&self) {
        self.zero.store(0, Ordering::Relaxed);
        let second = self.second.get().map(|second| &second.counters[..]).unwrap_or_default();
        for counter in self.window.iter().chain(second) {
            counter.store(0, Ordering::Relaxed);
        }
        self.positive.reset();
        self.negative.reset();
    }

    /// What an exposition writes: the buckets in use (into `positive` and `negative`, cleared
    /// first), at the schema that keeps them within `max_buckets`, which it returns with the
    /// zero bucket.
    pub(crate) fn read_into(&self, positive: &mut Vec<(i32, u64)>, negative: &mut Vec<(i32, u64)>) -> NativeHead {
        positive.clear();
        negative.clear();
        // Each key is counted in one place: the first window when it covers it, else the second
        // when it covers it, else the blocks. Read from each, then put in key order.
        let windows = [
            Some(self.base.load(Ordering::Relaxed)).filter(|&base| base != UNPLACED).map(|base| (base, &self.window)),
            self.second.get().map(|second| (second.base, &second.counters)),
        ];
        for (base, counters) in windows.into_iter().flatten() {
            for (offset, counter) in counters.iter().enumerate() {
                let count = counter.load(Ordering::Acquire);
                if count > 0 {
                    positive.push((base + offset as i32, count));
                }
            }
        }
        self.positive.for_each(|position, count| positive.push((position as i32 + self.lowest, count)));
        positive.sort_unstable_by_key(|&(key, _)| key);
        self.negative.for_each(|position, count| negative.push((position as i32 + self.lowest, count)));
        let mut schema = self.schema;
        while positive.len() + negative.len() > self.max_buckets as usize && schema > -4 {
            merge(positive);
            merge(negative);
            schema -= 1;
        }
        NativeHead { schema, zero_threshold: self.zero_threshold, zero_count: self.zero.load(Ordering::Acquire) }
    }
}

/// The second window of positive buckets: its first key and counters.
struct SecondWindow {
    base: i32,
    counters: [AtomicU64; WINDOW],
}

impl SecondWindow {
    fn new(base: i32) -> Self {
        Self { base, counters: core::array::from_fn(|_| AtomicU64::new(0)) }
    }
}

/// Halves the resolution of `buckets` (keys increasing), in place: bucket `k` goes into
/// `ceil(k/2)`.
fn merge(buckets: &mut Vec<(i32, u64)>) {
    let mut len = 0;
    for i in 0..buckets.len() {
        let (key, count) = buckets[i];
        let key = (key + 1) >> 1;
        if len > 0 && buckets[len - 1].0 == key {
            buckets[len - 1].1 += count;
        } else {
            buckets[len] = (key, count);
            len += 1;
        }
    }
    buckets.truncate(len);
}

/// The schema and zero bucket of native buckets as an exposition reads them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NativeHead {
    pub(crate) schema: i32,
    pub(crate) zero_threshold: f64,
    pub(crate) zero_count: u64,
}

/// The key of the bucket of `magnitude` (positive, finite or not) at `schema`: the `k` with
/// `base^(k-1) < magnitude <= base^k`.
pub(crate) fn key(magnitude: f64, schema: i32) -> i32 {
    key_in(magnitude, schema, if schema > 0 { bounds(schema) } else { &[] })
}

fn key_in(magnitude: f64, schema: i32, octave: &[f64]) -> i32 {
    let magnitude = magnitude.min(f64::MAX);
    let (fraction, exponent) = frexp(magnitude);
    if schema > 0 {
        // The first bound not below the fraction.
        let index = octave.partition_point(|&bound| bound < fraction) as i32;
        index + (exponent - 1) * (1 << schema)
    } else {
        let mut key = exponent;
        if fraction == 0.5 {
            key -= 1;
        }
        let offset = (1 << -schema) - 1;
        (key + offset) >> -schema
    }
}

/// The mantissa bits of an `f64`.
const MANTISSA: u64 = (1 << 52) - 1;

/// Bits of the mantissa that index [`Octave::below`]: 512 slices of an octave, narrower than
/// the space between two bounds even at schema 8, so that a slice holds at most one bound.
const SLICE_BITS: u32 = 9;

/// The bounds within one power of two at one schema, as mantissas: a bound `2^(i/2^schema)` is
/// `1 + mantissa / 2^52`, rounded as the `f64` bound `2^(i/2^schema) / 2` the Go client
/// compares with.
///
/// Both tables are inline, so that finding a key reads the table once it has the octave (two
/// loads, one depending on the other), not a pointer to each table first.
pub(crate) struct Octave {
    /// `mantissas[i]`: bound `i`'s, increasing (`mantissas[0]` is 0: the power of two), for
    /// `i` below `2^schema`; `u64::MAX` after, so that no mantissa is above them. As long as
    /// `below`, so that any count of it indexes this without a check.
    mantissas: [u64; 1 << SLICE_BITS],
    /// `below[slice]`: how many bounds are below the slice's first mantissa.
    below: [u16; 1 << SLICE_BITS],
}

impl Octave {
    fn new(schema: i32) -> Self {
        let mut mantissas = [u64::MAX; 1 << SLICE_BITS];
        for (slot, &bound) in mantissas.iter_mut().zip(bounds(schema)) {
            *slot = (bound * 2.0).to_bits() & MANTISSA;
        }
        let below = core::array::from_fn(|slice| {
            let start = (slice as u64) << (52 - SLICE_BITS);
            mantissas.iter().filter(|&&mantissa| mantissa < start).count() as u16
        });
        Self { mantissas, below }
    }

    /// How many bounds are below `1 + mantissa / 2^52`: the bucket's index within the octave.
    #[inline]
    fn index(&self, mantissa: u64) -> i32 {
        const SLICES: usize = (1 << SLICE_BITS) - 1;
        let below = self.below[(mantissa >> (52 - SLICE_BITS)) as usize & SLICES];
        // The next bound may sit in the same slice, below the mantissa.
        let next = self.mantissas[below as usize & SLICES] < mantissa;
        i32::from(below) + i32::from(next)
    }
}

/// The [`Octave`] of `schema` (1 to 8), built once.
fn octave(schema: i32) -> &'static Octave {
    static OCTAVES: [OnceLock<Octave>; 8] = [const { OnceLock::new() }; 8];
    let index = (schema.clamp(1, 8) - 1) as usize;
    OCTAVES[index].get_or_init(|| Octave::new(index as i32 + 1))
}

/// `(fraction, exponent)` with `value = fraction * 2^exponent`, `fraction` in `[0.5, 1)`, for a
/// positive finite `value`.
#[inline]
fn frexp(value: f64) -> (f64, i32) {
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: scale into the normal range first.
        let (fraction, exponent) = frexp(value * f64::from_bits(0x43f0_0000_0000_0000)); // 2^64
        return (fraction, exponent - 64);
    }
    let fraction = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (fraction, biased - 1022)
}

/// The bucket bounds within one power of two for `schema` (1 to 8): `2^(i/2^schema) / 2`.
fn bounds(schema: i32) -> &'static [f64] {
    static BOUNDS: [OnceLock<Box<[f64]>>; 8] = [const { OnceLock::new() }; 8];
    let index = (schema.clamp(1, 8) - 1) as usize;
    BOUNDS[index].get_or_init(|| {
        let count = 1 << (index + 1);
        (0..count).map(|i| f64::powf(2.0, f64::from(i) / f64::from(count)) / 2.0).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The upper bound of bucket `key` at `schema`.
    fn upper(key: i32, schema: i32) -> f64 {
        f64::powf(2.0, f64::from(key) * f64::powi(2.0, -schema))
    }

    #[test]
    fn keys_put_each_value_in_the_bucket_that_covers_it() {
        for schema in -4..=8 {
            for value in [1e-300, 1e-9, 0.001, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 1000.0, 123_456.789, 1e300] {
                let key = key(value, schema);
                // Allow for the rounding of the bounds themselves.
                assert!(value <= upper(key, schema) * (1.0 + 1e-12), "{value} above bucket {key} at schema {schema}");
                assert!(
                    value > upper(key - 1, schema) * (1.0 - 1e-12),
                    "{value} not above bucket {} at schema {schema}",
                    key - 1
                );
            }
            // A power of two is the upper bound of its bucket at every schema.
            assert_eq!(key(1.0, schema), 0);
            assert_eq!(key(2.0, schema), 1 << schema.max(0), "schema {schema}");
        }
        assert_eq!(key(f64::INFINITY, 3), key(f64::MAX, 3));
        assert_eq!(frexp(f64::from_bits(1)), (0.5, -1073));
        assert_eq!(frexp(8.0), (0.5, 4));
    }

    /// The fast key, from bits and tables, is the reference key (`frexp` and a search of the
    /// bounds, as the Go client finds it) for every schema, around every bound and power of two.
    #[test]
    fn fast_keys_are_the_reference_keys() {
        let mut values = vec![f64::MIN_POSITIVE, f64::MAX, 1.0, 0.5, 3.0, 1e-300, 1e300];
        let mut state = 0x1234_5678_9abc_def0u64;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            values.push(f64::from_bits((state >> 2) & 0x7fef_ffff_ffff_ffff).max(f64::MIN_POSITIVE));
        }
        for schema in 1..=8 {
            for &bound in bounds(schema) {
                let bound = bound * 2.0;
                for value in [bound, f64::from_bits(bound.to_bits() + 1), f64::from_bits(bound.to_bits() - 1)] {
                    values.extend([value, value * 1024.0, value / 1024.0]);
                }
            }
        }
        for schema in -4..=8 {
            let buckets = NativeBuckets::new(&Native { schema: schema as i8, max_buckets: 160, zero_threshold: 0.0 });
            for &value in &values {
                assert_eq!(
                    buckets.key(value),
                    key(value, schema),
                    "{value:e} ({:#x}) at schema {schema}",
                    value.to_bits()
                );
            }
        }
    }

    #[test]
    fn the_default_is_schema_3() {
        assert_eq!(Native::with_factor(1.1).unwrap(), Native::DEFAULT);
        assert_eq!(Native::with_factor(2.0).unwrap().schema, 0);
        assert!(Native::with_factor(0.5).is_err());
    }

    type Buckets = Vec<(i32, u64)>;

    /// The head and buckets an exposition reads.
    fn read(buckets: &NativeBuckets) -> (NativeHead, Buckets, Buckets) {
        let (mut positive, mut negative) = (Vec::new(), Vec::new());
        let head = buckets.read_into(&mut positive, &mut negative);
        (head, positive, negative)
    }

    fn native(schema: i8, max_buckets: u32) -> NativeBuckets {
        NativeBuckets::new(&Native { schema, max_buckets, zero_threshold: 2f64.powi(-128) })
    }

    #[test]
    fn observations_land_in_their_buckets_and_the_zero_bucket() {
        let buckets = native(0, 160);
        for value in [0.0, 1e-40, -1e-40, 1.0, 1.0, 3.0, -0.75, f64::NAN, 2f64.powi(-128)] {
            buckets.observe(value);
        }
        let (head, positive, negative) = read(&buckets);
        assert_eq!(
            head,
            NativeHead { schema: 0, zero_threshold: 2f64.powi(-128), zero_count: 4 },
            "0, ±1e-40 and the threshold itself"
        );
        assert_eq!(positive, [(0, 2), (2, 1)]);
        assert_eq!(negative, [(0, 1)]);
        buckets.reset();
        let (head, positive, negative) = read(&buckets);
        assert_eq!((head.zero_count, positive.len(), negative.len()), (0, 0, 0));
    }

    /// Over `max_buckets`, the resolution halves until the buckets fit, each merged bucket
    /// holding what the coarser schema's bucket would have counted.
    #[test]
    fn too_many_buckets_halve_the_resolution() {
        let fine = native(3, 10);
        let values: Vec<f64> = (1..=200).map(|i| f64::from(i) * 0.37).collect();
        for &value in &values {
            fine.observe(value);
        }
        let (head, positive, _) = read(&fine);
        assert!(head.schema < 3);
        assert!(positive.len() <= 10, "{positive:?}");
        let coarse = native(head.schema as i8, 1000);
        for &value in &values {
            coarse.observe(value);
        }
        assert_eq!(read(&coarse).1, positive);
        assert_eq!(positive.iter().map(|&(_, count)| count).sum::<u64>(), 200);
    }

    /// Values inside and outside the window, before and after it is placed, come out once
    /// each, keys increasing.
    #[test]
    fn the_window_and_the_blocks_read_as_one() {
        for schema in [0, 3, 8] {
            windows_and_blocks(schema, &[4.0, 1e-30, 1e30, 3.0, 1e-20, 2f64.powi(60), 2f64.powi(-60), 5e25, 4.0]);
            // At schema 3 each window covers 16 powers of two: the first around 1, the second
            // next to it (above or below, as the first value outside), the rest in blocks.
            let spread: Vec<f64> = (-40..40).map(|power| 1.3 * 2f64.powi(power)).collect();
            windows_and_blocks(schema, &spread);
            let mut downwards = spread.clone();
            downwards.reverse();
            windows_and_blocks(schema, &downwards);
        }
    }

    fn windows_and_blocks(schema: i8, values: &[f64]) {
        let buckets = NativeBuckets::new(&Native { schema, max_buckets: 10_000, zero_threshold: 0.0 });
        for &value in values {
            buckets.observe(value);
        }
        let (_, positive, _) = read(&buckets);
        let mut expected: Vec<(i32, u64)> = Vec::new();
        for &value in values {
            let key = key(value, i32::from(schema));
            match expected.iter_mut().find(|(seen, _)| *seen == key) {
                Some(bucket) => bucket.1 += 1,
                None => expected.push((key, 1)),
            }
        }
        expected.sort();
        assert_eq!(positive, expected);
        assert!(positive.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn extreme_values_find_a_bucket() {
        let buckets = NativeBuckets::new(&Native { schema: 8, max_buckets: 160, zero_threshold: 0.0 });
        for value in [f64::MAX, f64::INFINITY, f64::from_bits(1), -f64::MAX, f64::NEG_INFINITY] {
            buckets.observe(value);
        }
        let (_, positive, negative) = read(&buckets);
        assert_eq!(positive.iter().map(|&(_, count)| count).sum::<u64>(), 3);
        assert_eq!(negative.iter().map(|&(_, count)| count).sum::<u64>(), 2);
    }
}
