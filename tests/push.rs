//! The Pushgateway client against a real Pushgateway (Debian package `prometheus-pushgateway`),
//! started here on a free loopback port: push, push-add, delete, the gateway's rejections with
//! its explanation, and an unreachable gateway.
//!
//! Without a `prometheus-pushgateway` on `PATH` the test is skipped with a note, unless
//! `SOLTI_REQUIRE_PUSHGATEWAY` is set (CI sets it).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use solti_metrics::push::{PushError, Pushgateway};
use solti_metrics::{Gauge, HistogramVec, IntCounter, MetricsSet, Registry};

#[derive(MetricsSet)]
#[metrics(namespace = "batch")]
struct Batch {
    /// Files copied.
    files_total: IntCounter,
    /// Copy duration.
    #[metric(labels(kind), buckets(0.1, 1.0))]
    copy_seconds: HistogramVec,
}

#[derive(MetricsSet)]
#[metrics(namespace = "batch")]
struct LastRun {
    /// When the last run ended, as a Unix time.
    last_run_timestamp_seconds: Gauge,
}

/// The same name as `Batch::files_total`, of another type: the gateway refuses it.
#[derive(MetricsSet)]
#[metrics(namespace = "batch")]
struct Conflicting {
    /// Files copied, as a gauge.
    #[metric(allow(unexpected_total))]
    files_total: Gauge,
}

/// A Pushgateway process, stopped on drop.
struct Gateway {
    process: Child,
    url: String,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

const REQUIRE: &str = "SOLTI_REQUIRE_PUSHGATEWAY";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_gateway() -> Option<Gateway> {
    let port = free_port();
    let process = Command::new("prometheus-pushgateway")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let process = match process {
        Ok(process) => process,
        Err(error) => {
            assert!(
                std::env::var_os(REQUIRE).is_none(),
                "prometheus-pushgateway is required ({REQUIRE} is set): {error}"
            );
            eprintln!("note: Pushgateway test skipped: {error} (install Debian's `prometheus-pushgateway`)");
            return None;
        }
    };
    let gateway = Gateway { process, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = http_get(&format!("{}/-/ready", gateway.url)).await;
        if ready.is_ok() {
            return Some(gateway);
        }
        assert!(Instant::now() < deadline, "the Pushgateway did not become ready: {ready:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `GET url`: the body, or why not.
async fn http_get(url: &str) -> Result<String, String> {
    let mut stream = tokio::net::TcpStream::connect(url.trim_start_matches("http://").split('/').next().unwrap_or(""))
        .await
        .map_err(|error| error.to_string())?;
    let path = format!("/{}", url.trim_start_matches("http://").split_once('/').map_or("", |(_, path)| path));
    let request = format!("GET {path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes()).await.map_err(|error| error.to_string())?;
    let mut response = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut response).await.map_err(|error| error.to_string())?;
    let response = String::from_utf8_lossy(&response).into_owned();
    match response.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.1 200") => Ok(body.to_owned()),
        _ => Err(response),
    }
}

/// The gateway's own exposition, as Prometheus scrapes it.
async fn gateway_metrics(gateway: &Gateway) -> String {
    http_get(&format!("{}/metrics", gateway.url)).await.unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn push_push_add_delete_and_rejections_against_a_real_pushgateway() {
    let Some(gateway) = start_gateway().await else { return };
    let client = Pushgateway::new(&gateway.url);

    let registry = Registry::new();
    let batch = Batch::register(&registry).unwrap();
    batch.files_total().inc_by(3);
    batch.copy_seconds("full").observe(0.5);
    let group = [("instance", "db/1")];
    client.push(&registry, "backup", &group).await.unwrap();
    let text = gateway_metrics(&gateway).await;
    assert!(text.contains(r#"batch_files_total{instance="db/1",job="backup"} 3"#), "{text}");
    assert!(text.contains(r#"batch_copy_seconds_bucket{instance="db/1",job="backup",kind="full",le="1"} 1"#), "{text}");

    // push_add keeps what the group holds under other names.
    let last_run = Registry::new();
    LastRun::register(&last_run).unwrap().last_run_timestamp_seconds().set(1.7e9);
    client.push_add(&last_run, "backup", &group).await.unwrap();
    let text = gateway_metrics(&gateway).await;
    assert!(text.contains(r#"batch_files_total{instance="db/1",job="backup"} 3"#), "{text}");
    assert!(text.contains(r#"batch_last_run_timestamp_seconds{instance="db/1",job="backup"} 1.7e+09"#), "{text}");

    // push replaces the whole group.
    batch.files_total().inc();
    client.push(&registry, "backup", &group).await.unwrap();
    let text = gateway_metrics(&gateway).await;
    assert!(text.contains(r#"batch_files_total{instance="db/1",job="backup"} 4"#), "{text}");
    assert!(!text.contains("batch_last_run_timestamp_seconds{"), "{text}");

    // A metric inconsistent with what another group holds: HTTP 400, and the gateway's reason.
    let conflicting = Registry::new();
    Conflicting::register(&conflicting).unwrap().files_total().set(1.0);
    match client.push(&conflicting, "other", &[]).await {
        Err(PushError::Rejected { status: 400, body, .. }) => assert!(body.contains("batch_files_total"), "{body}"),
        other => panic!("expected a rejection, got {other:?}"),
    }
    let error = client.push(&conflicting, "other", &[]).await.unwrap_err().to_string();
    assert!(error.contains("HTTP 400") && error.contains("batch_files_total"), "{error}");

    client.delete("backup", &group).await.unwrap();
    let text = gateway_metrics(&gateway).await;
    assert!(!text.contains("batch_files_total{"), "{text}");

    // A job and grouping values with `/`, and an empty value: base64 in the path.
    client.push(&registry, "nightly/backup", &[("instance", ""), ("path", "/var/db")]).await.unwrap();
    let text = gateway_metrics(&gateway).await;
    assert!(text.contains(r#"batch_files_total{instance="",job="nightly/backup",path="/var/db"} 4"#), "{text}");
    client.delete("nightly/backup", &[("instance", ""), ("path", "/var/db")]).await.unwrap();
    assert!(!gateway_metrics(&gateway).await.contains("nightly/backup"));

    // A port nothing listens on.
    let nowhere = Pushgateway::new(format!("http://127.0.0.1:{}", free_port()));
    match nowhere.push(&registry, "backup", &[]).await {
        Err(error @ PushError::Unreachable { .. }) => assert!(error.to_string().contains("unreachable"), "{error}"),
        other => panic!("expected an unreachable gateway, got {other:?}"),
    }
}

/// A gateway that takes the connection and never answers: the push fails as unreachable once
/// its timeout has passed, instead of holding the pusher.
#[tokio::test(flavor = "current_thread")]
async fn a_silent_gateway_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            connections.push(stream);
        }
    });
    let registry = Registry::new();
    Batch::register(&registry).unwrap().files_total().inc();
    let client = Pushgateway::new(format!("http://{address}")).with_timeout(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    match client.push(&registry, "backup", &[]).await {
        Err(error @ PushError::Unreachable { .. }) => {
            assert!(error.to_string().contains("timed out"), "{error}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    held.abort();
}
