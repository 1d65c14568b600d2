//! The family's unit tests: lookup, order, removal and exposition together.

use crate::exposition::Format;
use crate::family::{ErasedFamily, Family, RegistryParts, lock};
use crate::index::removable::RemovableIndex;
use crate::metric::{MetricDesc, MetricKind};
use crate::series::{Histogram, IntCounter};

static META: MetricDesc = MetricDesc {
    name: "t_total",
    help: "A counter.",
    kind: MetricKind::Counter,
    labels: &["b", "a"],
    buckets: &[],
    max_series: None,
    unit: None,
    init: false,
    removable: false,
    expire_after: None,
    exemplars: false,
    native: None,
    field: "t_total",
};

fn text(family: &dyn ErasedFamily, format: Format) -> String {
    let mut out = Vec::new();
    family.encode(&mut out, format.into(), None, &RegistryParts { rendered: b"", pairs: &[], created_lines: false });
    String::from_utf8(out).unwrap()
}

/// A tuple of another type than the family's records nowhere visible and spoils nothing.
#[test]
fn mismatched_tuples_never_reach_a_series() {
    let dense = Family::<IntCounter, true>::new::<(bool, bool)>(&META).unwrap();
    dense.series((true,)).inc();
    dense.series((1u8, 2u8)).inc();
    dense.series(("x", "y", "z")).inc();
    dense.series((false, true)).inc_by(5);
    assert_eq!(dense.series_count(), 1);
    assert_eq!(dense.series((false, true)).get(), 5);
    assert_eq!(
        text(&dense, Format::Prometheus),
        "# HELP t_total A counter.\n# TYPE t_total counter\nt_total{a=\"true\",b=\"false\"} 5\n"
    );

    let open = Family::<IntCounter, true>::new::<(&str, &str)>(&META).unwrap();
    open.series(("a",)).inc();
    open.series((true, false)).inc();
    assert_eq!(open.series_count(), 0);
    assert_eq!(text(&open, Format::Prometheus), "");
    assert!(Family::<IntCounter, true>::new::<(&str,)>(&META).is_err());
    assert!(Family::<IntCounter, false>::new::<()>(&META).is_err());
}

/// `le` holds a histogram's bucket bound: a family that declares it is refused.
#[test]
fn histogram_with_le_label_is_refused() {
    static LE: MetricDesc = MetricDesc {
        name: "t_seconds",
        help: "A histogram.",
        kind: MetricKind::Histogram,
        labels: &["le"],
        buckets: &[1.0],
        max_series: None,
        unit: None,
        init: false,
        removable: false,
        expire_after: None,
        exemplars: false,
        native: None,
        field: "t_seconds",
    };
    assert!(Family::<Histogram, true>::new::<(&str,)>(&LE).is_err());
    static COUNTER: MetricDesc = MetricDesc { name: "t_total", kind: MetricKind::Counter, buckets: &[], ..LE };
    assert!(Family::<IntCounter, true>::new::<(&str,)>(&COUNTER).is_ok(), "`le` is an ordinary label elsewhere");
    assert!(Family::<IntCounter, true>::new::<(&str,)>(&LE).is_err(), "described as a histogram, built as a counter");
}

/// A hand-written catalog entry cannot give a gauge exemplars; a family without the
/// opt-in drops what its `exemplar_series` is given.
#[test]
fn exemplars_only_where_declared() {
    static GAUGE: MetricDesc = MetricDesc { name: "t", kind: MetricKind::Gauge, labels: &[], exemplars: true, ..META };
    assert!(Family::<crate::series::Gauge, false>::new::<()>(&GAUGE).is_err());
    static PLAIN: MetricDesc = MetricDesc { labels: &[], ..META };
    let counter = Family::<IntCounter, false>::new::<()>(&PLAIN).unwrap();
    assert!(!counter.exemplar_series(()).inc_with_exemplar(&[("trace_id", "x")]));
    assert_eq!(counter.get(), 1);
    assert_eq!(text(&counter, Format::OpenMetrics), "# HELP t A counter.\n# TYPE t counter\nt_total 1\n");
}

/// Open series, across index growth and with tuples that split the same bytes differently,
/// each keep their own count; the family exports each once, in gather order.
#[test]
fn open_series_stay_apart_and_sorted() {
    let family = Family::<IntCounter, true>::new::<(&str, &str)>(&META).unwrap();
    let tuples: Vec<(String, String)> = (0..1_000)
        .map(|i| match i % 3 {
            0 => (format!("ab{i}"), "c".to_owned()),
            1 => (format!("a{i}"), "bc".to_owned()),
            _ => (format!("a-rather-long-label-value-{i}"), String::new()),
        })
        .collect();
    let early = family.series(("ab0", "c"));
    for (n, (b, a)) in tuples.iter().enumerate() {
        family.series((b.as_str(), a.as_str())).inc_by(n as u64 + 1);
    }
    early.inc();
    for (n, (b, a)) in tuples.iter().enumerate() {
        let expected = n as u64 + 1 + u64::from(n == 0);
        assert_eq!(family.series((b.as_str(), a.as_str())).get(), expected, "{b:?} {a:?}");
    }
    assert_eq!(family.series_count(), tuples.len());
    let exposition = text(&family, Format::Prometheus);
    let lines: Vec<&str> = exposition.lines().filter(|line| !line.starts_with('#')).collect();
    assert_eq!(lines.len(), tuples.len());
    // `t_total{a="..",b=".."} n`: labels sorted by name, series by their values in that order.
    let values = |line: &str| -> (String, String) {
        let pairs = line.strip_prefix("t_total{a=\"").and_then(|rest| rest.split_once("\"} ")).unwrap().0;
        let (a, b) = pairs.split_once("\",b=\"").unwrap();
        (a.to_owned(), b.to_owned())
    };
    assert!(lines.windows(2).all(|pair| values(pair[0]) < values(pair[1])), "{exposition}");
}

/// Threads that create series while others record into existing ones lose no record and
/// create no series twice.
#[test]
fn concurrent_growth_keeps_every_record() {
    const THREADS: usize = 4;
    const TUPLES: usize = 2_000;
    let family = Family::<IntCounter, true>::new::<(&str, u16)>(&META).unwrap();
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let family = &family;
            scope.spawn(move || {
                for i in 0..TUPLES {
                    let n = (i * 7 + thread * 499) % TUPLES;
                    family.series((format!("t{n}").as_str(), 7)).inc();
                    family.series(("shared", 7)).inc();
                }
            });
        }
    });
    assert_eq!(family.series_count(), TUPLES + 1);
    for n in 0..TUPLES {
        assert_eq!(family.series((format!("t{n}").as_str(), 7)).get(), THREADS as u64, "t{n}");
    }
    assert_eq!(family.series(("shared", 7)).get(), (THREADS * TUPLES) as u64);
}

/// Integer labels sort as their text, as `prometheus` sorts them: `10` before `9`.
#[test]
fn dense_integer_labels_export_sorted_as_text() {
    static STATUS: MetricDesc = MetricDesc { labels: &["code"], ..META };
    let family = Family::<IntCounter, true>::new::<(u16,)>(&STATUS).unwrap();
    for code in [9u16, 500, 10, 65535, 200] {
        family.series((code,)).inc();
    }
    assert_eq!(family.dense.pages_in_use(), 3, "pages 0, 1 and 255");
    let text = text(&family, Format::Prometheus);
    let codes: Vec<&str> =
        text.lines().skip(2).map(|line| &line[line.find('"').unwrap() + 1..line.rfind('"').unwrap()]).collect();
    assert_eq!(codes, ["10", "200", "500", "65535", "9"]);
}

/// A removed open series is held by nothing of the family's once removed: not the index,
/// not the export order of the last exposition.
#[test]
fn removal_lets_go_of_the_series() {
    static REMOVABLE: MetricDesc = MetricDesc { labels: &["path"], removable: true, ..META };
    let family = Family::<IntCounter, true>::new::<(&str,)>(&REMOVABLE).unwrap();
    family.lease(("/a",)).inc();
    family.lease(("/b",)).inc();
    assert_eq!(text(&family, Format::Prometheus).lines().count(), 4);
    assert_eq!(lock(&family.inner.export).leased.len(), 2, "the export order holds both");
    assert!(family.remove(("/a",)));
    assert_eq!(lock(&family.inner.export).leased.len(), 2, "a removal does not wait for the export lock");
    assert_eq!(text(&family, Format::Prometheus).lines().count(), 3);
    assert_eq!(lock(&family.inner.export).leased.len(), 1, "the next exposition lets go of it");
    assert_eq!(family.inner.removable.as_ref().map(RemovableIndex::len), Some(1));
    assert_eq!(family.series(("/c",)).get(), 0, "a borrowed series of a removable metric is detached");
    assert_eq!(family.series_count(), 1);
    static PLAIN: MetricDesc = MetricDesc { labels: &[], ..REMOVABLE };
    assert!(Family::<IntCounter, false>::new::<()>(&PLAIN).is_err());
    static EXPIRE_ZERO: MetricDesc = MetricDesc { labels: &["path"], expire_after: Some(0), ..META };
    assert!(Family::<IntCounter, true>::new::<(&str,)>(&EXPIRE_ZERO).is_err());
}

#[test]
fn the_overflow_series_takes_what_the_limit_refuses() {
    static LIMITED: MetricDesc = MetricDesc { labels: &["path"], max_series: Some(2), ..META };
    let family = Family::<IntCounter, true>::new::<(&str,)>(&LIMITED).unwrap();
    for path in ["/a", "/b", "/c", "/d", "/a"] {
        family.series((path,)).inc();
    }
    assert_eq!(family.overflow_records(), 2);
    assert_eq!(
        text(&family, Format::Prometheus),
        "# HELP t_total A counter.\n# TYPE t_total counter\nt_total{path=\"/a\"} 2\nt_total{path=\"/b\"} 1\nt_total{otel_metric_overflow=\"true\"} 2\n"
    );
}

#[test]
fn openmetrics_counter_and_histogram() {
    static HIST: MetricDesc = MetricDesc {
        name: "t_seconds",
        help: "A \"histogram\".",
        kind: MetricKind::Histogram,
        labels: &[],
        buckets: &[0.5, 1.0],
        max_series: None,
        unit: None,
        init: false,
        removable: false,
        expire_after: None,
        exemplars: false,
        native: None,
        field: "t_seconds",
    };
    let histogram = Family::<Histogram, false>::new::<()>(&HIST).unwrap();
    histogram.observe(0.75);
    histogram.observe(3.0);
    assert_eq!(
        text(&histogram, Format::OpenMetrics),
        "# HELP t_seconds A \\\"histogram\\\".\n# TYPE t_seconds histogram\n\
         t_seconds_bucket{le=\"0.5\"} 0\nt_seconds_bucket{le=\"1.0\"} 1\nt_seconds_bucket{le=\"+Inf\"} 2\n\
         t_seconds_count 2\nt_seconds_sum 3.75\n"
    );
    assert_eq!(
        text(&histogram, Format::Prometheus),
        "# HELP t_seconds A \"histogram\".\n# TYPE t_seconds histogram\n\
         t_seconds_bucket{le=\"0.5\"} 0\nt_seconds_bucket{le=\"1\"} 1\nt_seconds_bucket{le=\"+Inf\"} 2\n\
         t_seconds_sum 3.75\nt_seconds_count 2\n"
    );
    static PLAIN: MetricDesc = MetricDesc { labels: &[], ..META };
    let counter = Family::<IntCounter, false>::new::<()>(&PLAIN).unwrap();
    assert_eq!(text(&counter, Format::OpenMetrics), "# HELP t A counter.\n# TYPE t counter\nt_total 0\n");
}
