//! Removable metrics: typed removal of one series and of all, leases held across a removal,
//! and the expiry of idle series, through the derive and the exported text in both formats.

mod common;

use solti_metrics::{Format, HistogramVec, IntCounterVec, IntGaugeVec, LabelSet, LabelValue, MetricsSet, Registry};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Shard {
    A,
    B,
}

/// Per-tenant metrics whose tenants come and go.
#[derive(MetricsSet)]
#[metrics(namespace = "life")]
struct Tenants {
    /// Sessions open per tenant.
    #[metric(labels(tenant, region), removable)]
    sessions: IntGaugeVec,

    /// Requests per shard.
    #[metric(labels(shard: Shard), removable)]
    shard_requests_total: IntCounterVec,

    /// Jobs of tenants seen lately.
    #[metric(labels(tenant), buckets(1.0), expire_after = 2)]
    job_seconds: HistogramVec,

    /// Logins, kept for ever.
    #[metric(labels(tenant))]
    logins_total: IntCounterVec,

    /// Connections open per tenant and peer, named labels.
    #[metric(labels = Peer, removable)]
    connections: IntGaugeVec,
}

/// Two string labels that cannot be swapped.
#[derive(LabelSet)]
struct Peer<'a> {
    tenant: &'a str,
    peer: &'a str,
}

fn exposition(registry: &Registry, format: Format) -> String {
    let mut out = Vec::new();
    registry.encode(&mut out, format).unwrap();
    let text = String::from_utf8(out).unwrap();
    match format {
        Format::Prometheus => common::promtool::check(&text),
        Format::OpenMetrics => {
            common::openmetrics::parse(&text);
        }
        other => panic!("{other:?} is no text format"),
    }
    text
}

/// The sample lines of one family.
fn samples(text: &str, name: &str) -> Vec<String> {
    text.lines().filter(|line| line.starts_with(name) && !line.starts_with('#')).map(str::to_owned).collect()
}

#[test]
fn removing_one_series_takes_it_out_of_the_exposition() {
    let registry = Registry::new();
    let tenants = Tenants::register(&registry).unwrap();
    tenants.sessions("acme", "eu").set(3);
    tenants.sessions("globex", "us").set(5);
    tenants.shard_requests_total(Shard::A).inc_by(7);
    tenants.shard_requests_total(Shard::B).inc();

    assert!(tenants.remove_sessions("acme", "eu"));
    assert!(!tenants.remove_sessions("acme", "eu"), "removed once");
    assert!(!tenants.remove_sessions("initech", "eu"), "never existed");
    assert!(tenants.remove_shard_requests_total(Shard::A));

    for format in [Format::Prometheus, Format::OpenMetrics] {
        let text = exposition(&registry, format);
        assert_eq!(samples(&text, "life_sessions"), [r#"life_sessions{region="us",tenant="globex"} 5"#], "{format:?}");
        assert_eq!(samples(&text, "life_shard_requests"), [r#"life_shard_requests_total{shard="b"} 1"#], "{format:?}");
    }
    assert_eq!(tenants.sessions.series_count(), 1);

    // Used again, a removed series starts afresh, whether its labels are open or fixed.
    tenants.sessions("acme", "eu").inc();
    tenants.shard_requests_total(Shard::A).inc();
    let text = exposition(&registry, Format::Prometheus);
    assert!(text.contains("life_sessions{region=\"eu\",tenant=\"acme\"} 1\n"), "{text}");
    assert!(text.contains("life_shard_requests_total{shard=\"a\"} 1\n"), "{text}");
}

#[test]
fn clear_removes_every_series_of_one_metric() {
    let registry = Registry::new();
    let tenants = Tenants::register(&registry).unwrap();
    for tenant in ["a", "b", "c"] {
        tenants.sessions(tenant, "eu").inc();
        tenants.logins_total(tenant).inc();
    }
    tenants.shard_requests_total(Shard::B).inc();
    assert_eq!(tenants.sessions.clear(), 3);
    assert_eq!(tenants.shard_requests_total.clear(), 1);
    assert_eq!(tenants.logins_total.clear(), 0, "a metric that is not removable keeps its series");
    let text = exposition(&registry, Format::Prometheus);
    assert!(samples(&text, "life_sessions").is_empty(), "{text}");
    assert!(samples(&text, "life_shard_requests_total").is_empty(), "{text}");
    assert_eq!(samples(&text, "life_logins_total").len(), 3);
    assert!(!text.contains("# HELP life_sessions"), "a family without series is not written");
}

/// A lease kept across the removal of its series stays usable; what it records then is lost
/// for open labels and counted in the fresh series for fixed labels, as documented.
#[test]
fn a_lease_held_across_a_removal_is_safe() {
    let registry = Registry::new();
    let tenants = Tenants::register(&registry).unwrap();
    let kept = tenants.sessions("acme", "eu");
    kept.set(10);
    assert!(tenants.remove_sessions("acme", "eu"));
    kept.inc();
    assert_eq!(kept.get(), 11, "the held series is still readable");
    assert!(samples(&exposition(&registry, Format::Prometheus), "life_sessions").is_empty());
    tenants.sessions("acme", "eu").inc();
    assert_eq!(tenants.sessions.get(("acme", "eu")).map(|series| series.get()), Some(1), "a fresh series");
    drop(kept);

    let dense = tenants.shard_requests_total(Shard::A);
    dense.inc_by(4);
    assert!(tenants.remove_shard_requests_total(Shard::A));
    assert!(tenants.shard_requests_total.get((Shard::A,)).is_none());
    dense.inc(); // before the series is used again: counted in the fresh one
    tenants.shard_requests_total(Shard::A).inc();
    dense.inc();
    assert_eq!(tenants.shard_requests_total.get((Shard::A,)).map(|series| series.get()), Some(3));
}

#[test]
fn idle_series_expire_after_unchanged_expositions() {
    let registry = Registry::new();
    let tenants = Tenants::register(&registry).unwrap();
    tenants.job_seconds("busy").observe(0.5);
    tenants.job_seconds("quiet").observe(0.5);
    let count = |text: &str| samples(text, "life_job_seconds_count").len();

    assert_eq!(count(&exposition(&registry, Format::Prometheus)), 2, "first exposition");
    tenants.job_seconds("busy").observe(2.0);
    assert_eq!(count(&exposition(&registry, Format::OpenMetrics)), 2, "quiet unchanged once");
    tenants.job_seconds("busy").observe(2.0);
    let text = exposition(&registry, Format::Prometheus);
    assert_eq!(samples(&text, "life_job_seconds_count"), [r#"life_job_seconds_count{tenant="busy"} 3"#]);
    assert!(tenants.job_seconds.get(("quiet",)).is_none(), "the expired series is gone");
    assert_eq!(tenants.job_seconds.series_count(), 1);

    // A tenant seen again starts a new series.
    tenants.job_seconds("quiet").observe(0.1);
    let text = exposition(&registry, Format::Prometheus);
    assert!(text.contains("life_job_seconds_count{tenant=\"quiet\"} 1\n"), "{text}");
    // `busy` last changed before the third exposition; the fourth and the fifth find it
    // unchanged, and the fifth removes it.
    let text = exposition(&registry, Format::Prometheus);
    assert_eq!(samples(&text, "life_job_seconds_count"), [r#"life_job_seconds_count{tenant="quiet"} 1"#]);
}

/// Recorders, removals and expositions at once: nothing panics, every exposition is well
/// formed, and the series that were never removed count every record.
#[test]
fn concurrent_records_removals_and_expositions() {
    let registry = Registry::new();
    let tenants = Tenants::register(&registry).unwrap();
    const THREADS: u64 = 3;
    const ROUNDS: u64 = 2_000;
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let tenants = &tenants;
            scope.spawn(move || {
                for round in 0..ROUNDS {
                    let tenant = format!("t{}", round % 16);
                    tenants.sessions(&tenant, "eu").inc();
                    tenants.sessions("steady", "eu").inc();
                    if round % 7 == thread {
                        tenants.remove_sessions(&tenant, "eu");
                    }
                }
            });
        }
        scope.spawn(|| {
            for _ in 0..50 {
                let mut out = Vec::new();
                registry.encode(&mut out, Format::OpenMetrics).unwrap();
                assert!(out.ends_with(b"# EOF\n"));
            }
        });
    });
    let steady = tenants.sessions.get(("steady", "eu")).map(|series| series.get());
    assert_eq!(steady, Some((THREADS * ROUNDS) as i64));
    let text = exposition(&registry, Format::Prometheus);
    assert_eq!(samples(&text, "life_sessions").len(), tenants.sessions.series_count());
}

/// A removable metric with a label struct: the `remove_` method takes the struct too.
#[test]
fn removal_by_label_struct() {
    let registry = Registry::new();
    let tenants = Tenants::register(&registry).unwrap();
    tenants.connections(Peer { tenant: "acme", peer: "10.0.0.1" }).set(2);
    tenants.connections(Peer { tenant: "acme", peer: "10.0.0.2" }).set(1);
    assert!(tenants.remove_connections(Peer { tenant: "acme", peer: "10.0.0.1" }));
    assert!(!tenants.remove_connections(Peer { tenant: "10.0.0.2", peer: "acme" }), "the fields are named");
    let text = exposition(&registry, Format::Prometheus);
    assert_eq!(samples(&text, "life_connections"), [r#"life_connections{peer="10.0.0.2",tenant="acme"} 1"#]);
}
