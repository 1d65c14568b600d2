//! Where the open index's slots are allocated: buckets that double from [`FIRST`] slots up to
//! [`CHUNK`], then chunks of [`CHUNK`] slots each, named by a directory made with the first of
//! them. A slot never moves.
//!
//! A bucket is built whole when its first slot is needed, under the open index's writer lock,
//! which the creator of that series waits for: capping the bucket at [`CHUNK`] slots (384 KiB
//! of integer counters) keeps that wait short at any size, where a bucket doubling without end
//! would take 12 MiB at 1,000,000 series, built in about 5 ms. It also keeps the room allocated
//! and not yet used to one chunk, where the last doubling bucket is up to half empty. The
//! directory takes 48 KiB, once a family holds more than 32,736 series.

// `std`'s `OnceLock` in the model checks too (loom has none): a bucket is allocated once, under
// the writer lock, before any slot in it is published by the slab's length, which loom sees.
use std::sync::OnceLock;

/// The most entries an open index holds: 33,554,431, past what one metric of a process holds
/// (Prometheus itself is run with a few million series); the records of more go to the
/// overflow series.
#[cfg(not(solti_loom))]
pub(crate) const MAX_ENTRIES: usize = (1 << 25) - 1;

/// Under the model checker, 1,023: the chunks' directory is then made of 127 places, not 4
/// million, in each execution that reaches it.
#[cfg(solti_loom)]
pub(crate) const MAX_ENTRIES: usize = (1 << 10) - 1;

/// Slots of the first bucket.
#[cfg(not(solti_loom))]
const FIRST_BITS: u32 = 5;

/// Slots of a chunk, the largest bucket.
#[cfg(not(solti_loom))]
const CHUNK_BITS: u32 = 14;

/// Two slots, then chunks of eight under the model checker, whose every slot is atomics loom
/// tracks.
#[cfg(solti_loom)]
const FIRST_BITS: u32 = 1;

#[cfg(solti_loom)]
const CHUNK_BITS: u32 = 3;

const FIRST: usize = 1 << FIRST_BITS;
const CHUNK: usize = 1 << CHUNK_BITS;

/// The doubling buckets: `FIRST << b` slots for `b` below this, the last of them a chunk.
const DOUBLING: usize = (CHUNK_BITS - FIRST_BITS + 1) as usize;

/// The slots of the doubling buckets together.
const DOUBLED: usize = FIRST * ((1 << DOUBLING) - 1);

/// The chunks after them, enough for [`MAX_ENTRIES`].
const CHUNKS: usize = (MAX_ENTRIES - DOUBLED).div_ceil(CHUNK);

/// A bucket: its slots, once allocated.
type Bucket<T> = OnceLock<Box<[T]>>;

/// Where slot `at` is: its bucket (a doubling one, or the chunk after them) and its place in it.
#[derive(Debug, PartialEq)]
enum Place {
    Doubling(usize, usize),
    Chunk(usize, usize),
}

#[inline(always)]
fn place(at: usize) -> Place {
    if at < DOUBLED {
        let bucket = (at / FIRST + 1).ilog2() as usize;
        Place::Doubling(bucket, at - FIRST * ((1 << bucket) - 1))
    } else {
        let past = at - DOUBLED;
        Place::Chunk(past >> CHUNK_BITS, past & (CHUNK - 1))
    }
}

pub(crate) struct Buckets<T> {
    doubling: [Bucket<T>; DOUBLING],
    /// The chunks' directory, made with the first chunk.
    chunks: OnceLock<Box<[Bucket<T>]>>,
}

impl<T> Default for Buckets<T> {
    fn default() -> Self {
        Self { doubling: [const { OnceLock::new() }; DOUBLING], chunks: OnceLock::new() }
    }
}

impl<T> Buckets<T> {
    /// The bucket of slot `at` and the slot's place in it.
    #[inline(always)]
    fn bucket(&self, at: usize) -> Option<(&Bucket<T>, usize)> {
        match place(at) {
            Place::Doubling(bucket, offset) => Some((self.doubling.get(bucket)?, offset)),
            Place::Chunk(chunk, offset) => Some((self.chunks.get()?.get(chunk)?, offset)),
        }
    }

    /// Slot `at`, if its bucket is allocated.
    #[inline(always)]
    pub(crate) fn get(&self, at: usize) -> Option<&T> {
        let (bucket, offset) = self.bucket(at)?;
        bucket.get()?.get(offset)
    }

    /// Slot `at`, its bucket allocated first if it is not, each of its slots made by `empty`;
    /// `None` past [`MAX_ENTRIES`].
    pub(crate) fn get_or_allocate(&self, at: usize, empty: impl Fn() -> T) -> Option<&T> {
        if at >= MAX_ENTRIES {
            return None;
        }
        let (len, offset) = match place(at) {
            Place::Doubling(bucket, offset) => (FIRST << bucket, offset),
            Place::Chunk(_, offset) => {
                self.chunks.get_or_init(|| (0..CHUNKS).map(|_| OnceLock::new()).collect());
                (CHUNK, offset)
            }
        };
        let (bucket, _) = self.bucket(at)?;
        bucket.get_or_init(|| (0..len).map(|_| empty()).collect()).get(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_fill_each_bucket_then_each_chunk_in_turn() {
        let mut expected = Place::Doubling(0, 0);
        for at in 0..DOUBLED + 3 * CHUNK {
            assert_eq!(place(at), expected, "slot {at}");
            expected = match expected {
                Place::Doubling(bucket, offset) if offset + 1 < FIRST << bucket => Place::Doubling(bucket, offset + 1),
                Place::Doubling(bucket, _) if bucket + 1 < DOUBLING => Place::Doubling(bucket + 1, 0),
                Place::Doubling(..) => Place::Chunk(0, 0),
                Place::Chunk(chunk, offset) if offset + 1 < CHUNK => Place::Chunk(chunk, offset + 1),
                Place::Chunk(chunk, _) => Place::Chunk(chunk + 1, 0),
            };
        }
        assert_eq!(place(MAX_ENTRIES - 1), Place::Chunk(CHUNKS - 1, (MAX_ENTRIES - 1 - DOUBLED) % CHUNK));
    }

    #[test]
    fn slots_are_allocated_a_bucket_at_a_time_and_kept() {
        let buckets = Buckets::<u32>::default();
        assert!(buckets.get(0).is_none());
        let far = DOUBLED + 2 * CHUNK + 5;
        for at in [0, FIRST, DOUBLED - 1, DOUBLED, far] {
            assert_eq!(buckets.get_or_allocate(at, || 7), Some(&7), "slot {at}");
            assert!(std::ptr::eq(buckets.get(at).unwrap(), buckets.get_or_allocate(at, || 8).unwrap()));
        }
        // The chunk between was never needed.
        assert!(buckets.get(DOUBLED + CHUNK).is_none());
        assert!(buckets.get_or_allocate(MAX_ENTRIES, || 7).is_none());
    }
}
