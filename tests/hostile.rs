//! A hostile workload, bounded and seeded: threads record into every kind of series while
//! others remove single series, clear a metric, let series expire and scrape in every format and
//! escaping at once. Every exposition is read strictly (our reader for the text formats, prost
//! for protobuf, the Python client's OpenMetrics parser for a sample of them) and must hold:
//! no series twice, buckets cumulative, `_count` equal to `+Inf`, counters of series never
//! removed never decreasing, at most `max_series` + 1 series on the capped metric; afterwards,
//! exact totals for the series never removed, and no thread panicked.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use common::{metrics_proto, openmetrics, strict};
use solti_metrics::{ContentType, Escaping, Format, HistogramVec, IntCounterVec, MetricsSet, Registry};

const RECORDERS: usize = 4;
/// Records per recorder, at least; recorders go on until the scraper has scraped
/// [`SCRAPES`] times while they record.
const RECORDS: usize = 20_000;
const SCRAPES: usize = 60;
const PATHS: [&str; 6] = ["/", "/a", "/b\"q\"", "/c\\d", "/e\nf", ""];
const USERS: u64 = 40;
const JOBS: u64 = 200;
const CLIENTS: u64 = 300;
const CLIENT_LIMIT: usize = 20;
/// Observations exact in binary, so sums compare exactly.
const SECONDS: [f64; 4] = [0.0078125, 0.0625, 0.5, 4.0];

#[derive(MetricsSet)]
struct Service {
    /// Requests by path, never removed.
    #[metric(labels(path))]
    requests_total: IntCounterVec,
    /// Latency by path, never removed.
    #[metric(labels(path), buckets(0.01, 0.1, 1.0), native)]
    latency_seconds: HistogramVec,
    /// Sessions by user, removed one by one and cleared while recorded.
    #[metric(labels(user), removable)]
    sessions_total: IntCounterVec,
    /// Jobs by id, expired after two unchanged expositions.
    #[metric(labels(job), expire_after = 2)]
    jobs_total: IntCounterVec,
    /// Clients, at most 20 series and the overflow series.
    #[metric(labels(client), max_series = 20)]
    clients_total: IntCounterVec,
    /// Requests by route, by an OpenTelemetry name.
    #[metric(name = "http.server.requests_total", labels("http.route"))]
    routed: IntCounterVec,
}

/// SplitMix64: a fixed seed per thread, so every run records the same.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// What the recorders recorded into the series never removed.
#[derive(Default)]
struct Tally {
    records: u64,
    requests: HashMap<&'static str, u64>,
    observations: HashMap<&'static str, (u64, f64)>,
    routed: HashMap<&'static str, u64>,
}

const FORMATS: [(Format, Escaping); 6] = [
    (Format::Prometheus, Escaping::Underscores),
    (Format::PrometheusV1, Escaping::AllowUtf8),
    (Format::OpenMetrics, Escaping::Underscores),
    (Format::OpenMetricsV0, Escaping::AllowUtf8),
    (Format::OpenMetrics, Escaping::Dots),
    (Format::Protobuf, Escaping::Values),
];

/// What one scrape read: every series' value, by name and sorted labels.
type Values = HashMap<(String, Vec<(String, String)>), f64>;

/// Reads a text exposition strictly and checks it; its values.
fn check_text(text: &str, format: Format, escaping: Escaping) -> Values {
    let openmetrics = matches!(format, Format::OpenMetrics | Format::OpenMetricsV0);
    let samples = strict::parse(text, openmetrics).unwrap_or_else(|error| panic!("{error}\n{text}"));
    strict::check_invariants(&samples, &["latency_seconds"]).unwrap_or_else(|error| panic!("{error}\n{text}"));
    let routed = match escaping {
        Escaping::AllowUtf8 => "http.server.requests_total",
        Escaping::Dots => "http_dot_server_dot_requests__total",
        _ => "http_server_requests_total",
    };
    let clients = samples.iter().filter(|sample| sample.name == "clients_total").count();
    assert!(clients <= CLIENT_LIMIT + 1, "{clients} series of clients_total");
    samples
        .iter()
        .filter(|sample| ["requests_total", "latency_seconds_count", routed].contains(&sample.name.as_str()))
        .map(|sample| {
            let name = if sample.name == routed { "routed" } else { sample.name.as_str() };
            ((name.to_owned(), sample.series_labels()), sample.value)
        })
        .collect()
}

/// Decodes a protobuf exposition and checks it; its values, named as [`check_text`] names them.
fn check_protobuf(body: &[u8]) -> Values {
    let mut values = Values::new();
    for family in metrics_proto::decode(body) {
        let name = family.name.clone().unwrap_or_default();
        let mut seen = Vec::new();
        for metric in &family.metric {
            let mut labels: Vec<(String, String)> =
                metrics_proto::labels(metric).iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
            labels.sort();
            assert!(!seen.contains(&labels), "{name}{labels:?} twice");
            seen.push(labels.clone());
            if let Some(histogram) = &metric.histogram {
                let counts: Vec<u64> = histogram.bucket.iter().map(|bucket| bucket.cumulative_count()).collect();
                assert!(counts.windows(2).all(|pair| pair[0] <= pair[1]), "{name}: {counts:?}");
                assert!(counts.last().is_none_or(|&last| last <= histogram.sample_count()), "{name}");
                let native: i64 = histogram
                    .positive_delta
                    .iter()
                    .scan(0i64, |count, delta| {
                        *count += delta;
                        Some(*count)
                    })
                    .sum::<i64>()
                    + histogram.zero_count() as i64;
                assert!(native as u64 <= histogram.sample_count(), "{name}: native {native} above the count");
            }
            let value = match (&metric.counter, &metric.histogram) {
                (Some(counter), _) => counter.value(),
                (_, Some(histogram)) => histogram.sample_count() as f64,
                _ => continue,
            };
            let key = match name.as_str() {
                "requests_total" => "requests_total",
                "latency_seconds" => "latency_seconds_count",
                "U__http_2e_server_2e_requests__total" => "routed",
                _ => continue,
            };
            values.insert((key.to_owned(), labels), value);
        }
        if name == "clients_total" {
            assert!(family.metric.len() <= CLIENT_LIMIT + 1, "{} series of clients_total", family.metric.len());
        }
    }
    values
}

#[test]
fn every_exposition_holds_while_everything_happens_at_once() {
    let registry = Registry::new();
    registry.write_created_samples(true);
    let service = Arc::new(Service::register(&registry).unwrap());
    let done = Arc::new(AtomicBool::new(false));
    let barrier = Arc::new(Barrier::new(RECORDERS + 2));
    let tallies = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::new(Mutex::new(Vec::new()));
    let scraped = Arc::new(AtomicUsize::new(0));

    let mut handles = Vec::new();
    for recorder in 0..RECORDERS {
        let (service, barrier, tallies) = (Arc::clone(&service), Arc::clone(&barrier), Arc::clone(&tallies));
        let scraped = Arc::clone(&scraped);
        handles.push(thread::spawn(move || {
            let mut random = Random(0x5eed + recorder as u64);
            let mut tally = Tally::default();
            barrier.wait();
            // `usize::MAX` once the scraper has stopped, by returning or by panicking.
            while tally.records < RECORDS as u64 || scraped.load(Ordering::Relaxed) < SCRAPES {
                tally.records += 1;
                let path = PATHS[random.below(PATHS.len() as u64) as usize];
                match random.below(6) {
                    0 => {
                        service.requests_total(path).inc();
                        *tally.requests.entry(path).or_default() += 1;
                    }
                    1 => {
                        let seconds = SECONDS[random.below(SECONDS.len() as u64) as usize];
                        service.latency_seconds(path).observe(seconds);
                        let entry = tally.observations.entry(path).or_default();
                        *entry = (entry.0 + 1, entry.1 + seconds);
                    }
                    2 => service.sessions_total(&format!("u{}", random.below(USERS))).inc(),
                    3 => service.jobs_total(&format!("j{}", random.below(JOBS))).inc(),
                    4 => service.clients_total(&format!("c{}", random.below(CLIENTS))).inc(),
                    _ => {
                        service.routed(path).inc();
                        *tally.routed.entry(path).or_default() += 1;
                    }
                }
            }
            tallies.lock().unwrap().push(tally);
        }));
    }
    let remover = {
        let (service, barrier, done) = (Arc::clone(&service), Arc::clone(&barrier), Arc::clone(&done));
        thread::spawn(move || {
            let mut random = Random(0xdead);
            barrier.wait();
            let mut round = 0u64;
            while !done.load(Ordering::Relaxed) {
                round += 1;
                if round % 64 == 0 {
                    service.sessions_total.clear();
                } else {
                    let _ = service.remove_sessions_total(&format!("u{}", random.below(USERS)));
                }
                thread::yield_now();
            }
        })
    };
    let scraper = {
        let (registry, barrier, done, kept) =
            (registry.clone(), Arc::clone(&barrier), Arc::clone(&done), Arc::clone(&kept));
        thread::spawn(move || {
            /// Tells the recorders that the scraper has stopped, whichever way.
            struct Stopped(Arc<AtomicUsize>);
            impl Drop for Stopped {
                fn drop(&mut self) {
                    self.0.store(usize::MAX, Ordering::Relaxed);
                }
            }
            let stopped = Stopped(Arc::clone(&scraped));
            barrier.wait();
            let mut previous = Values::new();
            let mut scrapes = 0usize;
            let mut body = Vec::new();
            while !done.load(Ordering::Relaxed) || scrapes < FORMATS.len() {
                let (format, escaping) = FORMATS[scrapes % FORMATS.len()];
                body.clear();
                registry.encode_as(&mut body, ContentType::new(format, escaping)).unwrap();
                let values = if format == Format::Protobuf {
                    check_protobuf(&body)
                } else {
                    let text = String::from_utf8(body.clone()).expect("UTF-8");
                    let values = check_text(&text, format, escaping);
                    if matches!(format, Format::OpenMetrics | Format::OpenMetricsV0) && scrapes % 10 == 2 {
                        kept.lock().unwrap().push(text);
                    }
                    values
                };
                // Series never removed never go down, from one scrape to the next.
                for (series, value) in &values {
                    if let Some(before) = previous.get(series) {
                        assert!(value >= before, "{series:?} went from {before} to {value}");
                    }
                }
                previous.extend(values);
                scrapes += 1;
                stopped.0.store(scrapes, Ordering::Relaxed);
            }
            scrapes
        })
    };

    for recorder in handles {
        recorder.join().expect("a recorder panicked");
    }
    done.store(true, Ordering::Relaxed);
    remover.join().expect("the remover panicked");
    let scrapes = scraper.join().expect("the scraper panicked");
    assert!(scrapes >= FORMATS.len(), "{scrapes} scrapes");
    assert!(scrapes >= SCRAPES, "{scrapes} scrapes");
    let records: u64 = tallies.lock().unwrap().iter().map(|tally| tally.records).sum();
    eprintln!("{scrapes} scrapes while {RECORDERS} threads recorded {records} times");

    // Exact totals for the series never removed.
    let mut expected = Tally::default();
    for tally in tallies.lock().unwrap().iter() {
        for (path, count) in &tally.requests {
            *expected.requests.entry(path).or_default() += count;
        }
        for (path, (count, sum)) in &tally.observations {
            let entry = expected.observations.entry(path).or_default();
            *entry = (entry.0 + count, entry.1 + sum);
        }
        for (path, count) in &tally.routed {
            *expected.routed.entry(path).or_default() += count;
        }
    }
    for (path, count) in &expected.requests {
        assert_eq!(service.requests_total(path).get(), *count, "requests_total{{path={path:?}}}");
    }
    for (path, (count, sum)) in &expected.observations {
        let series = service.latency_seconds(path);
        assert_eq!(series.get_sample_count(), *count, "latency_seconds{{path={path:?}}}");
        assert_eq!(series.get_sample_sum(), *sum, "latency_seconds{{path={path:?}}}");
    }
    for (path, count) in &expected.routed {
        assert_eq!(service.routed(path).get(), *count, "routed {path:?}");
    }
    let mut final_text = Vec::new();
    registry.encode(&mut final_text, Format::OpenMetrics).unwrap();
    let final_text = String::from_utf8(final_text).unwrap();
    let values = check_text(&final_text, Format::OpenMetrics, Escaping::Underscores);
    for (path, count) in &expected.requests {
        let key = ("requests_total".to_owned(), vec![("path".to_owned(), (*path).to_owned())]);
        assert_eq!(values.get(&key).copied(), Some(*count as f64), "{path:?}");
    }

    // The Python client's OpenMetrics parser on some of the expositions taken while it all ran.
    let kept = kept.lock().unwrap();
    assert!(!kept.is_empty());
    for text in kept.iter().chain([&final_text]) {
        openmetrics::parse(text);
    }
}
