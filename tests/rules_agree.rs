//! The runtime's side of the agreement between the derive and the runtime: every case of the
//! rules crate's table, built by hand as a `MetricDesc` and given to `Family::new`, gets the
//! verdict the derive gives the same declaration (checked in `solti-metrics-derive`), in the
//! same words.

use solti_metrics::series::{Counter, Gauge, Histogram, Info, IntCounter, IntGauge, Series};
use solti_metrics::{Error, Family, LabelSet, MetricDesc, MetricKind, Native};
use solti_metrics_rules::cases::{CASES, Case};
use solti_metrics_rules::{Kind, Rule};

/// The case's description, as a hand-written catalog entry.
fn desc(case: &Case) -> &'static MetricDesc {
    let (kind, _) = case.kind();
    let labels: &'static [&'static str] = Box::leak(case.label_names().into_boxed_slice());
    Box::leak(Box::new(MetricDesc {
        name: case.name,
        help: case.help,
        kind: match kind {
            Kind::Counter => MetricKind::Counter,
            Kind::Gauge => MetricKind::Gauge,
            Kind::Histogram => MetricKind::Histogram,
            Kind::Info => MetricKind::Info,
        },
        labels,
        buckets: case.buckets,
        max_series: case.max_series.map(|limit| limit as usize),
        init: case.init,
        removable: case.removable || case.expire_after.is_some(),
        expire_after: case.expire_after.map(|count| count as u32),
        unit: case.unit,
        exemplars: case.exemplars,
        native: case.native.map(|native| Native {
            schema: 3,
            max_buckets: u32::try_from(native.max_buckets).expect("a case's max_buckets fits the catalog's"),
            zero_threshold: native.zero_threshold,
        }),
        field: case.field,
    }))
}

/// `Family::new` for the case's field type, with the label tuple type `L`.
fn build<L: LabelSet>(case: &Case) -> Result<(), Error> {
    fn new<S: Series, const LABELLED: bool, L: LabelSet>(desc: &'static MetricDesc) -> Result<(), Error> {
        Family::<S, LABELLED>::new::<L>(desc).map(drop)
    }
    let desc = desc(case);
    match case.ty {
        "Counter" => new::<Counter, false, L>(desc),
        "IntCounter" => new::<IntCounter, false, L>(desc),
        "Gauge" => new::<Gauge, false, L>(desc),
        "IntGauge" => new::<IntGauge, false, L>(desc),
        "Histogram" => new::<Histogram, false, L>(desc),
        "CounterVec" => new::<Counter, true, L>(desc),
        "IntCounterVec" => new::<IntCounter, true, L>(desc),
        "GaugeVec" => new::<Gauge, true, L>(desc),
        "IntGaugeVec" => new::<IntGauge, true, L>(desc),
        "HistogramVec" => new::<Histogram, true, L>(desc),
        "Info" => new::<Info, true, L>(desc),
        other => panic!("no field type `{other}` in the runtime"),
    }
}

/// `Family::new` for the case, the label tuple type spelled by its label types; a metric of
/// more labels than a tuple holds is built with the first twelve.
fn build_case(case: &Case) -> Result<(), Error> {
    let types: Vec<&str> = case.labels.iter().map(|&(_, ty)| ty).collect();
    match types.as_slice() {
        [] => build::<()>(case),
        ["&str"] => build::<(&str,)>(case),
        ["bool"] => build::<(bool,)>(case),
        ["u32"] => build::<(u32,)>(case),
        ["&str", "&str"] => build::<(&str, &str)>(case),
        ["bool", "&str"] => build::<(bool, &str)>(case),
        ["bool", "u8"] => build::<(bool, u8)>(case),
        ["u16", "u16"] => build::<(u16, u16)>(case),
        many if many.len() > 12 && many.iter().all(|&ty| ty == "&str") => {
            build::<(&str, &str, &str, &str, &str, &str, &str, &str, &str, &str, &str, &str)>(case)
        }
        other => panic!("add the label types {other:?} to `build_case`"),
    }
}

#[test]
fn the_runtime_gives_every_case_the_derives_verdict() {
    let mut refused = std::collections::HashSet::new();
    for case in CASES {
        if case.collect {
            // `collect` is given after the family is built, through `collect_with`, which only
            // families without labels of counters and gauges have: the types apply its rule.
            continue;
        }
        let verdict = build_case(case);
        match (case.verdict, verdict) {
            (None, Ok(())) => {}
            (Some((_, message)), Err(Error::InvalidMetric { metric, reason })) => {
                assert_eq!(reason, message, "{case:?}");
                assert_eq!(metric, case.name);
                refused.insert(case.verdict.map(|(rule, _)| rule));
            }
            (expected, found) => panic!("{case:?}: expected {expected:?}, found {found:?}"),
        }
    }
    for rule in Rule::ALL.into_iter().filter(|&rule| rule != Rule::Collect) {
        assert!(refused.contains(&Some(rule)), "no case of {rule:?} reached `Family::new`");
    }
}
