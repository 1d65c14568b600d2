//! How a scrape writes a series' label pairs: read from its key at each scrape, between
//! pieces made once per family. A pair's name, escaped as the scraper asks, and the set's
//! constant labels never change between series, so they are made into a [`Plan`] kept with
//! the export order; a series adds only its values. Nothing is kept per series: rendered
//! labels kept between scrapes would cost more memory than the series themselves.

use crate::exposition::protobuf::write_label_field;
use crate::family::Family;
use crate::labels::escape::{write_label_name, write_label_value};
use crate::labels::key::{KeyValue, MAX_LABELS, plain_spans, value_at, value_starts};
use crate::metric::OVERFLOW_LABEL;
use crate::metric::names::{Escaping, escaped_name, is_label_name};
use crate::series::Series;

/// The format a plan writes pairs for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// Both text formats: `a="x",b="y"`.
    Text,
    /// `LabelPair` fields of a protobuf `Metric`.
    Protobuf,
}

/// No value: a constant pair, written whole by its head.
const CONSTANT: u8 = u8::MAX;

/// The pieces of a family's label pairs, in the order a series writes them.
#[derive(Default)]
pub(super) struct Plan {
    /// What the plan was made for; `None` until it is made.
    made: Option<(Target, Escaping)>,
    bytes: Vec<u8>,
    /// Where each head ends in `bytes`, and the declared position of the value that follows
    /// it (or [`CONSTANT`]: none). In the text formats a head is all the text between two
    /// values (`",b="`, constant pairs included), and the last one closes the last value; in
    /// protobuf a head is a pair's escaped name, or a whole constant `LabelPair` field.
    parts: Vec<(u32, u8)>,
    /// The same for the overflow series, whose one label is `otel_metric_overflow="true"`,
    /// its heads in `bytes` from `overflow_start` on.
    overflow: Vec<(u32, u8)>,
    overflow_start: u32,
}

/// Where a pair's value comes from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// The value at this declared position of the key.
    Key(u8),
    Constant(&'a str),
}

impl Plan {
    /// Writes the label pairs of the series whose key is `key` (the overflow series when
    /// `overflow`).
    #[inline]
    pub(super) fn write(&self, out: &mut Vec<u8>, key: &[u8], overflow: bool) {
        let (parts, start) = if overflow { (&self.overflow, self.overflow_start) } else { (&self.parts, 0) };
        match self.made {
            Some((Target::Text, _)) => self.write_text(out, parts, start, key),
            Some((Target::Protobuf, _)) => self.write_protobuf(out, parts, start, key),
            None => {}
        }
    }

    /// The text formats: a head (the text between two values, with the quotes and commas
    /// around them), a value, and so on, the last head closing the last value.
    #[inline]
    fn write_text(&self, out: &mut Vec<u8>, parts: &[(u32, u8)], start: u32, key: &[u8]) {
        let mut spans = [(0, 0); MAX_LABELS];
        if !plain_spans(key, &mut spans) {
            self.write_text_values(out, parts, start, key);
            return;
        }
        let mut head = start as usize;
        for &(end, position) in parts {
            let end = end as usize;
            put(out, self.bytes.get(head..end).unwrap_or_default());
            head = end;
            // A constant pair's position is past the spans.
            if let Some(&(from, to)) = spans.get(usize::from(position)) {
                put(out, key.get(from as usize..to as usize).unwrap_or_default());
            }
        }
    }

    /// [`write_text`](Self::write_text) for a key with a value other than a short plain
    /// string: an integer, a long string or one to escape.
    #[cold]
    #[inline(never)]
    fn write_text_values(&self, out: &mut Vec<u8>, parts: &[(u32, u8)], mut start: u32, key: &[u8]) {
        let (starts, count) = value_starts(key);
        for &(end, position) in parts {
            out.extend_from_slice(self.bytes.get(start as usize..end as usize).unwrap_or_default());
            start = end;
            let value = starts.get(usize::from(position)).filter(|_| usize::from(position) < count);
            if let Some(value) = value.and_then(|&at| value_at(key, at)) {
                write_text_value(out, value);
            }
        }
    }

    /// The protobuf format: a `LabelPair` field per pair, its name from the plan.
    fn write_protobuf(&self, out: &mut Vec<u8>, parts: &[(u32, u8)], mut start: u32, key: &[u8]) {
        let (starts, count) = value_starts(key);
        for &(end, position) in parts {
            let head = self.bytes.get(start as usize..end as usize).unwrap_or_default();
            start = end;
            if position == CONSTANT {
                out.extend_from_slice(head);
                continue;
            }
            let value = starts.get(usize::from(position)).filter(|_| usize::from(position) < count);
            // A key of another shape (never written) loses the pair rather than the series.
            if let Some(value) = value.and_then(|&at| value_at(key, at)) {
                value.with_text(|text| write_label_field(out, head, text));
            }
        }
    }
}

/// Appends `bytes`. Heads and label values are mostly short, and a copy of a length known at
/// compile time is a few stores where one of a length known at run time is a call to
/// `memcpy`: up to 24 bytes, the length picks a copy of its own.
#[inline(always)]
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    macro_rules! by_length {
        ($($len:literal)*) => {
            match bytes.len() {
                $($len => if let Some(fixed) = bytes.first_chunk::<$len>() { out.extend_from_slice(fixed) },)*
                _ => out.extend_from_slice(bytes),
            }
        };
    }
    by_length!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24);
}

/// A label value as the text formats write it: escaped, integers formatted.
fn write_text_value(out: &mut Vec<u8>, value: KeyValue<'_>) {
    match value {
        KeyValue::Str(bytes) => write_label_value(out, bytes),
        other => other.with_text(|text| out.extend_from_slice(text)),
    }
}

impl<S: Series, const LABELLED: bool> Family<S, LABELLED> {
    /// Makes `plan` for `target` and `escaping`, unless it was made for them.
    pub(super) fn make_plan(&self, plan: &mut Plan, target: Target, escaping: Escaping) {
        if plan.made == Some((target, escaping)) {
            return;
        }
        plan.bytes.clear();
        let labels = self.inner.desc.labels;
        let own: Vec<(&str, Source<'_>)> = self
            .inner
            .name_order
            .iter()
            .filter_map(|&i| Some((*labels.get(i)?, Source::Key(u8::try_from(i).ok()?))))
            .collect();
        plan.parts = self.plan_parts(&mut plan.bytes, &own, target, escaping);
        let overflow = [(OVERFLOW_LABEL, Source::Constant("true"))];
        plan.overflow_start = u32::try_from(plan.bytes.len()).unwrap_or(u32::MAX);
        plan.overflow = self.plan_parts(&mut plan.bytes, &overflow, target, escaping);
        plan.made = Some((target, escaping));
    }

    /// Appends the heads of `own` merged with the set's constant labels by name (as
    /// `prometheus` sorts a metric's pairs) to `bytes`, returning the parts.
    fn plan_parts(
        &self,
        bytes: &mut Vec<u8>,
        own: &[(&str, Source<'_>)],
        target: Target,
        escaping: Escaping,
    ) -> Vec<(u32, u8)> {
        let constant = self.inner.const_labels.get().into_iter().flat_map(|pairs| pairs.iter());
        let mut constant = constant.map(|(name, value)| (name.as_str(), Source::Constant(value))).peekable();
        let mut own = own.iter().copied().peekable();
        let merged = core::iter::from_fn(|| match (own.peek(), constant.peek()) {
            (Some(a), Some(b)) if b.0 < a.0 => constant.next(),
            (Some(_), _) => own.next(),
            (None, _) => constant.next(),
        });
        let mut parts = Vec::new();
        let end = |bytes: &[u8]| u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        // Text: whether a value was placed and its closing quote is still to come.
        let mut open = false;
        for (index, (name, source)) in merged.enumerate() {
            match target {
                Target::Text => {
                    if open {
                        bytes.push(b'"');
                        open = false;
                    }
                    if index > 0 {
                        bytes.push(b',');
                    }
                    write_label_name(bytes, name, escaping);
                    bytes.extend_from_slice(b"=\"");
                    match source {
                        Source::Key(position) => {
                            parts.push((end(bytes), position));
                            open = true;
                        }
                        Source::Constant(value) => {
                            write_label_value(bytes, value.as_bytes());
                            bytes.push(b'"');
                        }
                    }
                }
                Target::Protobuf => {
                    let name = match escaping {
                        _ if is_label_name(name) => name.into(),
                        Escaping::AllowUtf8 => std::borrow::Cow::Borrowed(name),
                        _ => escaped_name(name, escaping, true).into(),
                    };
                    match source {
                        Source::Key(position) => {
                            bytes.extend_from_slice(name.as_bytes());
                            parts.push((end(bytes), position));
                        }
                        Source::Constant(value) => {
                            write_label_field(bytes, name.as_bytes(), value.as_bytes());
                            parts.push((end(bytes), CONSTANT));
                        }
                    }
                }
            }
        }
        if open {
            bytes.push(b'"');
        }
        if target == Target::Text {
            // The last head: what follows the last value (the constant pairs after it).
            parts.push((end(bytes), CONSTANT));
        }
        debug_assert!(parts.iter().filter(|part| part.1 != CONSTANT).count() <= MAX_LABELS);
        parts
    }
}
