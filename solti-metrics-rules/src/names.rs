//! Names: the syntax of metric and label names, the labels Prometheus and solti-metrics
//! reserve, and what a metric's kind asks of its name.

use crate::Kind;

/// The label that holds a histogram bucket's upper bound.
pub const BUCKET_LABEL: &str = "le";

/// The one label of a metric's overflow series: once a metric's `max_series` limit is reached,
/// new label tuples are recorded into the series `{otel_metric_overflow="true"}` (the
/// OpenTelemetry SDK's convention).
pub const OVERFLOW_LABEL: &str = "otel_metric_overflow";

/// Label names that cannot be constant labels: they hold a bucket bound, a quantile, or mark
/// the overflow series.
pub const RESERVED_LABELS: [&str; 3] = [BUCKET_LABEL, "quantile", OVERFLOW_LABEL];

/// The series a histogram exports besides its name.
pub const HISTOGRAM_SUFFIXES: [&str; 3] = ["_bucket", "_sum", "_count"];

/// Whether `c` may appear in a metric name: `[a-zA-Z0-9_:]` (a digit not first).
pub fn is_metric_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn is_metric_name(name: &str) -> bool {
    // Byte by byte: every allowed character is ASCII, and any byte of a wider one fails.
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphabetic() || first == b'_' || first == b':')
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b':')
}

/// Whether `c` may appear in a label name: `[a-zA-Z0-9_]` (a digit not first).
pub fn is_label_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `name` has the syntax of a label name, `[a-zA-Z_][a-zA-Z0-9_]*` (reserved names
/// included: see [`label_name`]).
pub fn is_label_name(name: &str) -> bool {
    // Byte by byte, as `is_metric_name`: an exemplar's labels are checked at every record.
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}

/// Whether `name` is a label name users may set (an exemplar's, a Pushgateway grouping
/// label): the syntax, without the `__` prefix Prometheus reserves.
pub fn is_user_label_name(name: &str) -> bool {
    is_label_name(name) && !name.starts_with("__")
}

/// Which part of a metric's name a text is, for messages: the derive checks the parts of
/// `namespace_subsystem_name` one by one, the runtime the whole name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePart {
    /// `#[metrics(namespace = "..")]`.
    Namespace,
    /// `#[metrics(subsystem = "..")]` or the metric's own.
    Subsystem,
    /// The metric's name: `name = ".."`, the field's name, or the whole exported name.
    Name,
}

impl NamePart {
    fn as_str(self) -> &'static str {
        match self {
            Self::Namespace => "namespace",
            Self::Subsystem => "subsystem",
            Self::Name => "metric name",
        }
    }
}

/// What is wrong with `value` as a part of a metric name, if anything; `first` when it is the
/// name's first part (which may not start with a digit). An empty part is left out of the
/// name, but for the metric's own name: see [`EMPTY_NAME`].
pub fn metric_name_part(value: &str, part: NamePart, first: bool) -> Option<String> {
    let what = part.as_str();
    if let Some(bad) = value.chars().find(|&c| !is_metric_name_char(c)) {
        let fixed: String = value.chars().map(|c| if is_metric_name_char(c) { c } else { '_' }).collect();
        return Some(format!(
            "invalid {what} `{value}`: `{bad}` is not allowed; metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`, so write `{fixed}`"
        ));
    }
    if first && value.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(format!("invalid {what} `{value}`: a metric name cannot start with a digit; write `_{value}`"));
    }
    None
}

/// A metric whose own name is empty.
pub const EMPTY_NAME: &str = "a metric name cannot be empty: remove `name = \"\"` to use the field's name";

/// What is wrong with `name` as the name of a variable label, if anything: its syntax, or a
/// name Prometheus or solti-metrics reserves; `histogram` when the label is a histogram's,
/// where `le` holds the bucket bound.
pub fn label_name(name: &str, histogram: bool) -> Option<String> {
    if !is_label_name(name) {
        Some(format!(
            "invalid label name `{name}`: label names match `[a-zA-Z_][a-zA-Z0-9_]*`; use ASCII letters, digits and `_`"
        ))
    } else if name.starts_with("__") {
        Some(format!(
            "label name `{name}` is reserved: names starting with `__` belong to Prometheus; write `{}`",
            name.trim_start_matches('_')
        ))
    } else if name == "quantile" {
        Some("label name `quantile` is reserved for summaries; choose another name".to_owned())
    } else if name == OVERFLOW_LABEL {
        Some(format!(
            "label name `{OVERFLOW_LABEL}` is reserved: it marks the series that takes the records over `max_series`; choose another name"
        ))
    } else if name == BUCKET_LABEL && histogram {
        Some(LE_ON_HISTOGRAM.to_owned())
    } else {
        None
    }
}

/// A histogram that declares the label `le`.
pub const LE_ON_HISTOGRAM: &str =
    "label name `le` is reserved on histograms: it holds the bucket bound; choose another name";

/// A histogram whose label struct has a field `le` (asserted by the compiler, which alone
/// knows the struct's fields).
pub const LE_ON_HISTOGRAM_FIELD: &str =
    "label name `le` is reserved on histograms: it holds the bucket bound; rename the label struct's field `le`";

/// What is wrong with `name` as a constant label of a set (`register_with`), if anything.
pub fn const_label_name(name: &str) -> Option<String> {
    if !is_label_name(name) || name.starts_with("__") || RESERVED_LABELS.contains(&name) {
        Some(format!("`{name}` cannot be a constant label"))
    } else {
        None
    }
}

/// What a metric's kind asks of its full exported name `full`, if it breaks it; `base` is the
/// name as the user wrote it (the runtime passes the full name), for the advice.
///
/// An info metric's name ends in `_info`, the name OpenMetrics gives its samples. A
/// histogram's name does not end in a suffix of its own samples (`_bucket`, `_sum`,
/// `_count`): `x_count`'s count would be `x_count_count`, and a parser reads `x_count` as the
/// count of `x`.
pub fn kind_name(kind: Kind, full: &str, base: &str) -> Option<String> {
    match kind {
        Kind::Info if !full.ends_with("_info") => Some(format!(
            "info metric `{full}` must end in `_info`, the name OpenMetrics gives its samples: name it `{}_info`",
            base.strip_suffix("_total").unwrap_or(base)
        )),
        Kind::Histogram => HISTOGRAM_SUFFIXES.iter().find(|suffix| full.ends_with(*suffix)).map(|suffix| {
            format!(
                "histogram `{full}` ends in `{suffix}`, a suffix its own samples add (`_bucket`, `_sum`, `_count`): name it `{}`",
                base.strip_suffix(suffix).unwrap_or(base)
            )
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax() {
        assert!(is_metric_name("a:b_c9"));
        assert!(!is_metric_name("9a"));
        assert!(!is_metric_name(""));
        assert!(is_label_name("_a9"));
        assert!(is_label_name("__a"), "syntax only: the prefix is reserved, not malformed");
        assert!(!is_label_name("a:b"));
        assert!(!is_label_name("método"));
        assert!(!is_metric_name("é") && !is_label_name("é") && !is_label_name("1a") && !is_metric_name("9"));
        assert!(is_metric_name(":a") && !is_label_name(":a"));
    }

    #[test]
    fn reserved_labels() {
        assert!(label_name("__a", false).unwrap().contains("write `a`"));
        assert!(label_name("quantile", false).is_some());
        assert!(label_name(OVERFLOW_LABEL, false).is_some());
        assert_eq!(label_name("le", true).as_deref(), Some(LE_ON_HISTOGRAM));
        assert_eq!(label_name("le", false), None);
        assert_eq!(label_name("path", true), None);
        for reserved in ["le", "quantile", OVERFLOW_LABEL, "__x", "a-b"] {
            assert!(const_label_name(reserved).is_some(), "{reserved}");
        }
        assert_eq!(const_label_name("region"), None);
    }

    #[test]
    fn names_by_kind() {
        assert!(kind_name(Kind::Info, "build", "build").unwrap().contains("name it `build_info`"));
        assert_eq!(kind_name(Kind::Info, "build_info", "build_info"), None);
        assert!(kind_name(Kind::Histogram, "x_count", "x_count").unwrap().contains("name it `x`"));
        assert!(kind_name(Kind::Histogram, "x_bucket", "x_bucket").is_some());
        assert_eq!(kind_name(Kind::Histogram, "x_seconds", "x_seconds"), None);
        assert_eq!(kind_name(Kind::Counter, "x_count", "x_count"), None);
    }

    #[test]
    fn name_parts() {
        assert!(metric_name_part("a-b", NamePart::Namespace, true).unwrap().starts_with("invalid namespace `a-b`"));
        assert!(metric_name_part("2fa", NamePart::Subsystem, true).is_some());
        assert_eq!(metric_name_part("2fa", NamePart::Subsystem, false), None);
    }
}
