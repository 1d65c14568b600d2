//! The series of a family in export order, with their labels rendered: made at a scrape when
//! series were added or removed since the last one, and read as it is otherwise.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::exposition::protobuf::write_label_field;
use crate::family::Family;
use crate::family::front::FrontCoded;
use crate::index::buckets::MAX_ENTRIES;
use crate::index::dense::DenseLive;
use crate::index::entry::Entry;
use crate::index::life::created_in;
use crate::index::slab::Key;
use crate::labels::escape::write_label_pair;
use crate::labels::key::{KeyValue, key_values};
use crate::metric::OVERFLOW_LABEL;
use crate::metric::names::{Escaping, escaped_name, is_label_name};
use crate::series::Series;

/// The series in export order, with their labels rendered (`a="x",b="y"`, the same text in
/// both formats): a scrape copies them instead of decoding and escaping every key again. The
/// rendered labels are kept front-coded ([`FrontCoded`]): sorted by their values, neighbours
/// share most of their text, which is then kept once.
pub(super) struct Export<S> {
    pub(super) order: Vec<SeriesRef>,
    /// The series of a removable metric's open labels, as they were when the order was made;
    /// emptied when a series is removed, so that it holds none past its removal.
    pub(super) leased: Vec<Arc<Entry<S>>>,
    /// The rendered labels of every series, in order.
    pub(super) labels: FrontCoded,
    /// The label pairs of every series as the protobuf format writes them, in order: made by
    /// the first protobuf exposition after the order, kept as long as it.
    pub(super) proto: FrontCoded,
    /// When each series was created, made with `proto` (which is made when this holds one
    /// time per series).
    pub(super) proto_created: Vec<u32>,
    /// The escaping the labels were rendered with, when the family has label names that are
    /// not legacy names (which each scheme writes its own way).
    escaping: Escaping,
    /// Where a scrape reads each series' labels into (with the registry's constant labels
    /// after them), kept between scrapes so that a scrape allocates nothing.
    pub(super) line: Vec<u8>,
}

impl<S> Default for Export<S> {
    fn default() -> Self {
        Self {
            order: Vec::new(),
            leased: Vec::new(),
            labels: FrontCoded::default(),
            proto: FrontCoded::default(),
            proto_created: Vec::new(),
            escaping: Escaping::default(),
            line: Vec::new(),
        }
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
/// stops at `MAX_ENTRIES`, below it; a billion removable series would take 125 GB).
const MAX_POSITION: u32 = (1 << 30) - 1;

const _: () = assert!(MAX_ENTRIES <= MAX_POSITION as usize);

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

    fn is_overflow(self) -> bool {
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
    /// the order of the label names, as `prometheus::Registry::gather` sorts them, and their
    /// labels rendered, their names as `escaping` writes them. Made again only when series were
    /// added or removed, and the labels rendered again when the family has UTF-8 label names
    /// and a scrape asks for another escaping than the last.
    pub(super) fn order(&self, export: &mut Export<S>, dense: &[DenseLive], escaping: Escaping) {
        // Read first: the common case, no removal, writes nothing. Relaxed (both): see
        // `Family::remove`, which sets the flag; this swap only takes it back.
        if self.inner.removed.load(Ordering::Relaxed) && self.inner.removed.swap(false, Ordering::Relaxed) {
            export.invalidate();
        }
        let count = dense.len() + self.open_count();
        if export.order.len() == count {
            if export.escaping != escaping && !self.inner.desc.labels.iter().all(|name| is_label_name(name)) {
                let view = View { dense, leased: &export.leased };
                let mut labels = core::mem::take(&mut export.labels);
                self.render_all(&export.order, &view, escaping, &mut labels);
                (export.labels, export.escaping) = (labels, escaping);
                export.proto.clear();
                export.proto_created.clear();
            }
            return;
        }
        export.escaping = escaping;
        let Export { order, leased, labels, proto, proto_created, .. } = export;
        proto.clear();
        proto_created.clear();
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
        // The number of label pairs first, as `gather` compares them: the overflow series
        // has one.
        let pairs = |series: SeriesRef, len: usize| if series.is_overflow() { 1 } else { len };
        order.sort_by(|&a, &b| {
            let (a_key, b_key) = (self.key(&view, a), self.key(&view, b));
            let (a_values, a_len) = key_values(a_key.as_deref().unwrap_or_default());
            let (b_values, b_len) = key_values(b_key.as_deref().unwrap_or_default());
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
        self.render_all(order, &view, escaping, labels);
        // Kept until series are added: no room for growth.
        order.shrink_to_fit();
        leased.shrink_to_fit();
    }

    /// Renders the labels of every series of `order` into `labels`.
    fn render_all(&self, order: &[SeriesRef], view: &View<'_, S>, escaping: Escaping, labels: &mut FrontCoded) {
        labels.clear();
        let (mut previous, mut current) = (Vec::new(), Vec::new());
        for &series in order {
            current.clear();
            self.render_labels(&mut current, view, series, escaping);
            labels.push(&previous, &current);
            core::mem::swap(&mut previous, &mut current);
        }
        labels.shrink_to_fit();
    }

    /// The key of `series`; `None` for the overflow series.
    pub(super) fn key<'a>(&'a self, view: &View<'a, S>, series: SeriesRef) -> Option<Key<'a>> {
        match series.place() {
            Place::Dense(position) => view.dense.get(position as usize).map(|live| Key::Borrowed(&live.key)),
            Place::Open(id) => self.inner.open.get(id as usize).map(|entry| entry.key()),
            Place::Leased(position) => view.leased.get(position as usize).map(|entry| Key::Borrowed(&entry.key)),
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
            // Relaxed: see `Family::overflow`, the one store.
            Place::Overflow => self.inner.overflow_created.load(Ordering::Relaxed),
        }
    }

    /// The series `series` points to. Inlined into the scrape's loop, which calls it once a
    /// series.
    #[inline(always)]
    pub(super) fn series_at<'a>(&'a self, view: &View<'a, S>, series: SeriesRef) -> Option<&'a S> {
        match series.place() {
            Place::Dense(position) => {
                self.dense.slot(view.dense.get(position as usize)?.index).map(|slot| slot.series())
            }
            Place::Open(id) => self.inner.open.get(id as usize)?.series(),
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
    fn names_in_order(&self, series: SeriesRef) -> impl Iterator<Item = &'static str> + '_ {
        let overflow = series.is_overflow();
        let labels = self.inner.desc.labels;
        let declared =
            self.inner.name_order.iter().filter(move |_| !overflow).filter_map(move |&i| labels.get(i).copied());
        declared.chain(overflow.then_some(OVERFLOW_LABEL))
    }

    /// The label pairs of a series, its own and the set's constant labels, sorted by name (as
    /// `prometheus` sorts a metric's pairs).
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

    /// Makes the protobuf label pairs of every series of `export`, if not made since its order
    /// was; label names that are not legacy names as `escaping` writes them (which the order
    /// was made with).
    pub(super) fn proto_labels(&self, export: &mut Export<S>, view: &View<'_, S>, escaping: Escaping) {
        if export.proto_created.len() == export.order.len() {
            return;
        }
        export.proto.clear();
        export.proto_created.clear();
        let runs = self.inner.open.created().read();
        let (mut previous, mut current) = (Vec::new(), Vec::new());
        for &series in &export.order {
            export.proto_created.push(self.created(view, &runs, series));
            let key = self.key(view, series);
            let (values, len) = key_values(key.as_deref().unwrap_or_default());
            current.clear();
            for (name, value) in self.pairs(&values, len, series) {
                let name = match escaping {
                    _ if is_label_name(name) => name.into(),
                    Escaping::AllowUtf8 => std::borrow::Cow::Borrowed(name),
                    _ => escaped_name(name, escaping, true).into(),
                };
                value.with_text(|text| write_label_field(&mut current, name.as_bytes(), text));
            }
            export.proto.push(&previous, &current);
            core::mem::swap(&mut previous, &mut current);
        }
        export.proto.shrink_to_fit();
        export.proto_created.shrink_to_fit();
    }

    /// Appends the labels of `series` to `out`, as `a="x",b="y"`, the names as `escaping`
    /// writes them.
    fn render_labels(&self, out: &mut Vec<u8>, view: &View<'_, S>, series: SeriesRef, escaping: Escaping) {
        let key = self.key(view, series);
        let (values, len) = key_values(key.as_deref().unwrap_or_default());
        for (position, (name, value)) in self.pairs(&values, len, series).enumerate() {
            value.with_text(|text| write_label_pair(out, position > 0, name, escaping, text));
        }
    }
}
