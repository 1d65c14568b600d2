//! UTF-8 names as each scraper gets them: quoted under `allow-utf-8`, escaped by the scheme it
//! names otherwise, in every text format read back by the Python client's parsers (Prometheus
//! text and OpenMetrics), and in protobuf decoded with prost. Legacy names beside them never
//! change; names a legacy scraper would see as one are refused at registration.

mod common;

use common::{metrics_proto, openmetrics, promtool};
use solti_metrics::{
    ContentType, CounterVec, Error, Escaping, Format, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, LabelValue,
    MetricsSet, Registry,
};

#[derive(Clone, Copy, LabelValue)]
enum Method {
    Get,
}

#[derive(MetricsSet)]
struct Http {
    /// Duration of HTTP server requests.
    #[metric(
        name = "http.server.request.duration",
        labels("http.request.method": Method, "http.route"),
        buckets(0.1, 1.0),
        native
    )]
    duration: HistogramVec,
    /// Requests being served.
    #[metric(name = "http.server.active_requests", labels("http.request.method": Method))]
    active: IntGaugeVec,
    /// Bytes sent, a name with a space, an emoji and a quote.
    #[metric(name = "bytes \"sent\" \u{1f4e6}_total", labels("region.ключ"))]
    sent: CounterVec,
    /// A legacy name.
    #[metric(labels(path))]
    legacy_total: IntCounterVec,
}

/// A registry with one series of each metric; label values that need escaping too.
fn registry() -> Registry {
    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    http.duration(Method::Get, "/users/{id}").observe(0.5);
    http.active(Method::Get).set(2);
    http.sent("зна\"чение\n").inc_by(1.5);
    http.legacy_total("/").inc();
    registry
}

fn exposition(registry: &Registry, format: Format, escaping: Escaping) -> String {
    let mut out = Vec::new();
    registry.encode_as(&mut out, ContentType::new(format, escaping)).unwrap();
    String::from_utf8(out).unwrap()
}

/// The names each scheme gives: the histogram's, the gauge's, the counter's, and the labels
/// `http.request.method`, `http.route`, `region.ключ`.
fn names(escaping: Escaping) -> [&'static str; 6] {
    match escaping {
        Escaping::AllowUtf8 => [
            "http.server.request.duration",
            "http.server.active_requests",
            "bytes \"sent\" \u{1f4e6}_total",
            "http.request.method",
            "http.route",
            "region.ключ",
        ],
        Escaping::Underscores => [
            "http_server_request_duration",
            "http_server_active_requests",
            "bytes__sent____total",
            "http_request_method",
            "http_route",
            "region_____",
        ],
        Escaping::Dots => [
            "http_dot_server_dot_request_dot_duration",
            "http_dot_server_dot_active__requests",
            "bytes____sent________total",
            "http_dot_request_dot_method",
            "http_dot_route",
            "region_dot_________",
        ],
        Escaping::Values => [
            "U__http_2e_server_2e_request_2e_duration",
            "U__http_2e_server_2e_active__requests",
            "U__bytes_20__22_sent_22__20__1f4e6___total",
            "U__http_2e_request_2e_method",
            "U__http_2e_route",
            "U__region_2e__43a__43b__44e__447_",
        ],
    }
}

/// The samples a parser should read, as [`openmetrics::samples`] prints them.
fn expected(escaping: Escaping, openmetrics: bool) -> Vec<String> {
    let [histogram, gauge, counter, method, route, key] = names(escaping);
    let quote = |text: &str| serde_json_like(text);
    let pairs = |extra: &[(&str, &str)]| {
        let mut pairs: Vec<(&str, &str)> = vec![(method, "get"), (route, "/users/{id}")];
        pairs.extend_from_slice(extra);
        pairs.sort();
        pairs.iter().map(|(name, value)| format!("{}={}", quote(name), quote(value))).collect::<Vec<_>>().join(",")
    };
    let mut lines = vec![
        format!("{}{{{}}} 0.0", quote(&format!("{histogram}_bucket")), pairs(&[("le", "0.1")])),
        format!("{}{{{}}} 1.0", quote(&format!("{histogram}_bucket")), pairs(&[("le", "1.0")])),
        format!("{}{{{}}} 1.0", quote(&format!("{histogram}_bucket")), pairs(&[("le", "+Inf")])),
        format!("{}{{{}}} 1.0", quote(&format!("{histogram}_count")), pairs(&[])),
        format!("{}{{{}}} 0.5", quote(&format!("{histogram}_sum")), pairs(&[])),
        format!("{}{{{}={}}} 2.0", quote(gauge), quote(method), quote("get")),
        format!("{}{{{}={}}} 1.5", quote(counter), quote(key), quote("зна\"чение\n")),
        format!("{}{{{}={}}} 1.0", quote("legacy_total"), quote("path"), quote("/")),
    ];
    if !openmetrics {
        // The Prometheus text's parser reads `le="1"` as written.
        lines[1] = lines[1].replace("\"le\"=\"1.0\"", "\"le\"=\"1\"");
    }
    lines.sort();
    lines
}

/// `text` in JSON quotes, as Python's `json.dumps(.., ensure_ascii=False)` writes it.
fn serde_json_like(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every text format under every scheme, read back by the Python client's parsers: each name as
/// the scheme writes it, label values intact.
#[test]
fn every_text_format_under_every_escaping_reads_back() {
    let registry = registry();
    for escaping in Escaping::ALL {
        for format in [Format::Prometheus, Format::PrometheusV1, Format::OpenMetrics, Format::OpenMetricsV0] {
            let text = exposition(&registry, format, escaping);
            let openmetrics = matches!(format, Format::OpenMetrics | Format::OpenMetricsV0);
            let Some(mut samples) = openmetrics::samples(if openmetrics { "openmetrics" } else { "text" }, &text)
            else {
                return;
            };
            samples.sort();
            assert_eq!(samples, expected(escaping, openmetrics), "{format:?} {escaping:?}\n{text}");
        }
    }
}

/// Exactly as the Go client writes them: quoted names in the `# ` lines and inside the braces
/// under `allow-utf-8`; escaped names otherwise, and what promtool (which knows legacy names
/// alone) accepts.
#[test]
fn quoted_or_escaped_as_the_go_client_writes_them() {
    let registry = registry();
    let utf8 = exposition(&registry, Format::Prometheus, Escaping::AllowUtf8);
    for line in [
        "# HELP \"http.server.request.duration\" Duration of HTTP server requests.\n",
        "# TYPE \"http.server.request.duration\" histogram\n",
        "{\"http.server.request.duration_bucket\",\"http.request.method\"=\"get\",\"http.route\"=\"/users/{id}\",le=\"0.1\"} 0\n",
        "{\"http.server.request.duration_count\",\"http.request.method\"=\"get\",\"http.route\"=\"/users/{id}\"} 1\n",
        "{\"bytes \\\"sent\\\" \u{1f4e6}_total\",\"region.ключ\"=\"зна\\\"чение\\n\"} 1.5\n",
        "legacy_total{path=\"/\"} 1\n",
    ] {
        assert!(utf8.contains(line), "{line}\n{utf8}");
    }
    let openmetrics = exposition(&registry, Format::OpenMetrics, Escaping::AllowUtf8);
    assert!(openmetrics.contains("# TYPE \"bytes \\\"sent\\\" \u{1f4e6}\" counter\n"), "{openmetrics}");
    assert!(openmetrics.contains("{\"bytes \\\"sent\\\" \u{1f4e6}_total\",\"region.ключ\"="), "{openmetrics}");

    let underscores = exposition(&registry, Format::Prometheus, Escaping::Underscores);
    assert!(underscores.contains(
        "http_server_request_duration_bucket{http_request_method=\"get\",http_route=\"/users/{id}\",le=\"1\"} 1\n"
    ));
    promtool::check(&underscores);
    promtool::check(&exposition(&registry, Format::Prometheus, Escaping::Dots));
    promtool::check(&exposition(&registry, Format::Prometheus, Escaping::Values));
}

/// Protobuf has no quotes: the names as declared under `allow-utf-8`, escaped otherwise.
#[test]
fn protobuf_names_by_escaping() {
    let registry = registry();
    for escaping in Escaping::ALL {
        let mut body = Vec::new();
        registry.encode_as(&mut body, ContentType::new(Format::Protobuf, escaping)).unwrap();
        let families = metrics_proto::decode(&body);
        let [histogram, gauge, counter, method, route, key] = names(escaping);
        let family_names: Vec<&str> =
            families.iter().map(|family| family.name.as_deref().unwrap_or_default()).collect();
        // In the order of the declared names, as every format writes them.
        assert_eq!(family_names, [counter, gauge, histogram, "legacy_total"], "{escaping:?}");
        let label_names = |family: usize| -> Vec<&str> {
            metrics_proto::labels(&families[family].metric[0]).into_iter().map(|(name, _)| name).collect()
        };
        assert_eq!(label_names(2), [method, route]);
        assert_eq!(label_names(1), [method]);
        assert_eq!(metrics_proto::labels(&families[0].metric[0]), [(key, "зна\"чение\n")]);
        assert_eq!(label_names(3), ["path"]);
    }
}

/// A family's rendered labels follow the scraper's escaping from one scrape to the next, and
/// the legacy text stays byte-identical to a registry of legacy names alone.
#[test]
fn alternating_scrapers_each_get_their_own() {
    let registry = registry();
    let first: Vec<String> =
        Escaping::ALL.iter().map(|&escaping| exposition(&registry, Format::Prometheus, escaping)).collect();
    for _ in 0..3 {
        for (escaping, expected) in Escaping::ALL.iter().zip(&first) {
            assert_eq!(&exposition(&registry, Format::Prometheus, *escaping), expected);
        }
    }
    let legacy = |text: &str| text.lines().filter(|line| line.contains("legacy_total")).collect::<Vec<_>>().join("\n");
    for text in &first {
        assert_eq!(legacy(text), legacy(&first[1]));
    }
}

#[derive(MetricsSet)]
struct Dotted {
    /// Requests, by a dotted name.
    #[metric(name = "app.requests_total")]
    requests: IntCounter,
}

#[derive(MetricsSet)]
struct Plain {
    /// Requests.
    app_requests_total: IntCounter,
}

/// Two sets whose names a legacy scraper would see as one: the second is refused, and nothing of
/// it is registered.
#[test]
fn names_alike_once_escaped_are_refused_across_sets() {
    let registry = Registry::new();
    let _dotted = Dotted::register(&registry).unwrap();
    match Plain::register(&registry) {
        Err(Error::AlreadyRegistered { series, .. }) => assert_eq!(series, "app_requests_total"),
        other => panic!("expected a clash, got {:?}", other.err()),
    }
    let text = exposition(&registry, Format::Prometheus, Escaping::AllowUtf8);
    assert_eq!(text.matches("# TYPE").count(), 1, "{text}");
}

/// Prometheus' `UnescapeName` for the `values` scheme: `U__`, `__` for `_`, `_hex_` for a code
/// point; `None` for what is not such a name.
fn unescape_values(escaped: &str) -> Option<String> {
    let mut rest = escaped.strip_prefix("U__")?.chars().peekable();
    let mut name = String::new();
    while let Some(c) = rest.next() {
        if c != '_' {
            name.push(c);
            continue;
        }
        if rest.peek() == Some(&'_') {
            rest.next();
            name.push('_');
            continue;
        }
        let hex: String = rest.by_ref().take_while(|&c| c != '_').collect();
        name.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
    }
    Some(name)
}

fn is_legacy(name: &str, label: bool) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (c == ':' && !label))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (c == ':' && !label))
}

proptest::proptest! {
    /// Every scheme gives a legacy name (a label's without `:`); `values` is undone by
    /// Prometheus' unescaping; `dots` is undone for names of letters, digits, `.` and `_`; a
    /// legacy name is left as it is.
    #[test]
    fn escaping_round_trips(name in "\\PC{1,24}", label in proptest::bool::ANY) {
        use solti_metrics_rules::names::escaped_name;
        let legacy = is_legacy(&name, label);
        for escaping in [Escaping::Underscores, Escaping::Dots, Escaping::Values] {
            let escaped = escaped_name(&name, escaping, label);
            proptest::prop_assert!(is_legacy(&escaped, label), "{name:?} -> {escaped:?}");
            if legacy {
                proptest::prop_assert_eq!(&escaped, &name);
            }
        }
        if !legacy {
            let values = escaped_name(&name, Escaping::Values, label);
            proptest::prop_assert_eq!(unescape_values(&values), Some(name.clone()));
            if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') && !name.starts_with(|c: char| c.is_ascii_digit()) {
                let dots = escaped_name(&name, Escaping::Dots, label);
                proptest::prop_assert_eq!(dots.replace("_dot_", ".").replace("__", "_"), name);
            }
        }
    }
}

/// Label values of every kind, and names escaped by every scheme, read back by both Python
/// parsers exactly as recorded.
#[test]
fn values_and_escaped_names_round_trip_through_the_parsers() {
    // A fixed sample of hostile values: quotes, backslashes, line feeds, braces, `#`, non-ASCII,
    // an empty one, a long one.
    let mut values: Vec<String> = ["", "\"", "\\", "\n", "a\"b\\c\nd", "} 1\n# HELP x y", "日本語 😱", "=,{}"]
        .iter()
        .map(|value| (*value).to_owned())
        .collect();
    values.push("x\\n".repeat(5_000));
    let mut seed = 0x5eed_u64;
    for _ in 0..40 {
        let value: String = (0..(seed % 12))
            .map(|i| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ['a', '"', '\\', '\n', 'é', '{', '}', ',', '=', ' ', '#', '\u{1f600}']
                    [((seed >> 33) as usize + i as usize) % 12]
            })
            .collect();
        seed = seed.wrapping_add(7);
        values.push(value);
    }
    values.sort();
    values.dedup();
    let registry = Registry::new();
    let http = Http::register(&registry).unwrap();
    for value in &values {
        http.sent(value).inc();
    }
    for escaping in Escaping::ALL {
        let [_, _, counter, _, _, key] = names(escaping);
        for (format, parser) in [(Format::Prometheus, "text"), (Format::OpenMetrics, "openmetrics")] {
            let text = exposition(&registry, format, escaping);
            let Some(samples) = openmetrics::samples(parser, &text) else { return };
            let prefix = format!("{}{{{}=", serde_json_like(counter), serde_json_like(key));
            let mut read: Vec<String> = samples
                .iter()
                .filter_map(|sample| sample.strip_prefix(&prefix))
                .map(|rest| rest.rsplit_once(' ').unwrap().0.to_owned())
                .collect();
            read.sort();
            let mut expected: Vec<String> =
                values.iter().map(|value| format!("{}}}", serde_json_like(value))).collect();
            expected.sort();
            assert_eq!(read, expected, "{format:?} {escaping:?}");
        }
    }
}

#[derive(MetricsSet)]
struct Environment {
    /// By environment.
    #[metric(labels("env.name"))]
    deploys_total: IntCounterVec,
}

#[derive(MetricsSet)]
struct Jobs {
    /// Jobs done.
    jobs_total: IntCounter,
}

#[derive(MetricsSet)]
struct JobsCreated {
    /// A gauge named as the counter's `_created` sample.
    jobs_created: solti_metrics::IntGauge,
}

#[derive(MetricsSet)]
struct DottedGauge {
    /// By a dotted name.
    #[metric(name = "a.c")]
    dotted: solti_metrics::IntGauge,
}

#[derive(MetricsSet)]
struct LegacyGauge {
    /// By the legacy name `dots` gives the other.
    a_dot_c: solti_metrics::IntGauge,
}

/// What a scraper without UTF-8 names would see twice is refused at registration, whatever it
/// names: a label as a registry's constant label, an OpenMetrics `_created` sample as a metric,
/// a dotted name as a legacy one under `dots`.
#[test]
fn names_a_legacy_scraper_would_see_twice_are_refused_at_registration() {
    let labels = std::collections::HashMap::from([("env_dot_name".to_owned(), "prod".to_owned())]);
    let registry = Registry::new_custom(None, Some(labels)).unwrap();
    match Environment::register(&registry) {
        Err(Error::ConstLabelClash { label, .. }) => assert_eq!(label, "env.name"),
        other => panic!("expected a clash, got {:?}", other.err()),
    }
    let registry = Registry::new();
    let _jobs = Jobs::register(&registry).unwrap();
    match JobsCreated::register(&registry) {
        Err(Error::AlreadyRegistered { series, .. }) => assert_eq!(series, "jobs_created"),
        other => panic!("expected a clash, got {:?}", other.err()),
    }
    let _dotted = DottedGauge::register(&registry).unwrap();
    match LegacyGauge::register(&registry) {
        Err(Error::AlreadyRegistered { series, .. }) => assert_eq!(series, "a_dot_c"),
        other => panic!("expected a clash, got {:?}", other.err()),
    }
}

#[derive(MetricsSet)]
struct Statuses {
    /// Responses in the 2xx class.
    #[metric(name = "2xx_total")]
    ok: IntCounter,
}

/// A name that is legacy only once prefixed: `encode` and `gather` both escape the whole name,
/// prefix included, and agree.
#[test]
fn gather_and_encode_name_a_prefixed_family_alike() {
    let registry = Registry::new_custom(Some("app".to_owned()), None).unwrap();
    Statuses::register(&registry).unwrap().ok().inc();
    let text = exposition(&registry, Format::Prometheus, Escaping::Underscores);
    assert!(text.contains("\napp_2xx_total 1\n"), "{text}");
    let names: Vec<String> = registry.gather().iter().map(|family| family.name().to_owned()).collect();
    assert_eq!(names, ["app_2xx_total"]);
}
