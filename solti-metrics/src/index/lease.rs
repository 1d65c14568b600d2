//! What the recorder method of a removable metric returns: a series kept alive while held.

use std::sync::Arc;

use arc_swap::Guard;

use crate::index::entry::Entry;

/// A series of a metric declared `#[metric(removable)]` or `#[metric(expire_after = ..)]`,
/// as its recorder method returns it: it derefs to the series, and keeps it alive while held.
///
/// A lease is meant to be used at once (`metrics.sessions(user).inc()`). One held across the
/// removal of its series (by the `remove_` method, by `clear`, or by expiry) stays valid, but
/// what it records then is lost for a series of open labels (the removed series is no longer
/// exported; the next record through the recorder method starts a fresh one) and counted in
/// the fresh series for fixed labels (whose series live in a table, set back to zero when
/// removed).
pub struct Lease<'a, S>(Held<'a, S>);

enum Held<'a, S> {
    Borrowed(&'a S),
    Shared(Arc<Entry<S>>),
    /// From a recently-found slot: protected by a debt of the recording thread's, not by the
    /// entry's reference count.
    Recent(Guard<Arc<Entry<S>>>),
}

impl<'a, S> Lease<'a, S> {
    pub(crate) fn borrowed(series: &'a S) -> Self {
        Self(Held::Borrowed(series))
    }

    pub(crate) fn shared(entry: Arc<Entry<S>>) -> Self {
        Self(Held::Shared(entry))
    }
}

impl<S> core::ops::Deref for Lease<'_, S> {
    type Target = S;

    #[inline]
    fn deref(&self) -> &S {
        match &self.0 {
            Held::Borrowed(series) => series,
            Held::Shared(entry) => &entry.series,
            Held::Recent(entry) => &entry.series,
        }
    }
}

impl<S: core::fmt::Debug> core::fmt::Debug for Lease<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&**self, f)
    }
}

impl<'a, S> Lease<'a, S> {
    /// What the lease is made from: `"borrowed"`, `"shared"` (the shard) or `"recent"` (a
    /// recently-found slot).
    #[cfg(test)]
    pub(crate) fn source(&self) -> &'static str {
        match self.0 {
            Held::Borrowed(_) => "borrowed",
            Held::Shared(_) => "shared",
            Held::Recent(_) => "recent",
        }
    }

    /// A lease made from a recently-found slot.
    pub(crate) fn recent(entry: Guard<Arc<Entry<S>>>) -> Self {
        Self(Held::Recent(entry))
    }
}
