//! The `prometheus` crate's protobuf families: written as text (a foreign collector carried in
//! a `Registry`), and made from our series (for `gather` and a `prometheus::Registry`).

use prometheus::proto::{self, MetricFamily, MetricType};

use crate::exposition::Text;
use crate::exposition::number::{bound_text, write_f64};
use crate::exposition::text::FamilyWriter;
use crate::labels::escape::write_label_pair;
use crate::metric::MetricKind;
use crate::metric::names::{BUCKET_LABEL, Escaping};
use crate::series::{Number, Reading};

/// Writes a family collected from a `prometheus` collector, with the registry's constant
/// labels (rendered pairs) after each metric's own, as `prometheus::Registry::gather` adds them.
pub(crate) fn write_foreign_family(
    out: &mut Vec<u8>,
    format: Text,
    prefix: Option<&str>,
    const_labels: &[u8],
    family: &MetricFamily,
) {
    let (kind, type_name) = match (family.get_field_type(), format) {
        (MetricType::COUNTER, _) => (MetricKind::Counter, "counter"),
        (MetricType::GAUGE, _) => (MetricKind::Gauge, "gauge"),
        (MetricType::HISTOGRAM, _) => (MetricKind::Histogram, "histogram"),
        (MetricType::SUMMARY, _) => (MetricKind::Gauge, "summary"),
        (MetricType::UNTYPED, Text::Prometheus) => (MetricKind::Gauge, "untyped"),
        (MetricType::UNTYPED, Text::OpenMetrics) => (MetricKind::Gauge, "unknown"),
    };
    if family.get_metric().is_empty() || family.name().is_empty() {
        return;
    }
    let mut writer = FamilyWriter { out, format, prefix, name: family.name(), kind, quoted: false };
    writer.header(family.help(), type_name, None);
    let mut labels = Vec::new();
    for metric in family.get_metric() {
        labels.clear();
        for (position, pair) in metric.get_label().iter().enumerate() {
            write_label_pair(&mut labels, position > 0, pair.name(), Escaping::AllowUtf8, pair.value().as_bytes());
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
                    Text::Prometheus => writer.out.extend_from_slice(itoa::Buffer::new().format(timestamp).as_bytes()),
                    Text::OpenMetrics => write_f64(writer.out, format, timestamp as f64 / 1000.0),
                }
            }
            writer.end_line();
        };
        match family.get_field_type() {
            MetricType::COUNTER => {
                let suffix =
                    if format == Text::OpenMetrics && !family.name().ends_with("_total") { "_total" } else { "" };
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

/// Writes a family collected from a `prometheus` collector in the protobuf format, named with
/// the registry's prefix and with its constant labels after each metric's own, as
/// `prometheus::Registry::gather` gives it to the `ProtobufEncoder`.
pub(crate) fn write_foreign_protobuf(
    out: &mut Vec<u8>,
    prefix: Option<&str>,
    const_labels: &[(String, String)],
    family: &MetricFamily,
) {
    if family.get_metric().is_empty() || family.name().is_empty() {
        return;
    }
    let mut family = family.clone();
    if let Some(prefix) = prefix {
        let name = format!("{prefix}_{}", family.name());
        family.set_name(name);
    }
    for metric in family.mut_metric().iter_mut() {
        for (name, value) in const_labels {
            metric.label.push(proto_label(name, value.as_bytes()));
        }
    }
    // Writing into a `Vec` cannot fail.
    let _ = prometheus::Encoder::encode(&prometheus::ProtobufEncoder::new(), &[family], out);
}

/// A `prometheus` protobuf label pair.
pub(crate) fn proto_label(name: &str, value: &[u8]) -> proto::LabelPair {
    let mut pair = proto::LabelPair::default();
    pair.set_name(name.to_owned());
    pair.set_value(String::from_utf8_lossy(value).into_owned());
    pair
}

/// The `prometheus` protobuf metric of what a series reads, without labels.
pub(crate) fn proto_metric(reading: Reading<'_>) -> proto::Metric {
    let mut metric = proto::Metric::default();
    match reading {
        Reading::Counter(number) => {
            let mut counter = proto::Counter::default();
            counter.set_value(number.as_f64());
            metric.set_counter(counter);
        }
        Reading::Gauge(number) => {
            let mut gauge = proto::Gauge::default();
            gauge.set_value(number.as_f64());
            metric.set_gauge(gauge);
        }
        Reading::Histogram(series) => {
            let mut histogram = proto::Histogram::default();
            let mut cumulative = 0;
            let mut buckets = Vec::with_capacity(series.bounds().len());
            let mut counts = series.buckets();
            for &bound in series.bounds() {
                cumulative += counts.next().unwrap_or(0);
                let mut bucket = proto::Bucket::default();
                bucket.set_cumulative_count(cumulative);
                bucket.set_upper_bound(bound);
                buckets.push(bucket);
            }
            histogram.set_sample_count(cumulative + counts.next().unwrap_or(0));
            histogram.set_sample_sum(series.get_sample_sum());
            histogram.set_bucket(buckets);
            metric.set_histogram(histogram);
        }
    }
    metric
}

/// The `prometheus` protobuf type of a kind: the protobuf format has no info type.
pub(crate) fn proto_type(kind: MetricKind) -> MetricType {
    match kind {
        MetricKind::Counter => MetricType::COUNTER,
        MetricKind::Gauge | MetricKind::Info => MetricType::GAUGE,
        MetricKind::Histogram => MetricType::HISTOGRAM,
    }
}
