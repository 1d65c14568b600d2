//! The options of a metric beside its name and labels, and which of them combine: help,
//! `max_series`, `unit`, `init`, `exemplars`, `removable`, `expire_after`, `collect`.
//!
//! Each function takes what its rule reads and says what is wrong, in the words both the
//! derive (as a compile error at the option) and the runtime (as `Error::InvalidMetric`)
//! show.

use crate::Kind;

/// The most series `#[metric(init)]` may create.
pub const MAX_INIT_SERIES: usize = 4096;

/// `help = ""` or one of blanks.
pub const EMPTY_HELP: &str = "`help` cannot be empty: describe the metric, `help = \"Total requests served\"`";

/// An empty doc comment, with no `help`.
pub const EMPTY_DOC: &str = "the doc comment is empty; write the help text there or in `#[metric(help = \"..\")]`";

/// A metric with no help text at all; `field` is the field that declares it.
pub fn no_help(field: &str) -> String {
    format!("metric `{field}` has no help text: add a doc comment (`/// ...`) or `#[metric(help = \"..\")]`")
}

/// What is wrong with `max_series = limit` on a metric that takes labels or not, if anything.
pub fn max_series(limit: u64, labelled: bool) -> Option<&'static str> {
    if !labelled {
        Some("`max_series` limits the series of a labelled metric; this metric has no labels")
    } else if limit == 0 {
        Some("`max_series` must be at least 1; remove it for no limit")
    } else {
        None
    }
}

/// `max_series` on a metric whose every label has a fixed set of values.
pub const MAX_SERIES_ON_FIXED_LABELS: &str = "`max_series` has no effect here: every label of this metric has a fixed set of values, so its series are bounded already; remove it";

/// What is wrong with `unit = unit` on a metric of kind `kind` (when known) named `full`, if
/// anything: letters, digits and `_`, and the name's last part (before a counter's
/// `_total`), as OpenMetrics requires of a family with a unit; not on an info metric.
pub fn unit(kind: Option<Kind>, full: &str, unit: &str) -> Option<String> {
    if kind == Some(Kind::Info) {
        return Some("an info metric states facts as label values, which have no unit; remove `unit`".to_owned());
    }
    if unit.is_empty() || !unit.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_') {
        return Some(format!(
            "unit `{unit}` is not a name part: write it with letters, digits and `_`, as in `unit = \"seconds\"`"
        ));
    }
    let stem = match kind {
        Some(Kind::Counter) => full.strip_suffix("_total").unwrap_or(full),
        _ => full,
    };
    if !stem.ends_with(&format!("_{unit}")) {
        let total = if stem.len() < full.len() { "_total" } else { "" };
        return Some(format!(
            "`{full}` does not end in `_{unit}{total}`: OpenMetrics names a metric after its unit; make the name end in `_{unit}{total}`, or give the unit its name ends in"
        ));
    }
    None
}

/// What the label types of a metric allow `init` to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combinations {
    /// Not known where the rule runs (the derive, for label types it cannot see into).
    Unknown,
    /// A label has no fixed set of values: `label` is its position when known.
    Open {
        /// The position of the first such label, when known.
        label: Option<usize>,
    },
    /// Every label has a fixed set of values, and together they make this many combinations.
    Fixed(usize),
}

/// `init` on a metric without labels.
pub const INIT_WITHOUT_LABELS: &str =
    "a metric without labels is exported at 0 from registration already; remove `init`";

/// `init` on an info metric.
pub const INIT_ON_INFO: &str =
    "an info metric exports the label values it is given, not every combination; remove `init`";

/// `init` where label `label` has no fixed set of values.
pub fn init_open_label(label: &str) -> String {
    format!(
        "`init` exports every combination of label values, and label `{label}` has no fixed set of values; give it a type with a fixed set of values (an enum with `#[derive(LabelValue)]`, `bool`, an integer up to 16 bits), or remove `init`"
    )
}

/// `init` where the labels have too many combinations, or one of them has no fixed set of
/// values that the rule cannot name.
pub fn init_too_many() -> String {
    format!(
        "`init` exports every combination of label values: each label needs a fixed set of values (an enum with `#[derive(LabelValue)]`, `bool`, an integer up to 16 bits), and together at most {MAX_INIT_SERIES} combinations; remove `init` or narrow the label types"
    )
}

/// The number of combinations of labels with these numbers of values, `0` standing for a
/// label without a fixed set (left out), saturating: what the compile-time assertion of
/// `init` compares with [`MAX_INIT_SERIES`].
pub const fn combinations(cardinalities: &[usize]) -> usize {
    let mut product: usize = 1;
    let mut i = 0;
    while i < cardinalities.len() {
        if cardinalities[i] > 0 {
            product = product.saturating_mul(cardinalities[i]);
        }
        i += 1;
    }
    product
}

/// What is wrong with `init` given whether the metric takes labels, its kind (when known), its
/// label names and their combinations, if anything.
pub fn init(labelled: bool, kind: Option<Kind>, labels: &[&str], combinations: Combinations) -> Option<String> {
    if !labelled {
        return Some(INIT_WITHOUT_LABELS.to_owned());
    }
    if kind == Some(Kind::Info) {
        return Some(INIT_ON_INFO.to_owned());
    }
    match combinations {
        Combinations::Open { label: Some(label) } => Some(init_open_label(labels.get(label).copied().unwrap_or("?"))),
        Combinations::Open { label: None } => Some(init_too_many()),
        Combinations::Fixed(count) if count > MAX_INIT_SERIES => Some(init_too_many()),
        Combinations::Fixed(_) | Combinations::Unknown => None,
    }
}

/// `exemplars` on a gauge.
pub const EXEMPLARS_ON_GAUGE: &str =
    "a gauge has no exemplars: OpenMetrics puts them on counters and histogram buckets only; remove `exemplars`";

/// What is wrong with `exemplars` on a metric of kind `kind` (when known) that is computed at
/// scrape time (`collect`) or removable, each if it is.
pub fn exemplars(kind: Option<Kind>, collect: bool, removable: bool) -> Vec<&'static str> {
    let mut wrong = Vec::new();
    match kind {
        Some(Kind::Gauge) => wrong.push(EXEMPLARS_ON_GAUGE),
        Some(Kind::Info) => wrong.push(
            "an info metric has no exemplars: OpenMetrics puts them on counters and histogram buckets only; remove `exemplars`",
        ),
        Some(Kind::Counter | Kind::Histogram) | None => {}
    }
    if collect && kind != Some(Kind::Gauge) {
        wrong.push(
            "an exemplar belongs to a recorded value, and `collect` computes the value at each exposition; remove `exemplars` or `collect`",
        );
    }
    if removable {
        // Exemplars are kept beside the series, by its address, which a removed series gives
        // back for another to take.
        wrong.push(
            "a metric cannot have both exemplars and removable series (`removable`, `expire_after`) yet; keep one of the two",
        );
    }
    wrong
}

/// `removable` on a metric without labels.
pub const REMOVABLE_WITHOUT_LABELS: &str =
    "a metric without labels has one series, which cannot be removed; remove `removable`";

/// What is wrong with `expire_after = count`, if anything: only on labelled metrics that are
/// not info metrics, at least 1, at most `u32::MAX`, not with `init`.
pub fn expire_after(count: u64, labelled: bool, kind: Option<Kind>, init: bool) -> Option<String> {
    if !labelled {
        return Some("a metric without labels has one series, which cannot expire; remove `expire_after`".to_owned());
    }
    if kind == Some(Kind::Info) {
        return Some(
            "an info metric's value never changes, so `expire_after` would remove every series; use `removable` and remove them"
                .to_owned(),
        );
    }
    if init {
        return Some(
            "`init` exports every series at 0 from registration, and `expire_after` would remove them while they stay at 0; keep one of the two"
                .to_owned(),
        );
    }
    match u32::try_from(count) {
        Ok(0) => Some("`expire_after` counts expositions that find a series unchanged: at least 1".to_owned()),
        Ok(_) => None,
        Err(_) => Some(format!("`expire_after` is at most {}", u32::MAX)),
    }
}

/// What is wrong with `collect` on a metric that takes labels or not, of kind `kind` (when
/// known), if anything.
pub fn collect(labelled: bool, kind: Option<Kind>) -> Option<&'static str> {
    if labelled {
        Some(
            "`collect` computes the one series of a metric without labels; drop the labels, or record the series instead",
        )
    } else if kind == Some(Kind::Histogram) {
        Some("`collect` computes one number: use it on a counter or a gauge, not a histogram")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_saturate_and_skip_open_labels() {
        assert_eq!(combinations(&[2, 3]), 6);
        assert_eq!(combinations(&[2, 0, 3]), 6);
        assert_eq!(combinations(&[usize::MAX, 2]), usize::MAX);
        assert_eq!(combinations(&[]), 1);
    }

    #[test]
    fn units_end_the_name() {
        assert_eq!(unit(Some(Kind::Counter), "x_seconds_total", "seconds"), None);
        assert!(unit(Some(Kind::Gauge), "x_seconds", "bytes").unwrap().contains("does not end in `_bytes`"));
        assert!(unit(Some(Kind::Counter), "x_total", "bytes").unwrap().contains("`_bytes_total`"));
        assert!(unit(None, "x", "a-b").unwrap().starts_with("unit `a-b` is not a name part"));
    }

    #[test]
    fn init_needs_few_fixed_labels() {
        assert_eq!(init(true, Some(Kind::Counter), &["a"], Combinations::Fixed(4096)), None);
        assert!(init(true, Some(Kind::Counter), &["a"], Combinations::Fixed(4097)).is_some());
        let open = init(true, None, &["a", "path"], Combinations::Open { label: Some(1) }).unwrap();
        assert!(open.contains("label `path`"), "{open}");
        assert_eq!(init(false, None, &[], Combinations::Fixed(1)).as_deref(), Some(INIT_WITHOUT_LABELS));
    }
}

/// `#[metric(native)]`'s bucket factor: at most 10% between consecutive bounds (schema 3).
pub const NATIVE_FACTOR: f64 = 1.1;

/// `#[metric(native)]`'s most buckets; more halve the resolution.
pub const NATIVE_MAX_BUCKETS: u32 = 160;

/// `#[metric(native)]`'s zero bucket: observations of at most 2^-128 in magnitude.
pub const NATIVE_ZERO_THRESHOLD: f64 = 2.938_735_877_055_719e-39;

/// `native` on a metric that is no histogram.
pub const NATIVE_NOT_A_HISTOGRAM: &str =
    "`native` gives a histogram exponential buckets: put it on a `Histogram` or `HistogramVec`";

/// The schema of the native buckets of bucket factor `factor`, as the Go client picks it: the
/// coarsest whose factor (`2^(2^-schema)`) is at most `factor`, from -4 (factor 65536) to 8
/// (factor 1.0027); or why `factor` is no bucket factor.
pub fn native_schema(factor: f64) -> Result<i8, String> {
    if !(factor > 1.0 && factor.is_finite()) {
        return Err(
            "native `factor` must be a number above 1: the ratio between consecutive bucket bounds, `factor = 1.1` for 10%"
                .to_owned(),
        );
    }
    let floor = factor.log2().log2().floor();
    Ok(if floor <= -8.0 {
        8
    } else if floor >= 4.0 {
        -4
    } else {
        -(floor as i8)
    })
}

/// What is wrong with `max_buckets = limit` of native buckets, if anything.
pub fn native_max_buckets(limit: u64) -> Option<&'static str> {
    match limit {
        0 => Some("native `max_buckets` must be at least 1"),
        limit if limit > u64::from(u32::MAX) => Some("native `max_buckets` must be at most 4294967295"),
        _ => None,
    }
}

/// What is wrong with `zero_threshold = threshold` of native buckets, if anything.
pub fn native_zero_threshold(threshold: f64) -> Option<&'static str> {
    (!(threshold >= 0.0 && threshold.is_finite())).then_some(
        "native `zero_threshold` must be a finite number of at least 0: the largest magnitude counted as zero",
    )
}

/// `#[metric(native(..))]` as the rules read it (the factor, which only the derive sees, is
/// checked by [`native_schema`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NativeOptions {
    /// `max_buckets`.
    pub max_buckets: u64,
    /// `zero_threshold`.
    pub zero_threshold: f64,
}

impl NativeOptions {
    /// What `#[metric(native)]` declares.
    pub const DEFAULT: Self = Self { max_buckets: NATIVE_MAX_BUCKETS as u64, zero_threshold: NATIVE_ZERO_THRESHOLD };
}

/// What is wrong with native buckets `native` on a metric of kind `kind` (when known).
pub fn native(kind: Option<Kind>, native: NativeOptions) -> Vec<&'static str> {
    let mut found = Vec::new();
    if kind.is_some_and(|kind| kind != Kind::Histogram) {
        found.push(NATIVE_NOT_A_HISTOGRAM);
    }
    found.extend(native_max_buckets(native.max_buckets));
    found.extend(native_zero_threshold(native.zero_threshold));
    found
}

/// What is wrong with native buckets of `schema` (as a catalog entry states it), if anything.
pub fn native_schema_range(schema: i8) -> Option<String> {
    (!(-4..=8).contains(&schema)).then(|| format!("native schema {schema} is outside -4 to 8"))
}

#[cfg(test)]
mod native_tests {
    use super::*;

    #[test]
    fn schemas_of_factors_are_the_go_clients() {
        assert_eq!(native_schema(NATIVE_FACTOR), Ok(3));
        assert_eq!(native_schema(2.0), Ok(0));
        assert_eq!(native_schema(4.0), Ok(-1));
        assert_eq!(native_schema(1.0001), Ok(8));
        assert_eq!(native_schema(1e9), Ok(-4));
        assert!(
            native_schema(1.0).is_err() && native_schema(f64::NAN).is_err() && native_schema(f64::INFINITY).is_err()
        );
        assert_eq!(NATIVE_ZERO_THRESHOLD, 2f64.powi(-128));
        assert!(native_max_buckets(0).is_some() && native_max_buckets(160).is_none());
        assert!(native_zero_threshold(-1.0).is_some() && native_zero_threshold(0.0).is_none());
    }
}
