//! The axum handler under 200 concurrent scrapes while recording: every response complete and
//! well-formed in the format it names (our strict reader, prost), gzip or not; each body
//! allocated once, at the size of the last exposition.

mod common;

use std::io::Read as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{metrics_proto, strict};
use solti_metrics::{HistogramVec, IntCounterVec, MetricsSet, Registry};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const SCRAPES: usize = 200;

#[derive(MetricsSet)]
struct Api {
    /// Requests served.
    #[metric(labels(path))]
    requests_total: IntCounterVec,
    /// Request latency.
    #[metric(labels(path), native)]
    latency_seconds: HistogramVec,
}

/// One GET over its own connection: the status line, headers (lowercase names) and body.
async fn get(address: std::net::SocketAddr, headers: &[(&str, &str)]) -> (String, Vec<(String, String)>, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request = format!("GET /metrics HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = response.windows(4).position(|window| window == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8(response[..split].to_vec()).unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers, response[split + 4..].to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_scrapes_while_recording() {
    let registry = Registry::new();
    let api = Arc::new(Api::register(&registry).unwrap());
    for path in 0..2_000 {
        api.requests_total(&format!("/p{path}")).inc();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, solti_metrics::axum::router(registry.clone())).into_future());

    // A recorder adding series and values all along.
    let stop = Arc::new(AtomicBool::new(false));
    let recorder = {
        let (api, stop) = (Arc::clone(&api), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                api.requests_total(&format!("/p{}", i % 4_000)).inc();
                api.latency_seconds(&format!("/p{}", i % 50)).observe((i % 1000) as f64 / 100.0);
                i += 1;
            }
            i
        })
    };

    let accepts = [
        None,
        Some("application/openmetrics-text;version=1.0.0"),
        Some("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"),
        Some("text/plain;version=1.0.0;escaping=allow-utf-8"),
    ];
    let mut scrapes = Vec::new();
    for n in 0..SCRAPES {
        let accept = accepts[n % accepts.len()];
        let gzip = n % 3 == 0;
        scrapes.push(tokio::spawn(async move {
            let mut headers = Vec::new();
            if let Some(accept) = accept {
                headers.push(("Accept", accept));
            }
            if gzip {
                headers.push(("Accept-Encoding", "gzip"));
            }
            (accept, gzip, get(address, &headers).await)
        }));
    }
    let mut formats = [0usize; 3];
    for scrape in scrapes {
        let (accept, gzip, (status, headers, body)) = scrape.await.expect("a scrape task panicked");
        assert_eq!(status, "HTTP/1.1 200 OK");
        let header = |name: &str| headers.iter().find(|(header, _)| header == name).map(|(_, value)| value.as_str());
        let body = if gzip {
            assert_eq!(header("content-encoding"), Some("gzip"));
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(body.as_slice()).read_to_end(&mut plain).expect("a complete gzip stream");
            plain
        } else {
            body
        };
        let content_type = header("content-type").unwrap_or_default();
        if content_type.starts_with("application/vnd.google.protobuf") {
            let families = metrics_proto::decode(&body);
            assert!(families.iter().any(|family| family.name.as_deref() == Some("requests_total")));
            formats[2] += 1;
        } else {
            let openmetrics = content_type.starts_with("application/openmetrics-text");
            let text = String::from_utf8(body).expect("UTF-8");
            let samples = strict::parse(&text, openmetrics).unwrap_or_else(|error| panic!("{accept:?}: {error}"));
            strict::check_invariants(&samples, &["latency_seconds"]).unwrap();
            assert!(samples.iter().filter(|sample| sample.name == "requests_total").count() >= 2_000);
            formats[usize::from(openmetrics)] += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let recorded = recorder.join().expect("the recorder panicked");
    assert!(recorded > 0);
    assert_eq!(formats, [100, 50, 50], "text, OpenMetrics, protobuf");
    // The handler's next body is sized after the last exposition.
    assert!(registry.size_hint() > 2_000 * "requests_total{path=\"/p0\"} 1\n".len());
}
