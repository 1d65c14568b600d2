//! Prometheus' protobuf format: length-delimited `io.prometheus.client.MetricFamily` messages
//! of the client model's `metrics.proto`, written straight into the caller's buffer from what
//! each series reads, field by field in field-number order, with no message structs and
//! nothing allocated per series.
//!
//! A nested message's length is known only once it is written: one byte is reserved for it,
//! and a message of 128 bytes or more is moved up by the bytes its length takes beyond that
//! ([`Nested::close`]). Most messages (a label pair, a counter, a metric of a few labels) stay
//! under 128 bytes; a family is moved once.
//!
//! The fields written are the ones Prometheus' Go client writes for the same data: `name`,
//! `help`, `type` and `unit` of a family; a metric's label pairs and its counter, gauge or
//! histogram; a histogram's count, sum and cumulative buckets without `+Inf` (unless an
//! exemplar sits there, as the Go client does); exemplars with their labels, value and
//! timestamp; a histogram's native buckets after its classic ones (schema, zero bucket, each
//! side's spans and deltas); the created timestamp of each counter and histogram series, in
//! whole seconds. Without those created timestamps, units, exemplars and native buckets the
//! bytes equal what `prometheus`' `ProtobufEncoder` writes for the same families.
//!
//! A series' label pairs are written once, by [`write_label_field`], and kept by its family
//! with the export order (`family/order.rs`), as the text formats keep its rendered labels.

use crate::labels::escape::{rendered_pairs, unescaped_len, write_unescaped};
use crate::metric::MetricKind;
use crate::series::{Exemplar, NativeHead, Number, Reading};

/// Wire types.
const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;

/// `io.prometheus.client.MetricType`.
const fn metric_type(kind: MetricKind) -> u64 {
    match kind {
        MetricKind::Counter => 0,
        // The protobuf format has no info type: an info series is the gauge 1.
        MetricKind::Gauge | MetricKind::Info => 1,
        MetricKind::Histogram => 4,
    }
}

/// Field numbers of `metrics.proto`.
mod field {
    pub(super) const FAMILY_NAME: u8 = 1;
    pub(super) const FAMILY_HELP: u8 = 2;
    pub(super) const FAMILY_TYPE: u8 = 3;
    pub(super) const FAMILY_METRIC: u8 = 4;
    pub(super) const FAMILY_UNIT: u8 = 5;

    pub(super) const METRIC_LABEL: u8 = 1;
    pub(super) const METRIC_GAUGE: u8 = 2;
    pub(super) const METRIC_COUNTER: u8 = 3;
    pub(super) const METRIC_HISTOGRAM: u8 = 7;

    pub(super) const PAIR_NAME: u8 = 1;
    pub(super) const PAIR_VALUE: u8 = 2;

    /// `Gauge.value`, `Counter.value`.
    pub(super) const VALUE: u8 = 1;
    pub(super) const COUNTER_EXEMPLAR: u8 = 2;
    pub(super) const COUNTER_CREATED: u8 = 3;

    pub(super) const HISTOGRAM_COUNT: u8 = 1;
    pub(super) const HISTOGRAM_SUM: u8 = 2;
    pub(super) const HISTOGRAM_BUCKET: u8 = 3;

    pub(super) const HISTOGRAM_SCHEMA: u8 = 5;
    pub(super) const HISTOGRAM_ZERO_THRESHOLD: u8 = 6;
    pub(super) const HISTOGRAM_ZERO_COUNT: u8 = 7;
    pub(super) const HISTOGRAM_NEGATIVE_SPAN: u8 = 9;
    pub(super) const HISTOGRAM_NEGATIVE_DELTA: u8 = 10;
    pub(super) const HISTOGRAM_POSITIVE_SPAN: u8 = 12;
    pub(super) const HISTOGRAM_POSITIVE_DELTA: u8 = 13;
    pub(super) const HISTOGRAM_CREATED: u8 = 15;
    pub(super) const HISTOGRAM_EXEMPLARS: u8 = 16;

    pub(super) const SPAN_OFFSET: u8 = 1;
    pub(super) const SPAN_LENGTH: u8 = 2;

    pub(super) const BUCKET_COUNT: u8 = 1;
    pub(super) const BUCKET_BOUND: u8 = 2;
    pub(super) const BUCKET_EXEMPLAR: u8 = 3;

    pub(super) const EXEMPLAR_LABEL: u8 = 1;
    pub(super) const EXEMPLAR_VALUE: u8 = 2;
    pub(super) const EXEMPLAR_TIMESTAMP: u8 = 3;

    pub(super) const SECONDS: u8 = 1;
    pub(super) const NANOS: u8 = 2;
}

#[inline]
fn varint(out: &mut Vec<u8>, value: u64) {
    // Most lengths and counts fit a byte.
    if value < 0x80 {
        out.push(value as u8);
        return;
    }
    let mut buffer = [0; 10];
    let len = varint_into(&mut buffer, value);
    out.extend_from_slice(&buffer[..len]);
}

/// Writes `value` as a varint at the start of `buffer`, returning its length.
fn varint_into(buffer: &mut [u8; 10], mut value: u64) -> usize {
    let mut len = 0;
    while value >= 0x80 {
        buffer[len] = value as u8 | 0x80;
        value >>= 7;
        len += 1;
    }
    buffer[len] = value as u8;
    len + 1
}

/// Unix seconds as a varint: the bytes (the first `len` of them) and `len`. Every second from
/// 2004 to 2514 takes 5 bytes, written without a loop.
#[inline]
fn seconds_varint(seconds: u32) -> ([u8; 8], usize) {
    let value = u64::from(seconds);
    if (1 << 28..1 << 35).contains(&value) {
        let spread = (value & 0x7f)
            | (value >> 7 & 0x7f) << 8
            | (value >> 14 & 0x7f) << 16
            | (value >> 21 & 0x7f) << 24
            | (value >> 28) << 32;
        return ((spread | 0x8080_8080).to_le_bytes(), 5);
    }
    let mut buffer = [0; 10];
    let len = varint_into(&mut buffer, value);
    let mut bytes = [0; 8];
    bytes[..5].copy_from_slice(&buffer[..5]);
    (bytes, len)
}

const fn varint_len(value: u64) -> usize {
    // 1 byte per 7 bits, at least 1.
    (u64::BITS - (value | 1).leading_zeros()).div_ceil(7) as usize
}

/// A field's tag: one byte for field numbers below 16, a varint above.
#[inline]
fn tag(out: &mut Vec<u8>, field: u8, wire: u8) {
    varint(out, u64::from(field) << 3 | u64::from(wire));
}

fn uint(out: &mut Vec<u8>, field: u8, value: u64) {
    tag(out, field, VARINT);
    varint(out, value);
}

fn double(out: &mut Vec<u8>, field: u8, value: f64) {
    tag(out, field, FIXED64);
    out.extend_from_slice(&value.to_le_bytes());
}

fn bytes(out: &mut Vec<u8>, field: u8, value: &[u8]) {
    tag(out, field, LEN);
    varint(out, value.len() as u64);
    out.extend_from_slice(value);
}

/// A metric's label pair, as field `label` of its `Metric`: what a family keeps for each series
/// once made.
pub(crate) fn write_label_field(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    label_pair(out, field::METRIC_LABEL, name, value);
}

/// The bytes a length-delimited field of `len` bytes takes with its tag (a field number below
/// 16) and length.
const fn len_field(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

/// The length of a `LabelPair` message of a name and value of these lengths.
const fn label_pair_len(name: usize, value: usize) -> usize {
    2 + varint_len(name as u64) + name + varint_len(value as u64) + value
}

/// A `LabelPair`, whose length is known before it is written.
fn label_pair(out: &mut Vec<u8>, field: u8, name: &[u8], value: &[u8]) {
    label_pair_with(out, field, name, value.len(), |out| out.extend_from_slice(value));
}

/// A `LabelPair` whose value of `value_len` bytes `write_value` writes.
fn label_pair_with(
    out: &mut Vec<u8>,
    field: u8,
    name: &[u8],
    value_len: usize,
    write_value: impl FnOnce(&mut Vec<u8>),
) {
    let len = label_pair_len(name.len(), value_len);
    tag(out, field, LEN);
    varint(out, len as u64);
    bytes(out, field::PAIR_NAME, name);
    tag(out, field::PAIR_VALUE, LEN);
    varint(out, value_len as u64);
    write_value(out);
}

/// A length-delimited part being written: where its body starts, one byte after the byte
/// reserved for its length.
#[must_use]
struct Nested(usize);

impl Nested {
    /// Starts a message: as field `field` of the message being written, or, with `None`, a
    /// message of its own in the delimited stream (its length alone before it).
    fn open(out: &mut Vec<u8>, field: Option<u8>) -> Self {
        if let Some(field) = field {
            tag(out, field, LEN);
        }
        out.push(0);
        Self(out.len())
    }

    /// Ends the message: writes its length, moving the body up when the length takes more
    /// than the one byte reserved.
    fn close(self, out: &mut Vec<u8>) {
        let start = self.0;
        let len = out.len() - start;
        let extra = varint_len(len as u64) - 1;
        if extra > 0 {
            out.resize(out.len() + extra, 0);
            out.copy_within(start..start + len, start + extra);
        }
        let mut length = [0; 10];
        let written = varint_into(&mut length, len as u64);
        out[start - 1..start + extra].copy_from_slice(&length[..written]);
    }
}

/// A `MetricFamily` being written: [`start`](Self::start), a [`metric`](Self::metric) per
/// series, [`end`](Self::end).
pub(crate) struct ProtoFamily<'a> {
    nested: Nested,
    unit: Option<&'a str>,
    bounds: &'a [f64],
    /// Native buckets as read, reused from series to series.
    positive: Vec<(i32, u64)>,
    negative: Vec<(i32, u64)>,
}

impl<'a> ProtoFamily<'a> {
    /// Writes the family's name (after the registry's prefix and `_`), help and type.
    /// `bounds` are a histogram's bucket bounds.
    pub(crate) fn start(
        out: &mut Vec<u8>,
        prefix: Option<&str>,
        name: &str,
        help: &str,
        kind: MetricKind,
        unit: Option<&'a str>,
        bounds: &'a [f64],
    ) -> Self {
        let nested = Nested::open(out, None);
        tag(out, field::FAMILY_NAME, LEN);
        match prefix {
            Some(prefix) => {
                varint(out, (prefix.len() + 1 + name.len()) as u64);
                out.extend_from_slice(prefix.as_bytes());
                out.push(b'_');
            }
            None => varint(out, name.len() as u64),
        }
        out.extend_from_slice(name.as_bytes());
        bytes(out, field::FAMILY_HELP, help.as_bytes());
        uint(out, field::FAMILY_TYPE, metric_type(kind));
        Self { nested, unit, bounds, positive: Vec::new(), negative: Vec::new() }
    }

    /// One metric: `labels` are its label pairs as [`write_label_field`] writes them, then
    /// `const_labels` (the registry's); `exemplars` are the series' exemplar slots (empty
    /// without); `created` is when the series was created, in Unix seconds, written on counters
    /// and histograms (0: not known, not written).
    pub(crate) fn metric(
        &mut self,
        out: &mut Vec<u8>,
        labels: &[u8],
        const_labels: &[(String, String)],
        reading: Reading<'_>,
        exemplars: &[Exemplar],
        created: u32,
    ) {
        // A gauge, and a counter without an exemplar: every length known before writing.
        let scalar = match reading {
            Reading::Gauge(number) => Some((field::METRIC_GAUGE, number, 0)),
            Reading::Counter(number) if !exemplars.first().is_some_and(Exemplar::recorded) => {
                Some((field::METRIC_COUNTER, number, created))
            }
            Reading::Counter(_) | Reading::Histogram(_) => None,
        };
        if let Some((kind_field, number, created)) = scalar {
            scalar_metric(out, labels, const_labels, kind_field, number, created);
            return;
        }
        match reading {
            Reading::Gauge(_) => {}
            Reading::Counter(number) => {
                let metric = open_metric(out, labels, const_labels);
                let counter = Nested::open(out, Some(field::METRIC_COUNTER));
                double(out, field::VALUE, number.as_f64());
                if let Some(exemplar) = exemplars.first() {
                    write_exemplar(out, field::COUNTER_EXEMPLAR, exemplar);
                }
                timestamp(out, field::COUNTER_CREATED, created);
                counter.close(out);
                metric.close(out);
            }
            Reading::Histogram(histogram) => {
                let metric = open_metric(out, labels, const_labels);
                let nested = Nested::open(out, Some(field::METRIC_HISTOGRAM));
                // The count comes first in field order, and is the sum of the buckets as they
                // are read (so that it equals the last cumulative count while observations
                // land): the buckets are written, then moved up behind the count and sum.
                // The native buckets before the classic ones, whose count covers every
                // observation the native ones hold (`Histogram::observe_in_bucket`).
                let native = histogram.native();
                let head = native.map(|native| native.read_into(&mut self.positive, &mut self.negative));
                let start = out.len();
                let mut buckets = histogram.buckets();
                let mut cumulative = 0u64;
                for (slot, &bound) in self.bounds.iter().enumerate() {
                    cumulative = cumulative.wrapping_add(buckets.next().unwrap_or(0));
                    bucket(out, cumulative, bound, exemplars.get(slot));
                }
                let count = cumulative.wrapping_add(buckets.next().unwrap_or(0));
                // The `+Inf` bucket is implied by the count, and written only to carry an
                // exemplar, as the Go client does; a histogram of native buckets alone has no
                // classic buckets, and its exemplars are its own field.
                let infinite = exemplars.get(self.bounds.len()).filter(|exemplar| exemplar.recorded());
                match infinite {
                    Some(exemplar) if native.is_none() || !self.bounds.is_empty() => {
                        bucket(out, count, f64::INFINITY, Some(exemplar));
                    }
                    _ => {}
                }
                let native_alone = head.is_some() && self.bounds.is_empty();
                if let Some(head) = head {
                    write_native(out, head, &self.positive, &self.negative);
                }
                timestamp(out, field::HISTOGRAM_CREATED, created);
                if native_alone {
                    for exemplar in exemplars.iter().filter(|exemplar| exemplar.recorded()) {
                        write_exemplar(out, field::HISTOGRAM_EXEMPLARS, exemplar);
                    }
                }
                let mut head = [0; 1 + 10 + 1 + 8];
                head[0] = field::HISTOGRAM_COUNT << 3 | VARINT;
                let mut count_bytes = [0; 10];
                let count_len = varint_into(&mut count_bytes, count);
                head[1..1 + count_len].copy_from_slice(&count_bytes[..count_len]);
                head[1 + count_len] = field::HISTOGRAM_SUM << 3 | FIXED64;
                head[2 + count_len..10 + count_len].copy_from_slice(&histogram.get_sample_sum().to_le_bytes());
                let head = &head[..10 + count_len];
                let end = out.len();
                out.resize(end + head.len(), 0);
                out.copy_within(start..end, start + head.len());
                out[start..start + head.len()].copy_from_slice(head);
                nested.close(out);
                metric.close(out);
            }
        }
    }

    /// Writes the unit, if any, and the family's length.
    pub(crate) fn end(self, out: &mut Vec<u8>) {
        if let Some(unit) = self.unit {
            bytes(out, field::FAMILY_UNIT, unit.as_bytes());
        }
        self.nested.close(out);
    }
}

/// A `Metric` whose length is reserved and fixed up when it closes: its label pairs, then the
/// registry's `const_labels`.
#[inline]
fn open_metric(out: &mut Vec<u8>, labels: &[u8], const_labels: &[(String, String)]) -> Nested {
    let metric = Nested::open(out, Some(field::FAMILY_METRIC));
    out.extend_from_slice(labels);
    for (name, value) in const_labels {
        label_pair(out, field::METRIC_LABEL, name.as_bytes(), value.as_bytes());
    }
    metric
}

/// A `Metric` of a gauge or a counter without an exemplar (`kind_field`), its created
/// timestamp when `created` is not 0: every length known before writing, so the metric is
/// written straight, without reserving and fixing up its length. Always inlined into the
/// family's loop: a call of its own took a counter 43 more instructions.
#[inline(always)]
fn scalar_metric(
    out: &mut Vec<u8>,
    labels: &[u8],
    const_labels: &[(String, String)],
    kind_field: u8,
    number: Number,
    created: u32,
) {
    // What follows the labels, made on the stack and copied once: the counter or gauge
    // message (at most 19 bytes, so its length is one byte), its value and its created
    // timestamp.
    let mut tail = [0u8; 24];
    tail[2] = field::VALUE << 3 | FIXED64;
    tail[3..11].copy_from_slice(&number.as_f64().to_le_bytes());
    let mut len = 11;
    if created != 0 {
        let (seconds, seconds_len) = seconds_varint(created);
        tail[len] = field::COUNTER_CREATED << 3 | LEN;
        tail[len + 1] = (1 + seconds_len) as u8;
        tail[len + 2] = field::SECONDS << 3 | VARINT;
        tail[len + 3..len + 8].copy_from_slice(&seconds[..5]);
        len += 3 + seconds_len;
    }
    tail[0] = kind_field << 3 | LEN;
    tail[1] = (len - 2) as u8;
    let const_len: usize =
        const_labels.iter().map(|(name, value)| len_field(label_pair_len(name.len(), value.len()))).sum();
    let mut head = [0u8; 11];
    head[0] = field::FAMILY_METRIC << 3 | LEN;
    let mut metric_len = [0; 10];
    let metric_len_len = varint_into(&mut metric_len, (labels.len() + const_len + len) as u64);
    head[1..1 + metric_len_len].copy_from_slice(&metric_len[..metric_len_len]);
    // The head and the tail copied whole (a copy of a known size, no call) and the
    // unused end cut off.
    out.extend_from_slice(&head);
    out.truncate(out.len() - (head.len() - 1 - metric_len_len));
    out.extend_from_slice(labels);
    for (name, value) in const_labels {
        label_pair(out, field::METRIC_LABEL, name.as_bytes(), value.as_bytes());
    }
    out.extend_from_slice(&tail);
    out.truncate(out.len() - (tail.len() - len));
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// The native part of a `Histogram`: schema, zero bucket, and each side's spans and deltas,
/// as the Go client writes them (gaps of up to two empty buckets are filled with zero
/// buckets instead of starting a span).
fn write_native(out: &mut Vec<u8>, head: NativeHead, positive: &[(i32, u64)], negative: &[(i32, u64)]) {
    tag(out, field::HISTOGRAM_SCHEMA, VARINT);
    varint(out, zigzag(i64::from(head.schema)));
    double(out, field::HISTOGRAM_ZERO_THRESHOLD, head.zero_threshold);
    uint(out, field::HISTOGRAM_ZERO_COUNT, head.zero_count);
    side(out, field::HISTOGRAM_NEGATIVE_SPAN, field::HISTOGRAM_NEGATIVE_DELTA, negative);
    if positive.is_empty() && negative.is_empty() && head.zero_threshold == 0.0 && head.zero_count == 0 {
        // An empty span marks the histogram as native when nothing else does.
        span(out, field::HISTOGRAM_POSITIVE_SPAN, 0, 0);
    }
    side(out, field::HISTOGRAM_POSITIVE_SPAN, field::HISTOGRAM_POSITIVE_DELTA, positive);
}

/// The largest gap of empty buckets filled with zero buckets rather than a new span.
const FILLED_GAP: i32 = 2;

/// One side's spans, then its deltas.
fn side(out: &mut Vec<u8>, span_field: u8, delta_field: u8, buckets: &[(i32, u64)]) {
    let Some(&(first, _)) = buckets.first() else { return };
    // Spans: written as each ends.
    let (mut offset, mut length, mut next) = (first, 0u32, first);
    for &(key, _) in buckets {
        let gap = key - next;
        if gap > FILLED_GAP {
            span(out, span_field, offset, length);
            (offset, length) = (gap, 0);
        } else {
            length += gap as u32;
        }
        length += 1;
        next = key + 1;
    }
    span(out, span_field, offset, length);
    // Deltas: each bucket's count less the one before (0 before the first), filled gaps
    // included.
    let (mut previous, mut next) = (0i64, first);
    for &(key, count) in buckets {
        let gap = key - next;
        if gap <= FILLED_GAP {
            for _ in 0..gap {
                tag(out, delta_field, VARINT);
                varint(out, zigzag(-previous));
                previous = 0;
            }
        }
        let count = count as i64;
        tag(out, delta_field, VARINT);
        varint(out, zigzag(count - previous));
        previous = count;
        next = key + 1;
    }
}

/// A `BucketSpan`.
fn span(out: &mut Vec<u8>, field: u8, offset: i32, length: u32) {
    let offset = zigzag(i64::from(offset));
    tag(out, field, LEN);
    varint(out, (2 + varint_len(offset) + varint_len(u64::from(length))) as u64);
    uint(out, field::SPAN_OFFSET, offset);
    uint(out, field::SPAN_LENGTH, u64::from(length));
}

/// A histogram's `Bucket`, with its exemplar if one is recorded.
fn bucket(out: &mut Vec<u8>, cumulative: u64, bound: f64, exemplar: Option<&Exemplar>) {
    let nested = Nested::open(out, Some(field::HISTOGRAM_BUCKET));
    uint(out, field::BUCKET_COUNT, cumulative);
    double(out, field::BUCKET_BOUND, bound);
    if let Some(exemplar) = exemplar.filter(|exemplar| exemplar.recorded()) {
        write_exemplar(out, field::BUCKET_EXEMPLAR, exemplar);
    }
    nested.close(out);
}

/// A `google.protobuf.Timestamp` of whole `seconds` as field `field`; nothing for 0.
fn timestamp(out: &mut Vec<u8>, field: u8, seconds: u32) {
    if seconds == 0 {
        return;
    }
    tag(out, field, LEN);
    varint(out, 1 + varint_len(u64::from(seconds)) as u64);
    uint(out, field::SECONDS, u64::from(seconds));
}

/// An `Exemplar` as field `field`: its label pairs, value and timestamp.
fn write_exemplar(out: &mut Vec<u8>, field: u8, exemplar: &Exemplar) {
    let nested = Nested::open(out, Some(field));
    // Exemplar labels are kept rendered for OpenMetrics: read back and unescaped here.
    for (name, escaped) in rendered_pairs(exemplar.labels()) {
        label_pair_with(out, field::EXEMPLAR_LABEL, name, unescaped_len(escaped), |out| write_unescaped(out, escaped));
    }
    double(out, field::EXEMPLAR_VALUE, exemplar.value());
    let timestamp = Nested::open(out, Some(field::EXEMPLAR_TIMESTAMP));
    let ms = exemplar.timestamp_ms();
    uint(out, field::SECONDS, ms / 1000);
    uint(out, field::NANOS, ms % 1000 * 1_000_000);
    timestamp.close(out);
    nested.close(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unrolled varint of seconds equals the general one, at its edges and around them.
    #[test]
    fn seconds_varints_are_varints() {
        let edges = [0u32, 1, 127, 128, (1 << 28) - 1, 1 << 28, 1_764_835_200, u32::MAX - 1, u32::MAX];
        for seconds in edges.into_iter().chain((0..32).map(|shift| 1u32 << shift | 0x5a5a_5a5a >> (31 - shift))) {
            let (bytes, len) = seconds_varint(seconds);
            let mut expected = [0; 10];
            let expected_len = varint_into(&mut expected, u64::from(seconds));
            assert_eq!((&bytes[..len], len), (&expected[..expected_len], expected_len), "{seconds}");
        }
    }
}
