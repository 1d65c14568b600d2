//! The series of a family in export order: made at a scrape when series were added or removed
//! since the last one, and read as it is otherwise.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::family::Family;
use crate::family::pairs::Plan;
use crate::index::dense::DenseLive;
use crate::index::entry::Entry;
use crate::index::life::created_in;
use crate::index::open::MAX_ENTRIES;
use crate::labels::key::{KeyValue, key_values};
#[cfg(feature = "prometheus")]
use crate::metric::OVERFLOW_LABEL;
use crate::series::Series;

/// The series in export order: a scrape writes their labels from their keys, with the pieces
/// between the values planned once per family and format ([`Plan`]).
pub(super) struct Export<S> {
    pub(super) order: Vec<SeriesRef>,
    /// The series of a removable metric's open labels, as they were when the order was made;
    /// emptied when a series is removed, so that it holds none past its removal.
    pub(super) leased: Vec<Arc<Entry<S>>>,
    /// The label pairs' pieces in the text formats, for the last escaping asked.
    pub(super) text: Plan,
    /// The same in the protobuf format.
    pub(super) proto: Plan,
}

impl<S> Default for Export<S> {
    fn default() -> Self {
        Self { order: Vec::new(), leased: Vec::new(), text: Plan::default(), proto: Plan::default() }
    }
}

impl<S> Export<S> {
    /// Forgets the order, to be made again at the next exposition, and frees what it held.
    pub(super) fn invalidate(&mut self) {
        *self = Self::default();
    }
}

/// Where an exported series lives ([`Place`]), in 4 bytes: the export order holds one per
/// series, kept between scrapes. The place in the top two bits, the position in the others.
#[derive(Clone, Copy)]
pub(super) struct SeriesRef(u32);

/// Where an exported series lives.
#[derive(Clone, Copy)]
pub(super) enum Place {
    /// Position in `Inner::dense_live`.
    Dense(u32),
    /// Number of an open entry.
    Open(u32),
    /// Position in `Export::leased`.
    Leased(u32),
    Overflow,
}

/// Positions go in the low 30 bits: a family holds fewer series than that (the open index
/// stops at `MAX_ENTRIES`, this).
const MAX_POSITION: u32 = MAX_ENTRIES as u32;

impl SeriesRef {
    fn new(place: Place) -> Self {
        let (tag, position) = match place {
            Place::Dense(position) => (0, position),
            Place::Open(position) => (1, position),
            Place::Leased(position) => (2, position),
            Place::Overflow => (3, 0),
        };
        Self(tag << 30 | position.min(MAX_POSITION))
    }

    pub(super) fn place(self) -> Place {
        let position = self.0 & MAX_POSITION;
        match self.0 >> 30 {
            0 => Place::Dense(position),
            1 => Place::Open(position),
            2 => Place::Leased(position),
            _ => Place::Overflow,
        }
    }

    pub(super) fn is_overflow(self) -> bool {
        self.0 >> 30 == 3
    }
}

/// Where the keys and series that a [`SeriesRef`] points to are read from.
pub(super) struct View<'a, S> {
    pub(super) dense: &'a [DenseLive],
    pub(super) leased: &'a [Arc<Entry<S>>],
}

impl<S: Series, const LABELLED: bool> Family<S, LABELLED> {
    /// Brings `export` up to date with the series that exist: sorted by their label values in
    /// the order of the label names, as `prometheus::Registry::gather` sorts them. Made again
    /// only when series were added or removed.
    pub(super) fn order(&self, export: &mut Export<S>, dense: &[DenseLive]) {
        // Read first: the common case, no removal, writes nothing.
        if self.inner.removed.load(Ordering::Relaxed) && self.inner.removed.swap(false, Ordering::Relaxed) {
            export.invalidate();
        }
        let count = dense.len() + self.open_count();
        if export.order.len() == count {
            return;
        }
        let Export { order, leased, .. } = export;
        order.clear();
        leased.clear();
        if let Some(index) = &self.inner.removable {
            index.snapshot(leased);
        }
        order.extend((0..dense.len()).map(|position| SeriesRef::new(Place::Dense(position as u32))));
        order.extend(self.inner.open.iter().map(|(id, _)| SeriesRef::new(Place::Open(id as u32))));
        order.extend((0..leased.len()).map(|position| SeriesRef::new(Place::Leased(position as u32))));
        order.extend(self.inner.overflow.get().map(|_| SeriesRef::new(Place::Overflow)));
        let view = View { dense, leased };
        let values = |series: SeriesRef| {
            let key = self.key(&view, series).unwrap_or_default();
            key_values(key)
        };
        // The number of label pairs first, as `gather` compares them: the overflow series
        // has one.
        let pairs = |series: SeriesRef, len: usize| if series.is_overflow() { 1 } else { len };
        order.sort_by(|&a, &b| {
            let ((a_values, a_len), (b_values, b_len)) = (values(a), values(b));
            let (a_pairs, b_pairs) = (pairs(a, a_len), pairs(b, b_len));
            let a_values = self.in_name_order(&a_values, a_len, a);
            let b_values = self.in_name_order(&b_values, b_len, b);
            a_pairs.cmp(&b_pairs).then_with(|| {
                for (a, b) in a_values.zip(b_values) {
                    let order = a.with_text(|a| b.with_text(|b| a.cmp(b)));
                    if order.is_ne() {
                        return order;
                    }
                }
                core::cmp::Ordering::Equal
            })
        });
        // Kept until series are added: no room for growth.
        order.shrink_to_fit();
        leased.shrink_to_fit();
    }

    /// The key of `series`; `None` for the overflow series.
    pub(super) fn key<'a>(&'a self, view: &View<'a, S>, series: SeriesRef) -> Option<&'a [u8]> {
        match series.place() {
            Place::Dense(position) => view.dense.get(position as usize).map(|live| &*live.key),
            Place::Open(id) => self.inner.open.get(id as usize).map(|entry| &*entry.key),
            Place::Leased(position) => view.leased.get(position as usize).map(|entry| &*entry.key),
            Place::Overflow => None,
        }
    }

    /// When `series` was created, in Unix seconds; `runs` are the open index's creation times
    /// ([`OpenIndex::created`](crate::index::open::OpenIndex::created)), read once per scrape.
    pub(super) fn created(&self, view: &View<'_, S>, runs: &[(u32, u32)], series: SeriesRef) -> u32 {
        match series.place() {
            Place::Dense(position) => view.dense.get(position as usize).map_or(0, |live| live.life.created),
            Place::Open(id) => created_in(runs, id),
            Place::Leased(position) => view.leased.get(position as usize).map_or(0, |entry| entry.life.created),
            Place::Overflow => self.inner.overflow_created.load(Ordering::Relaxed),
        }
    }

    /// The series `series` points to.
    pub(super) fn series_at<'a>(&'a self, view: &View<'a, S>, series: SeriesRef) -> Option<&'a S> {
        match series.place() {
            Place::Dense(position) => {
                self.dense.slot(view.dense.get(position as usize)?.index).map(|slot| slot.series())
            }
            Place::Open(id) => self.inner.open.get(id as usize).map(|entry| &entry.series),
            Place::Leased(position) => view.leased.get(position as usize).map(|entry| &entry.series),
            Place::Overflow => self.inner.overflow.get(),
        }
    }

    /// The label values of a series (as read from its key) in the order of the label names;
    /// the overflow series has one value, `true`.
    fn in_name_order<'v>(
        &'v self,
        values: &'v [KeyValue<'v>],
        len: usize,
        series: SeriesRef,
    ) -> impl Iterator<Item = KeyValue<'v>> + 'v {
        let overflow = series.is_overflow();
        let declared = self
            .inner
            .name_order
            .iter()
            .filter(move |_| !overflow)
            .filter_map(move |&i| if i < len { values.get(i).copied() } else { None });
        let overflow_value = overflow.then_some(KeyValue::Str(b"true"));
        declared.chain(overflow_value)
    }

    /// The label names in the order they are exported.
    #[cfg(feature = "prometheus")]
    fn names_in_order(&self, series: SeriesRef) -> impl Iterator<Item = &'static str> + '_ {
        let overflow = series.is_overflow();
        let labels = self.inner.desc.labels;
        let declared =
            self.inner.name_order.iter().filter(move |_| !overflow).filter_map(move |&i| labels.get(i).copied());
        declared.chain(overflow.then_some(OVERFLOW_LABEL))
    }

    /// The label pairs of a series, its own and the set's constant labels, sorted by name (as
    /// `prometheus` sorts a metric's pairs).
    #[cfg(feature = "prometheus")]
    pub(super) fn pairs<'v>(
        &'v self,
        values: &'v [KeyValue<'v>],
        len: usize,
        series: SeriesRef,
    ) -> impl Iterator<Item = (&'v str, KeyValue<'v>)> + 'v {
        let own = self.names_in_order(series).zip(self.in_name_order(values, len, series));
        let constant = self.inner.const_labels.get().into_iter().flat_map(|pairs| pairs.iter());
        let constant = constant.map(|(name, value)| (name.as_str(), KeyValue::Str(value.as_bytes())));
        let (mut own, mut constant) = (own.peekable(), constant.peekable());
        core::iter::from_fn(move || match (own.peek(), constant.peek()) {
            (Some(a), Some(b)) if b.0 < a.0 => constant.next(),
            (Some(_), _) => own.next(),
            (None, _) => constant.next(),
        })
    }
}
