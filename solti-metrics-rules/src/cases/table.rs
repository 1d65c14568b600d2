//! The table: per kind of rule, each refused case and, where it matters, its accepted
//! neighbour.

use super::Case;
use crate::Rule;
use crate::options::NativeOptions;

const PATH: &[(&str, &str)] = &[("path", "&str")];
const ON: &[(&str, &str)] = &[("on", "bool")];
const VERSION: &[(&str, &str)] = &[("version", "&str")];

/// Every case.
pub static CASES: &[Case] = &[
    // Names.
    Case { attrs: "name = \"a:b_total\"", name: "a:b_total", ..Case::base() },
    Case { attrs: "name = \"http.requests_total\"", name: "http.requests_total", ..Case::base() },
    Case { attrs: "name = \"2xx_total\"", name: "2xx_total", ..Case::base() },
    Case {
        attrs: "name = \"\"",
        name: "",
        verdict: Some((Rule::MetricName, crate::names::EMPTY_NAME)),
        ..Case::base()
    },
    Case {
        field: "build",
        ty: "Info",
        attrs: "labels(version)",
        name: "build",
        labels: VERSION,
        verdict: Some((
            Rule::KindName,
            "info metric `build` must end in `_info`, the name OpenMetrics gives its samples: name it `build_info`",
        )),
        ..Case::base()
    },
    Case {
        field: "build_info",
        ty: "Info",
        attrs: "labels(version)",
        name: "build_info",
        labels: VERSION,
        ..Case::base()
    },
    Case {
        field: "latency_count",
        ty: "Histogram",
        name: "latency_count",
        verdict: Some((
            Rule::KindName,
            "histogram `latency_count` ends in `_count`, a suffix its own samples add (`_bucket`, `_sum`, `_count`): name it `latency`",
        )),
        ..Case::base()
    },
    Case {
        field: "latency_bucket",
        ty: "Histogram",
        name: "latency_bucket",
        verdict: Some((
            Rule::KindName,
            "histogram `latency_bucket` ends in `_bucket`, a suffix its own samples add (`_bucket`, `_sum`, `_count`): name it `latency`",
        )),
        ..Case::base()
    },
    Case {
        field: "latency_sum",
        ty: "Histogram",
        name: "latency_sum",
        verdict: Some((
            Rule::KindName,
            "histogram `latency_sum` ends in `_sum`, a suffix its own samples add (`_bucket`, `_sum`, `_count`): name it `latency`",
        )),
        ..Case::base()
    },
    Case { field: "queue_count", ty: "IntGauge", name: "queue_count", ..Case::base() },
    Case { set: "namespace = \"app\", subsystem = \"http\"", name: "app_http_requests_total", ..Case::base() },
    // Labels.
    Case {
        ty: "IntCounterVec",
        attrs: "labels(quantile)",
        labels: &[("quantile", "&str")],
        verdict: Some((Rule::LabelName, "label name `quantile` is reserved for summaries; choose another name")),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(__path)",
        labels: &[("__path", "&str")],
        verdict: Some((
            Rule::LabelName,
            "label name `__path` is reserved: names starting with `__` belong to Prometheus; write `path`",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(otel_metric_overflow)",
        labels: &[("otel_metric_overflow", "&str")],
        verdict: Some((
            Rule::LabelName,
            "label name `otel_metric_overflow` is reserved: it marks the series that takes the records over `max_series`; choose another name",
        )),
        ..Case::base()
    },
    Case {
        field: "latency_seconds",
        ty: "HistogramVec",
        attrs: "labels(le)",
        name: "latency_seconds",
        labels: &[("le", "&str")],
        verdict: Some((
            Rule::LabelName,
            "label name `le` is reserved on histograms: it holds the bucket bound; choose another name",
        )),
        ..Case::base()
    },
    Case { ty: "IntCounterVec", attrs: "labels(le)", labels: &[("le", "&str")], ..Case::base() },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(\"http.request.method\", \"url.scheme\")",
        labels: &[("http.request.method", "&str"), ("url.scheme", "&str")],
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(\"http.method\", http_method)",
        labels: &[("http.method", "&str"), ("http_method", "&str")],
        verdict: Some((
            Rule::LabelTwice,
            "labels `http.method` and `http_method` are both `http_method` to a scraper without UTF-8 names (escaping `underscores`): rename one",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(\"\")",
        labels: &[("", "&str")],
        verdict: Some((Rule::LabelName, crate::names::EMPTY_LABEL)),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(path, path)",
        labels: &[("path", "&str"), ("path", "&str")],
        verdict: Some((Rule::LabelTwice, "label `path` is declared twice; remove this one")),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(a, b, c, d, e, f, g, h, i, j, k, l, m)",
        labels: &[
            ("a", "&str"),
            ("b", "&str"),
            ("c", "&str"),
            ("d", "&str"),
            ("e", "&str"),
            ("f", "&str"),
            ("g", "&str"),
            ("h", "&str"),
            ("i", "&str"),
            ("j", "&str"),
            ("k", "&str"),
            ("l", "&str"),
            ("m", "&str"),
        ],
        verdict: Some((Rule::TooManyLabels, "a metric takes at most 12 labels; `m` is label 13")),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        verdict: Some((
            Rule::LabelsOfType,
            "a `*Vec` metric needs labels: add `#[metric(labels(..))]`, or use the type without `Vec`",
        )),
        ..Case::base()
    },
    Case {
        field: "build_info",
        ty: "Info",
        name: "build_info",
        verdict: Some((
            Rule::LabelsOfType,
            "an info metric states its facts as labels: add `#[metric(labels(..))]`, as in `labels(version, commit)`",
        )),
        ..Case::base()
    },
    Case {
        attrs: "labels(path)",
        labels: PATH,
        verdict: Some((
            Rule::LabelsOfType,
            "this metric type takes no labels; use its `*Vec` type (`IntCounterVec`, ...) for labelled series",
        )),
        ..Case::base()
    },
    // Help.
    Case {
        help: "",
        verdict: Some((
            Rule::Help,
            "metric `requests_total` has no help text: add a doc comment (`/// ...`) or `#[metric(help = \"..\")]`",
        )),
        ..Case::base()
    },
    // Buckets.
    Case {
        attrs: "buckets(1.0)",
        buckets: &[1.0],
        verdict: Some((
            Rule::BucketsOnHistogram,
            "`buckets` only apply to `Histogram` and `HistogramVec`; remove them, or make the field a histogram",
        )),
        ..Case::base()
    },
    Case {
        field: "latency_seconds",
        ty: "Histogram",
        attrs: "buckets(1.0, 0.5)",
        name: "latency_seconds",
        buckets: &[1.0, 0.5],
        verdict: Some((Rule::BucketBounds, "buckets must be strictly increasing: `0.5` follows `1.0`")),
        ..Case::base()
    },
    Case {
        field: "latency_seconds",
        ty: "Histogram",
        attrs: "buckets(0.5, 1.0)",
        name: "latency_seconds",
        buckets: &[0.5, 1.0],
        ..Case::base()
    },
    // `max_series`.
    Case {
        attrs: "max_series = 10",
        max_series: Some(10),
        verdict: Some((
            Rule::MaxSeries,
            "`max_series` limits the series of a labelled metric; this metric has no labels",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(path), max_series = 0",
        labels: PATH,
        max_series: Some(0),
        verdict: Some((Rule::MaxSeries, "`max_series` must be at least 1; remove it for no limit")),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(on: bool), max_series = 10",
        labels: ON,
        max_series: Some(10),
        verdict: Some((
            Rule::MaxSeries,
            "`max_series` has no effect here: every label of this metric has a fixed set of values, so its series are bounded already; remove it",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(path), max_series = 10",
        labels: PATH,
        max_series: Some(10),
        ..Case::base()
    },
    // Units.
    Case {
        field: "temperature_celsius",
        ty: "Gauge",
        attrs: "unit = \"kelvin\"",
        name: "temperature_celsius",
        unit: Some("kelvin"),
        verdict: Some((
            Rule::Unit,
            "`temperature_celsius` does not end in `_kelvin`: OpenMetrics names a metric after its unit; make the name end in `_kelvin`, or give the unit its name ends in",
        )),
        ..Case::base()
    },
    Case {
        set: "namespace = \"app\"",
        field: "temperature_celsius",
        ty: "Gauge",
        attrs: "unit = \"kelvin\"",
        name: "app_temperature_celsius",
        unit: Some("kelvin"),
        verdict: Some((
            Rule::Unit,
            "`app_temperature_celsius` does not end in `_kelvin`: OpenMetrics names a metric after its unit; make the name end in `_kelvin`, or give the unit its name ends in",
        )),
        ..Case::base()
    },
    Case {
        field: "sent_bytes_total",
        attrs: "unit = \"bytes\"",
        name: "sent_bytes_total",
        unit: Some("bytes"),
        ..Case::base()
    },
    Case {
        field: "build_info",
        ty: "Info",
        attrs: "labels(version), unit = \"info\"",
        name: "build_info",
        labels: VERSION,
        unit: Some("info"),
        verdict: Some((Rule::Unit, "an info metric states facts as label values, which have no unit; remove `unit`")),
        ..Case::base()
    },
    // `init`.
    Case {
        attrs: "init",
        init: true,
        verdict: Some((
            Rule::Init,
            "a metric without labels is exported at 0 from registration already; remove `init`",
        )),
        ..Case::base()
    },
    Case {
        field: "build_info",
        ty: "Info",
        attrs: "labels(on: bool), init",
        name: "build_info",
        labels: ON,
        init: true,
        verdict: Some((
            Rule::Init,
            "an info metric exports the label values it is given, not every combination; remove `init`",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(on: bool, path), init",
        labels: &[("on", "bool"), ("path", "&str")],
        init: true,
        verdict: Some((
            Rule::Init,
            "`init` exports every combination of label values, and label `path` has no fixed set of values; give it a type with a fixed set of values (an enum with `#[derive(LabelValue)]`, `bool`, an integer up to 16 bits), or remove `init`",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(id: u32), init",
        labels: &[("id", "u32")],
        init: true,
        verdict: Some((
            Rule::Init,
            "`init` exports every combination of label values, and label `id` has no fixed set of values; give it a type with a fixed set of values (an enum with `#[derive(LabelValue)]`, `bool`, an integer up to 16 bits), or remove `init`",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(a: u16, b: u16), init",
        labels: &[("a", "u16"), ("b", "u16")],
        init: true,
        verdict: Some((
            Rule::Init,
            "`init` exports every combination of label values: each label needs a fixed set of values (an enum with `#[derive(LabelValue)]`, `bool`, an integer up to 16 bits), and together at most 4096 combinations; remove `init` or narrow the label types",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(on: bool, code: u8), init",
        labels: &[("on", "bool"), ("code", "u8")],
        init: true,
        ..Case::base()
    },
    // Exemplars.
    Case {
        field: "depth",
        ty: "Gauge",
        attrs: "exemplars",
        name: "depth",
        exemplars: true,
        verdict: Some((
            Rule::Exemplars,
            "a gauge has no exemplars: OpenMetrics puts them on counters and histogram buckets only; remove `exemplars`",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(path), exemplars, removable",
        labels: PATH,
        exemplars: true,
        removable: true,
        verdict: Some((
            Rule::Exemplars,
            "a metric cannot have both exemplars and removable series (`removable`, `expire_after`) yet; keep one of the two",
        )),
        ..Case::base()
    },
    Case {
        field: "build_info",
        ty: "Info",
        attrs: "labels(version), exemplars",
        name: "build_info",
        labels: VERSION,
        exemplars: true,
        verdict: Some((
            Rule::Exemplars,
            "an info metric has no exemplars: OpenMetrics puts them on counters and histogram buckets only; remove `exemplars`",
        )),
        ..Case::base()
    },
    Case {
        attrs: "exemplars, collect = served",
        exemplars: true,
        collect: true,
        verdict: Some((
            Rule::Exemplars,
            "an exemplar belongs to a recorded value, and `collect` computes the value at each exposition; remove `exemplars` or `collect`",
        )),
        ..Case::base()
    },
    Case { attrs: "exemplars", exemplars: true, ..Case::base() },
    // Removal and expiry.
    Case {
        attrs: "removable",
        removable: true,
        verdict: Some((
            Rule::Removable,
            "a metric without labels has one series, which cannot be removed; remove `removable`",
        )),
        ..Case::base()
    },
    Case { ty: "IntCounterVec", attrs: "labels(path), removable", labels: PATH, removable: true, ..Case::base() },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(path), expire_after = 0",
        labels: PATH,
        removable: true,
        expire_after: Some(0),
        verdict: Some((
            Rule::ExpireAfter,
            "`expire_after` counts expositions that find a series unchanged: at least 1",
        )),
        ..Case::base()
    },
    Case {
        field: "build_info",
        ty: "Info",
        attrs: "labels(version), expire_after = 3",
        name: "build_info",
        labels: VERSION,
        removable: true,
        expire_after: Some(3),
        verdict: Some((
            Rule::ExpireAfter,
            "an info metric's value never changes, so `expire_after` would remove every series; use `removable` and remove them",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(on: bool), init, expire_after = 3",
        labels: ON,
        init: true,
        removable: true,
        expire_after: Some(3),
        verdict: Some((
            Rule::ExpireAfter,
            "`init` exports every series at 0 from registration, and `expire_after` would remove them while they stay at 0; keep one of the two",
        )),
        ..Case::base()
    },
    Case {
        ty: "IntCounterVec",
        attrs: "labels(path), expire_after = 3",
        labels: PATH,
        removable: true,
        expire_after: Some(3),
        ..Case::base()
    },
    // Values computed at scrape time.
    Case {
        ty: "IntCounterVec",
        attrs: "labels(path), collect = served",
        labels: PATH,
        collect: true,
        verdict: Some((
            Rule::Collect,
            "`collect` computes the one series of a metric without labels; drop the labels, or record the series instead",
        )),
        ..Case::base()
    },
    Case {
        field: "latency_seconds",
        ty: "Histogram",
        attrs: "collect = latency",
        name: "latency_seconds",
        collect: true,
        verdict: Some((
            Rule::Collect,
            "`collect` computes one number: use it on a counter or a gauge, not a histogram",
        )),
        ..Case::base()
    },
    Case { attrs: "collect = served", collect: true, ..Case::base() },
    // Native buckets.
    Case {
        field: "latency_seconds",
        ty: "HistogramVec",
        attrs: "labels(path), native",
        name: "latency_seconds",
        labels: PATH,
        native: Some(NativeOptions::DEFAULT),
        ..Case::base()
    },
    Case {
        attrs: "native",
        native: Some(NativeOptions::DEFAULT),
        verdict: Some((
            Rule::Native,
            "`native` gives a histogram exponential buckets: put it on a `Histogram` or `HistogramVec`",
        )),
        ..Case::base()
    },
    Case {
        field: "latency_seconds",
        ty: "Histogram",
        attrs: "native(max_buckets = 0)",
        name: "latency_seconds",
        native: Some(NativeOptions { max_buckets: 0, ..NativeOptions::DEFAULT }),
        verdict: Some((Rule::Native, "native `max_buckets` must be at least 1")),
        ..Case::base()
    },
    Case {
        field: "latency_seconds",
        ty: "Histogram",
        attrs: "native(zero_threshold = -0.5)",
        name: "latency_seconds",
        native: Some(NativeOptions { zero_threshold: -0.5, ..NativeOptions::DEFAULT }),
        verdict: Some((
            Rule::Native,
            "native `zero_threshold` must be a finite number of at least 0: the largest magnitude counted as zero",
        )),
        ..Case::base()
    },
];
