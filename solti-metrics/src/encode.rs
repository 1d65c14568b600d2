//! The exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0 text, written straight
//! into the caller's buffer.
//!
//! The Prometheus text is byte-identical to what `prometheus::TextEncoder` writes for a
//! `prometheus::Registry` holding the same data: numbers are formatted as Rust's `Display`
//! formats an `f64` (so `inf`, `-inf` and `NaN`, and no exponent), label values and help
//! escaped the same way.

use std::io::Write as _;

use prometheus::proto::{self, MetricFamily, MetricType};

use crate::desc::{BUCKET_LABEL, MetricKind};
use crate::exemplar::Exemplar;

/// An exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    #[default]
    Prometheus,
    /// The OpenMetrics text format, version 1.0.0.
    OpenMetrics,
}

impl Format {
    /// The format to answer a request with, from its `Accept` header: OpenMetrics when the
    /// client accepts `application/openmetrics-text` (version 1.0.0 or unversioned) at least
    /// as much as `text/plain`, the Prometheus text otherwise (also without a header).
    ///
    /// ```
    /// use solti_metrics::Format;
    ///
    /// // What Prometheus sends when it may scrape OpenMetrics.
    /// let accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::negotiate(Some(accept)), Format::OpenMetrics);
    /// assert_eq!(Format::negotiate(Some("text/plain;version=0.0.4")), Format::Prometheus);
    /// assert_eq!(Format::negotiate(None), Format::Prometheus);
    /// ```
    pub fn negotiate(accept: Option<&str>) -> Self {
        let Some(accept) = accept else { return Self::Prometheus };
        let (mut open_metrics, mut text) = (0.0f32, 0.0f32);
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let (mut quality, mut version) = (1.0f32, None);
            for parameter in parts {
                let (key, value) = parameter.split_once('=').unwrap_or((parameter, ""));
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => quality = value.trim().parse().unwrap_or(0.0),
                    "version" => version = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
            match media.as_str() {
                "application/openmetrics-text" if version.as_deref().is_none_or(|v| v == "1.0.0") => {
                    open_metrics = open_metrics.max(quality);
                }
                "text/plain" | "text/*" | "*/*" => text = text.max(quality),
                _ => {}
            }
        }
        if open_metrics > 0.0 && open_metrics >= text { Self::OpenMetrics } else { Self::Prometheus }
    }

    /// The `Content-Type` of an exposition in this format.
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Self::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// A sample's value as the series holds it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Number {
    /// The value as the `prometheus` crate holds every value: an `f64` (large integers round).
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Self::U64(value) => value as f64,
            Self::I64(value) => value as f64,
            Self::F64(value) => value,
        }
    }
}

/// Integers up to this magnitude are exact in an `f64`, which prints them without a fraction.
const EXACT: u64 = 1 << 53;

fn write_number(out: &mut Vec<u8>, format: Format, number: Number) {
    let mut buffer = itoa::Buffer::new();
    match (format, number) {
        (Format::OpenMetrics, Number::U64(value)) => out.extend_from_slice(buffer.format(value).as_bytes()),
        (Format::OpenMetrics, Number::I64(value)) => out.extend_from_slice(buffer.format(value).as_bytes()),
        // The Prometheus text holds every value as an `f64`: a large integer is rounded first.
        (Format::Prometheus, Number::U64(value)) if value <= EXACT => {
            out.extend_from_slice(buffer.format(value).as_bytes());
        }
        (Format::Prometheus, Number::I64(value)) if value.unsigned_abs() <= EXACT => {
            out.extend_from_slice(buffer.format(value).as_bytes());
        }
        (_, number) => write_f64(out, format, number.as_f64()),
    }
}

/// `value` as `Display` writes it (Prometheus) or as OpenMetrics spells it (`+Inf`, `-Inf`,
/// `NaN`, and a fraction on whole numbers, as the Go client writes them).
pub(crate) fn write_f64(out: &mut Vec<u8>, format: Format, value: f64) {
    if value.fract() == 0.0 && value.abs() < 1e15 && !(value == 0.0 && value.is_sign_negative()) {
        // Whole numbers, the common case (counts, integer gauges), without `core::fmt`.
        out.extend_from_slice(itoa::Buffer::new().format(value as i64).as_bytes());
        if format == Format::OpenMetrics {
            out.extend_from_slice(b".0");
        }
        return;
    }
    match format {
        Format::OpenMetrics if value.is_nan() => out.extend_from_slice(b"NaN"),
        Format::OpenMetrics if value == f64::INFINITY => out.extend_from_slice(b"+Inf"),
        Format::OpenMetrics if value == f64::NEG_INFINITY => out.extend_from_slice(b"-Inf"),
        _ => {
            // Writing into a `Vec` cannot fail.
            let _ = write!(out, "{value}");
            if format == Format::OpenMetrics && value.fract() == 0.0 {
                out.extend_from_slice(b".0");
            }
        }
    }
}

/// `value`, escaped as a label value: `\` `"` and line feed get a backslash.
pub(crate) fn write_label_value(out: &mut Vec<u8>, value: &[u8]) {
    write_escaped(out, value, true);
}

fn write_escaped(out: &mut Vec<u8>, value: &[u8], quote: bool) {
    let mut rest = value;
    while let Some(position) = rest.iter().position(|&byte| byte == b'\\' || byte == b'\n' || (quote && byte == b'"')) {
        out.extend_from_slice(&rest[..position]);
        out.extend_from_slice(match rest[position] {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            _ => b"\\\"",
        });
        rest = &rest[position + 1..];
    }
    out.extend_from_slice(rest);
}

/// `name="value"`, after a `,` when it follows another pair.
pub(crate) fn write_label_pair(out: &mut Vec<u8>, follows: bool, name: &str, value: &[u8]) {
    if follows {
        out.push(b',');
    }
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"=\"");
    write_label_value(out, value);
    out.push(b'"');
}

/// The `le` label value of a bucket bound, in each format.
pub(crate) fn bound_text(format: Format, bound: f64) -> String {
    let mut text = Vec::new();
    write_f64(&mut text, format, bound);
    String::from_utf8(text).unwrap_or_default()
}

/// A metric family being written: its name as exported and the samples' shared parts.
pub(crate) struct FamilyWriter<'a> {
    pub(crate) out: &'a mut Vec<u8>,
    pub(crate) format: Format,
    /// The registry's prefix, without its `_`.
    pub(crate) prefix: Option<&'a str>,
    pub(crate) name: &'a str,
    pub(crate) kind: MetricKind,
}

impl<'a> FamilyWriter<'a> {
    fn write_name(&mut self) {
        if let Some(prefix) = self.prefix {
            self.out.extend_from_slice(prefix.as_bytes());
            self.out.push(b'_');
        }
        self.out.extend_from_slice(self.name.as_bytes());
    }

    /// The OpenMetrics family name: a counter's name without `_total`, which its sample adds.
    fn write_family_name(&mut self) {
        self.write_name();
        // In OpenMetrics a family's name is its samples' name without the kind's suffix.
        let suffix = match self.kind {
            MetricKind::Counter => "_total",
            MetricKind::Info => "_info",
            MetricKind::Gauge | MetricKind::Histogram => return,
        };
        if self.format == Format::OpenMetrics && self.name.ends_with(suffix) {
            let len = self.out.len() - suffix.len();
            self.out.truncate(len);
        }
    }

    /// The `# HELP` and `# TYPE` lines (`type_name` as the `# TYPE` line spells it), and in
    /// OpenMetrics the `# UNIT` line of a metric with a unit.
    pub(crate) fn header(&mut self, help: &str, type_name: &str, unit: Option<&str>) {
        if !help.is_empty() {
            self.out.extend_from_slice(b"# HELP ");
            self.write_family_name();
            self.out.push(b' ');
            write_escaped(self.out, help.as_bytes(), self.format == Format::OpenMetrics);
            self.out.push(b'\n');
        }
        self.out.extend_from_slice(b"# TYPE ");
        self.write_family_name();
        self.out.push(b' ');
        self.out.extend_from_slice(type_name.as_bytes());
        self.out.push(b'\n');
        if let Some(unit) = unit.filter(|_| self.format == Format::OpenMetrics) {
            self.out.extend_from_slice(b"# UNIT ");
            self.write_family_name();
            self.out.push(b' ');
            self.out.extend_from_slice(unit.as_bytes());
            self.out.push(b'\n');
        }
    }

    /// One sample line: name and `suffix`, the `labels` (rendered pairs, no braces) and one
    /// more pair if any (a bucket bound or a quantile: a number's text, which needs no
    /// escaping), the value.
    fn sample(&mut self, suffix: &str, labels: &[u8], extra: Option<(&str, &[u8])>, number: Number) {
        self.write_name();
        self.out.extend_from_slice(suffix.as_bytes());
        if !labels.is_empty() || extra.is_some() {
            self.out.push(b'{');
            self.out.extend_from_slice(labels);
            if let Some((name, value)) = extra {
                if !labels.is_empty() {
                    self.out.push(b',');
                }
                self.out.extend_from_slice(name.as_bytes());
                self.out.extend_from_slice(b"=\"");
                self.out.extend_from_slice(value);
                self.out.push(b'"');
            }
            self.out.push(b'}');
        }
        self.out.push(b' ');
        write_number(self.out, self.format, number);
    }

    fn end_line(&mut self) {
        self.out.push(b'\n');
    }

    /// The samples of one series, written by the series itself; `exemplars` are its exemplar
    /// slots (empty for a series without exemplars), written in OpenMetrics only.
    pub(crate) fn series<'w>(
        &'w mut self,
        labels: &'w [u8],
        bounds: &'w [String],
        exemplars: &'w [Exemplar],
    ) -> SeriesWriter<'w, 'a> {
        SeriesWriter { family: self, labels, bounds, exemplars }
    }
}

/// Writes the samples of one series: what [`Series::encode`](crate::series::Series) calls.
pub struct SeriesWriter<'w, 'a> {
    family: &'w mut FamilyWriter<'a>,
    labels: &'w [u8],
    /// The `le` pairs of the bucket bounds, in the family's format ([`bucket_bound`]).
    bounds: &'w [String],
    /// A counter's exemplar, or one per bucket of a histogram (`+Inf` last); empty without.
    exemplars: &'w [Exemplar],
}

impl SeriesWriter<'_, '_> {
    // Without the hint the exemplar check left it a call of its own per counter series.
    #[inline]
    pub(crate) fn counter(&mut self, number: Number) {
        let suffix = match self.family.format {
            Format::OpenMetrics if !self.family.name.ends_with("_total") => "_total",
            _ => "",
        };
        self.family.sample(suffix, self.labels, None, number);
        self.exemplar(0);
        self.family.end_line();
    }

    /// The exemplar of slot `slot`, if the series has one there (OpenMetrics only).
    fn exemplar(&mut self, slot: usize) {
        if let Some(exemplar) = self.exemplars.get(slot) {
            exemplar.write(self.family.out, self.family.format);
        }
    }

    pub(crate) fn gauge(&mut self, number: Number) {
        self.family.sample("", self.labels, None, number);
        self.family.end_line();
    }

    /// `buckets` are the observations per bucket, the last one those above every bound.
    pub(crate) fn histogram(&mut self, buckets: impl Iterator<Item = u64>, sum: f64) {
        let mut cumulative = 0u64;
        let mut buckets = buckets;
        for (slot, bound) in self.bounds.iter().enumerate() {
            cumulative = cumulative.wrapping_add(buckets.next().unwrap_or(0));
            self.bucket(bound.as_bytes(), cumulative, slot);
        }
        let count = cumulative.wrapping_add(buckets.next().unwrap_or(0));
        self.bucket(INFINITE_BUCKET, count, self.bounds.len());
        let count_line = |family: &mut FamilyWriter<'_>| {
            family.sample("_count", self.labels, None, Number::U64(count));
            family.end_line();
        };
        match self.family.format {
            Format::Prometheus => {
                self.family.sample("_sum", self.labels, None, Number::F64(sum));
                self.family.end_line();
                count_line(self.family);
            }
            Format::OpenMetrics => {
                count_line(self.family);
                self.family.sample("_sum", self.labels, None, Number::F64(sum));
                self.family.end_line();
            }
        }
    }
}

/// The `le` pair of the `+Inf` bucket and the end of its labels, as [`bucket_bound`] writes
/// the others.
const INFINITE_BUCKET: &[u8] = b"le=\"+Inf\"}";

/// A bucket's `le` pair and the end of its labels (`le="0.5"}`), written once per family so
/// that a bucket line is its name, the series' labels, this, and the count.
pub(crate) fn bucket_bound(format: Format, bound: f64) -> String {
    format!("{BUCKET_LABEL}=\"{}\"}}", bound_text(format, bound))
}

impl SeriesWriter<'_, '_> {
    /// A bucket line; `slot` is the bucket's exemplar slot.
    fn bucket(&mut self, bound: &[u8], count: u64, slot: usize) {
        let family = &mut *self.family;
        family.write_name();
        family.out.extend_from_slice(b"_bucket{");
        if !self.labels.is_empty() {
            family.out.extend_from_slice(self.labels);
            family.out.push(b',');
        }
        family.out.extend_from_slice(bound);
        family.out.push(b' ');
        write_number(family.out, family.format, Number::U64(count));
        self.exemplar(slot);
        self.family.out.push(b'\n');
    }
}

/// Writes a family collected from a `prometheus` collector, with the registry's constant
/// labels (rendered pairs) after each metric's own, as `prometheus::Registry::gather` adds them.
pub(crate) fn proto_family(
    out: &mut Vec<u8>,
    format: Format,
    prefix: Option<&str>,
    const_labels: &[u8],
    family: &MetricFamily,
) {
    let (kind, type_name) = match (family.get_field_type(), format) {
        (MetricType::COUNTER, _) => (MetricKind::Counter, "counter"),
        (MetricType::GAUGE, _) => (MetricKind::Gauge, "gauge"),
        (MetricType::HISTOGRAM, _) => (MetricKind::Histogram, "histogram"),
        (MetricType::SUMMARY, _) => (MetricKind::Gauge, "summary"),
        (MetricType::UNTYPED, Format::Prometheus) => (MetricKind::Gauge, "untyped"),
        (MetricType::UNTYPED, Format::OpenMetrics) => (MetricKind::Gauge, "unknown"),
    };
    if family.get_metric().is_empty() || family.name().is_empty() {
        return;
    }
    let mut writer = FamilyWriter { out, format, prefix, name: family.name(), kind };
    writer.header(family.help(), type_name, None);
    let mut labels = Vec::new();
    for metric in family.get_metric() {
        labels.clear();
        for (position, pair) in metric.get_label().iter().enumerate() {
            write_label_pair(&mut labels, position > 0, pair.name(), pair.value().as_bytes());
        }
        if !const_labels.is_empty() {
            if !labels.is_empty() {
                labels.push(b',');
            }
            labels.extend_from_slice(const_labels);
        }
        let timestamp = metric.timestamp_ms();
        let line = |writer: &mut FamilyWriter<'_>, suffix: &str, extra: Option<(&str, &[u8])>, number: Number| {
            writer.sample(suffix, &labels, extra, number);
            if timestamp != 0 {
                writer.out.push(b' ');
                match format {
                    Format::Prometheus => {
                        writer.out.extend_from_slice(itoa::Buffer::new().format(timestamp).as_bytes())
                    }
                    Format::OpenMetrics => write_f64(writer.out, format, timestamp as f64 / 1000.0),
                }
            }
            writer.end_line();
        };
        match family.get_field_type() {
            MetricType::COUNTER => {
                let suffix =
                    if format == Format::OpenMetrics && !family.name().ends_with("_total") { "_total" } else { "" };
                line(&mut writer, suffix, None, Number::F64(metric.counter.value()));
            }
            MetricType::GAUGE => line(&mut writer, "", None, Number::F64(metric.gauge.value())),
            MetricType::UNTYPED => line(&mut writer, "", None, Number::F64(metric.untyped.value())),
            MetricType::HISTOGRAM => {
                let histogram = metric.get_histogram();
                let mut infinity_seen = false;
                for bucket in histogram.get_bucket() {
                    let bound = bucket.upper_bound();
                    infinity_seen |= bound == f64::INFINITY;
                    let text = bound_text(format, bound);
                    line(
                        &mut writer,
                        "_bucket",
                        Some((BUCKET_LABEL, text.as_bytes())),
                        Number::U64(bucket.cumulative_count()),
                    );
                }
                if !infinity_seen {
                    line(
                        &mut writer,
                        "_bucket",
                        Some((BUCKET_LABEL, b"+Inf")),
                        Number::U64(histogram.get_sample_count()),
                    );
                }
                line(&mut writer, "_sum", None, Number::F64(histogram.get_sample_sum()));
                line(&mut writer, "_count", None, Number::U64(histogram.get_sample_count()));
            }
            MetricType::SUMMARY => {
                let summary = metric.get_summary();
                for quantile in summary.get_quantile() {
                    let text = bound_text(format, quantile.quantile());
                    line(&mut writer, "", Some(("quantile", text.as_bytes())), Number::F64(quantile.value()));
                }
                line(&mut writer, "_sum", None, Number::F64(summary.sample_sum()));
                line(&mut writer, "_count", None, Number::U64(summary.sample_count()));
            }
        }
    }
}

/// Ends an exposition: OpenMetrics' `# EOF` line.
pub(crate) fn finish(out: &mut Vec<u8>, format: Format) {
    if format == Format::OpenMetrics {
        out.extend_from_slice(b"# EOF\n");
    }
}

/// A `prometheus` protobuf label pair.
pub(crate) fn proto_label(name: &str, value: &[u8]) -> proto::LabelPair {
    let mut pair = proto::LabelPair::default();
    pair.set_name(name.to_owned());
    pair.set_value(String::from_utf8_lossy(value).into_owned());
    pair
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(format: Format, number: Number) -> String {
        let mut out = Vec::new();
        write_number(&mut out, format, number);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn prometheus_numbers_are_display_of_f64() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1e15,
            1e16,
            1e21,
            1e300,
            1e-7,
            123456.789,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
            f64::MIN_POSITIVE,
            9007199254740993.0,
            -999999999999999.0,
        ];
        for value in values {
            assert_eq!(text(Format::Prometheus, Number::F64(value)), value.to_string(), "{value}");
        }
        for value in [0, 1, EXACT - 1, EXACT, EXACT + 1, u64::MAX] {
            assert_eq!(text(Format::Prometheus, Number::U64(value)), (value as f64).to_string(), "{value}");
        }
        for value in [0, -1, i64::MIN, i64::MAX, -(EXACT as i64) - 1] {
            assert_eq!(text(Format::Prometheus, Number::I64(value)), (value as f64).to_string(), "{value}");
        }
    }

    #[test]
    fn openmetrics_numbers() {
        assert_eq!(text(Format::OpenMetrics, Number::U64(u64::MAX)), u64::MAX.to_string());
        assert_eq!(text(Format::OpenMetrics, Number::I64(-5)), "-5");
        assert_eq!(text(Format::OpenMetrics, Number::F64(1.0)), "1.0");
        assert_eq!(text(Format::OpenMetrics, Number::F64(0.25)), "0.25");
        assert_eq!(text(Format::OpenMetrics, Number::F64(-0.0)), "-0.0");
        assert_eq!(text(Format::OpenMetrics, Number::F64(1e300)).len(), 303);
        assert_eq!(text(Format::OpenMetrics, Number::F64(f64::INFINITY)), "+Inf");
        assert_eq!(text(Format::OpenMetrics, Number::F64(f64::NEG_INFINITY)), "-Inf");
        assert_eq!(text(Format::OpenMetrics, Number::F64(f64::NAN)), "NaN");
    }

    #[test]
    fn escaping() {
        let mut out = Vec::new();
        write_label_value(&mut out, "a\\b\"c\nd\u{e9}".as_bytes());
        assert_eq!(out, "a\\\\b\\\"c\\nd\u{e9}".as_bytes());
        let mut out = Vec::new();
        write_escaped(&mut out, b"a\"b\\", false);
        assert_eq!(out, b"a\"b\\\\");
    }

    #[test]
    fn negotiation() {
        assert_eq!(Format::negotiate(Some("application/openmetrics-text")), Format::OpenMetrics);
        assert_eq!(Format::negotiate(Some("application/openmetrics-text; version=0.0.1")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("text/plain, application/openmetrics-text;q=0.5")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("garbage;;q=x,,")), Format::Prometheus);
        assert!(Format::OpenMetrics.content_type().starts_with("application/openmetrics-text; version=1.0.0"));
    }
}
