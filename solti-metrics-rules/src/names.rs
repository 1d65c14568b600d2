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

/// Whether `c` may appear in a legacy metric name: `[a-zA-Z0-9_:]` (a digit not first).
pub fn is_metric_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Whether `name` is a legacy metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`: one every scraper
/// reads as it is, unquoted and unescaped. Any other non-empty text is a UTF-8 name.
pub fn is_metric_name(name: &str) -> bool {
    // Byte by byte: every allowed character is ASCII, and any byte of a wider one fails.
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphabetic() || first == b'_' || first == b':')
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b':')
}

/// Whether `c` may appear in a legacy label name: `[a-zA-Z0-9_]` (a digit not first).
pub fn is_label_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `name` is a legacy label name, `[a-zA-Z_][a-zA-Z0-9_]*` (reserved names included:
/// see [`label_name`]).
pub fn is_label_name(name: &str) -> bool {
    // Byte by byte, as `is_metric_name`: an exemplar's labels are checked at every record.
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}

/// Whether `name` is a label name users may set (an exemplar's, a Pushgateway grouping
/// label): a legacy name, without the `__` prefix Prometheus reserves.
pub fn is_user_label_name(name: &str) -> bool {
    is_label_name(name) && !name.starts_with("__")
}

/// How a name that is not a legacy name reaches a scraper: the schemes of Prometheus' escaping
/// specification, which a scraper names in its `Accept` header (`escaping=..`). A legacy name
/// is written as it is in every scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Escaping {
    /// The name as declared, in quotes where the format needs them (`escaping=allow-utf-8`):
    /// what Prometheus 3 asks for.
    AllowUtf8,
    /// Every character a legacy name cannot hold becomes `_` (`escaping=underscores`): what a
    /// scraper gets when it names no scheme.
    #[default]
    Underscores,
    /// `.` becomes `_dot_`, `_` becomes `__` and any other such character `__`
    /// (`escaping=dots`).
    Dots,
    /// `U__`, then `_` as `__` and every other such character as its code point in hex between
    /// underscores, `_2e_` for `.` (`escaping=values`): the one scheme that can be undone.
    Values,
}

impl Escaping {
    /// Every scheme.
    pub const ALL: [Self; 4] = [Self::AllowUtf8, Self::Underscores, Self::Dots, Self::Values];

    /// The scheme's name in an `escaping=` parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AllowUtf8 => "allow-utf-8",
            Self::Underscores => "underscores",
            Self::Dots => "dots",
            Self::Values => "values",
        }
    }

    /// The scheme an `escaping=` parameter names; `None` for one it does not know.
    pub fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scheme| scheme.as_str() == value)
    }
}

/// Whether `c`, at position `first` or not, may stand in a legacy name of a metric, or of a
/// label when `label` (which has no `:`).
fn is_legacy_char(c: char, first: bool, label: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (c == ':' && !label) || (c.is_ascii_digit() && !first)
}

/// Appends `name` to `out` as `escaping` writes it for a scraper, a label's name when `label`
/// (a legacy label name has no `:`). A legacy name, and any name under
/// [`Escaping::AllowUtf8`], is written as it is; quoting is the format's business.
pub fn write_escaped_name(out: &mut String, name: &str, escaping: Escaping, label: bool) {
    let legacy = if label { is_label_name(name) } else { is_metric_name(name) };
    if legacy || escaping == Escaping::AllowUtf8 {
        out.push_str(name);
        return;
    }
    if escaping == Escaping::Values {
        out.push_str("U__");
    }
    for (position, c) in name.chars().enumerate() {
        match escaping {
            Escaping::AllowUtf8 => out.push(c),
            Escaping::Underscores if is_legacy_char(c, position == 0, label) => out.push(c),
            Escaping::Underscores => out.push('_'),
            Escaping::Dots if c == '_' => out.push_str("__"),
            Escaping::Dots if c == '.' => out.push_str("_dot_"),
            Escaping::Dots if is_legacy_char(c, position == 0, label) => out.push(c),
            Escaping::Dots => out.push_str("__"),
            Escaping::Values if c == '_' => out.push_str("__"),
            Escaping::Values if is_legacy_char(c, position == 0, label) => out.push(c),
            Escaping::Values => {
                use core::fmt::Write as _;
                let _ = write!(out, "_{:x}_", u32::from(c));
            }
        }
    }
}

/// `name` as `escaping` writes it (see [`write_escaped_name`]).
pub fn escaped_name(name: &str, escaping: Escaping, label: bool) -> String {
    let mut out = String::with_capacity(name.len());
    write_escaped_name(&mut out, name, escaping, label);
    out
}

/// The schemes of a scraper without UTF-8 names, each of which must tell a set's names apart.
pub const LEGACY_SCHEMES: [Escaping; 3] = [Escaping::Underscores, Escaping::Dots, Escaping::Values];

/// Two names of one set, `first` then `second`, that a scraper without UTF-8 names asking for
/// `scheme` sees as the same name `escaped`: `what` they are (`metric`, `label`).
pub fn escaped_alike(what: &str, first: &str, second: &str, escaped: &str, scheme: Escaping) -> String {
    format!(
        "{what}s `{first}` and `{second}` are both `{escaped}` to a scraper without UTF-8 names (escaping `{}`): rename one",
        scheme.as_str()
    )
}

/// The first two of `names` that are the same name to a scraper without UTF-8 names, under
/// one of [`LEGACY_SCHEMES`], but differ as declared: with the name both escape to and the
/// scheme. `label` for label names.
pub fn first_escaped_alike<'a>(names: &[&'a str], label: bool) -> Option<(&'a str, &'a str, String, Escaping)> {
    (1..names.len()).find_map(|i| {
        alike_earlier(&names[..i], names[i], label).map(|(first, escaped, scheme)| (first, names[i], escaped, scheme))
    })
}

/// The first of `earlier` that a scraper without UTF-8 names sees as `name` under one of
/// [`LEGACY_SCHEMES`] but that differs as declared: with the name both escape to and the scheme.
pub fn alike_earlier<'a>(earlier: &[&'a str], name: &str, label: bool) -> Option<(&'a str, String, Escaping)> {
    LEGACY_SCHEMES.into_iter().find_map(|scheme| {
        let escaped = escaped_name(name, scheme, label);
        let first = earlier.iter().find(|first| **first != name && escaped_name(first, scheme, label) == escaped)?;
        Some((*first, escaped, scheme))
    })
}

/// Whether `name`, as declared or escaped by a scheme of a scraper without UTF-8 names, is
/// `target` (a legacy name: a constant label's, a reserved one).
pub fn escapes_to(name: &str, target: &str, label: bool) -> bool {
    name == target || LEGACY_SCHEMES.iter().any(|&scheme| escaped_name(name, scheme, label) == target)
}

/// A metric whose own name is empty.
pub const EMPTY_NAME: &str = "a metric name cannot be empty: remove `name = \"\"` to use the field's name";

/// A label whose name is empty.
pub const EMPTY_LABEL: &str = "a label name cannot be empty: write a name such as `\"path\"`";

/// What is wrong with `name` as the name of a variable label, if anything: empty, or a name
/// Prometheus or solti-metrics reserves (also once escaped for a scraper without UTF-8 names).
/// Any other UTF-8 text is a label name; `histogram` when the label is a histogram's,
/// where `le` holds the bucket bound.
pub fn label_name(name: &str, histogram: bool) -> Option<String> {
    if name.is_empty() {
        Some(EMPTY_LABEL.to_owned())
    } else if name.starts_with("__") {
        Some(format!(
            "label name `{name}` is reserved: names starting with `__` belong to Prometheus; write `{}`",
            name.trim_start_matches('_')
        ))
    } else if let Some((escaped, scheme)) = LEGACY_SCHEMES
        .iter()
        .map(|&scheme| (escaped_name(name, scheme, true), scheme))
        .find(|(escaped, _)| escaped.starts_with("__"))
    {
        Some(format!(
            "label name `{name}` is reserved: a scraper without UTF-8 names (escaping `{}`) gets it as `{escaped}`, and names starting with `__` belong to Prometheus, which drops them; begin the name with a letter",
            scheme.as_str()
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
        [Some("quantile"), Some(OVERFLOW_LABEL), histogram.then_some(BUCKET_LABEL)]
            .into_iter()
            .flatten()
            .find(|reserved| escapes_to(name, reserved, true))
            .map(|reserved| {
                format!(
                    "label name `{name}` is reserved: a scraper without UTF-8 names gets it as `{reserved}`, a name solti-metrics or Prometheus reserves; choose another name"
                )
            })
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

    /// The cases of the Go client's escaping tests, and a legacy name in every scheme.
    #[test]
    fn escaping_as_prometheus_specifies() {
        let cases = [
            ("no:escaping_required", "no:escaping_required", "no:escaping_required", "no:escaping_required"),
            (
                "mysystem.prod.west.cpu.load",
                "mysystem_prod_west_cpu_load",
                "mysystem_dot_prod_dot_west_dot_cpu_dot_load",
                "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load",
            ),
            (
                "mysystem.prod.west.cpu.load_total",
                "mysystem_prod_west_cpu_load_total",
                "mysystem_dot_prod_dot_west_dot_cpu_dot_load__total",
                "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load__total",
            ),
            ("http.status:sum", "http_status:sum", "http_dot_status:sum", "U__http_2e_status:sum"),
            ("label with \u{1f631}", "label_with__", "label__with____", "U__label_20_with_20__1f631_"),
            ("\u{82b1}\u{706b}", "__", "____", "U___82b1__706b_"),
            ("label with \u{100}", "label_with__", "label__with____", "U__label_20_with_20__100_"),
            ("1a.b", "_a_b", "__a_dot_b", "U___31_a_2e_b"),
        ];
        for (name, underscores, dots, values) in cases {
            assert_eq!(escaped_name(name, Escaping::AllowUtf8, false), name);
            assert_eq!(escaped_name(name, Escaping::Underscores, false), underscores, "{name}");
            assert_eq!(escaped_name(name, Escaping::Dots, false), dots, "{name}");
            assert_eq!(escaped_name(name, Escaping::Values, false), values, "{name}");
        }
        // A label name has no `:`.
        assert_eq!(escaped_name("a:b", Escaping::Underscores, true), "a_b");
        assert_eq!(escaped_name("a:b", Escaping::Values, true), "U__a_3a_b");
        assert_eq!(escaped_name("a:b", Escaping::Underscores, false), "a:b");
        for scheme in Escaping::ALL {
            assert_eq!(Escaping::from_param(scheme.as_str()), Some(scheme));
        }
        assert_eq!(Escaping::from_param("allow-utf8"), None);
    }

    #[test]
    fn names_alike_once_escaped() {
        assert_eq!(
            first_escaped_alike(&["a", "http.method", "b", "http_method"], true),
            Some(("http.method", "http_method", "http_method".to_owned(), Escaping::Underscores))
        );
        assert_eq!(first_escaped_alike(&["a.b", "a-c", "a"], false), None);
        // Under `dots` and `values`, a legacy name stays as it is, and may be another's escaping.
        assert_eq!(
            first_escaped_alike(&["a.c", "a_dot_c"], false),
            Some(("a.c", "a_dot_c", "a_dot_c".to_owned(), Escaping::Dots))
        );
        assert_eq!(
            first_escaped_alike(&["U__a_2e_b", "a.b"], true),
            Some(("U__a_2e_b", "a.b", "U__a_2e_b".to_owned(), Escaping::Values))
        );
        assert!(label_name("otel.metric.overflow", false).unwrap().contains("gets it as `otel_metric_overflow`"));
        assert!(label_name("l.e", true).is_none(), "`l_e` is no reserved name");
        assert!(label_name("_x.y", false).unwrap().contains("(escaping `dots`) gets it as `__x_dot_y`"));
        assert!(escapes_to("env.name", "env_name", true) && escapes_to("env.name", "env_dot_name", true));
        assert!(!escapes_to("env", "env_name", true));
        assert_eq!(first_escaped_alike(&["a", "a"], false), None, "the same name twice is another rule's");
        assert!(label_name("_.x", false).unwrap().contains("gets it as `__x`"));
        assert_eq!(label_name("", false).as_deref(), Some(EMPTY_LABEL));
        assert_eq!(label_name("http.request.method", true), None);
    }
}
