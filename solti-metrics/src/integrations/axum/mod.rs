//! A `/metrics` endpoint for [axum](https://docs.rs/axum) (feature `axum`): the exposition of
//! a [`Registry`] in the format the scraper asks for, gzip-compressed when it accepts gzip.
//!
//! ```no_run
//! use solti_metrics::{IntCounter, MetricsSet, Registry};
//!
//! #[derive(MetricsSet)]
//! struct Jobs {
//!     /// Jobs run.
//!     jobs_total: IntCounter,
//! }
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let registry = Registry::new();
//! let jobs = Jobs::register(&registry)?;
//! jobs.jobs_total().inc();
//!
//! // `/metrics` beside the application's own routes.
//! let app = axum::Router::new()
//!     .route("/", axum::routing::get(|| async { "hello" }))
//!     .merge(solti_metrics::axum::router(registry));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9898").await?;
//! axum::serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```

use std::io::Write as _;

use ::axum::Router;
use ::axum::extract::State;
use ::axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::get;

use crate::exposition::ContentType;
use crate::registry::Registry;

mod layer;

pub use layer::{HttpMetricsLayer, HttpMetricsService, HttpServerMetrics, TrackedBody, UNMATCHED_ROUTE, layer};

/// A router that serves `registry` at `GET /metrics` with [`metrics`], to merge into an
/// application's router whatever its state type (`S`, inferred from the router it is merged
/// into; `Router<()>` for one served alone).
///
/// ```
/// use solti_metrics::Registry;
///
/// #[derive(Clone)]
/// struct AppState {
///     greeting: &'static str,
/// }
///
/// let app: axum::Router = axum::Router::new()
///     .route("/", axum::routing::get(|state: axum::extract::State<AppState>| async move { state.greeting }))
///     .merge(solti_metrics::axum::router(Registry::new()))
///     .with_state(AppState { greeting: "hello" });
/// # drop(app);
/// ```
pub fn router<S>(registry: Registry) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new().route("/metrics", get(metrics)).with_state(registry)
}

/// The handler: the registry's exposition in the format and escaping the request's `Accept`
/// header asks for ([`ContentType::negotiate`]: Prometheus text, OpenMetrics or protobuf; UTF-8
/// names quoted or escaped), with the matching `Content-Type`, and
/// gzip-compressed (`Content-Encoding: gzip`) when the `Accept-Encoding` header accepts gzip.
pub async fn metrics(State(registry): State<Registry>, headers: HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|value| value.to_str().ok());
    let content = ContentType::negotiate(accept);
    // Sized after the last exposition (a little more, for series added since), so that each
    // scrape allocates its body once, however many run at once.
    let hint = registry.size_hint();
    let mut body = Vec::with_capacity(hint + hint / 8);
    if let Err(error) = registry.encode_as(&mut body, content) {
        return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
    }
    let content_type = (header::CONTENT_TYPE, HeaderValue::from_static(content.header()));
    let vary = (header::VARY, HeaderValue::from_static("accept, accept-encoding"));
    let gzip = headers.get(header::ACCEPT_ENCODING).and_then(|value| value.to_str().ok()).is_some_and(accepts_gzip);
    if gzip {
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::fast());
        if let Ok(compressed) = encoder.write_all(&body).and_then(|()| encoder.finish()) {
            let encoding = (header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            return ([content_type, vary, encoding], compressed).into_response();
        }
    }
    ([content_type, vary], body).into_response()
}

/// Whether an `Accept-Encoding` header accepts gzip: `gzip` or `*` with a quality above 0.
fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let quality = parts
            .filter_map(|parameter| parameter.strip_prefix("q="))
            .map(|quality| quality.trim().parse::<f32>().unwrap_or(0.0))
            .next()
            .unwrap_or(1.0);
        (name.eq_ignore_ascii_case("gzip") || name == "*") && quality > 0.0
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;
    use crate::exposition::Format;
    use crate::{IntCounterVec, MetricsSet};

    #[derive(MetricsSet)]
    #[metrics(crate = crate)]
    struct Api {
        /// Requests served.
        #[metric(labels(path))]
        requests_total: IntCounterVec,
    }

    #[test]
    fn gzip_acceptance() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("deflate, GZIP;q=0.5"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("identity"));
        assert!(!accepts_gzip(""));
    }

    /// One request over a real TCP connection: the response's headers (lowercase names) and
    /// body.
    async fn get(
        address: std::net::SocketAddr,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (Vec<(String, String)>, Vec<u8>) {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let split = response.windows(4).position(|window| window == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(response[..split].to_vec()).unwrap();
        let mut lines = head.lines();
        assert_eq!(lines.next(), Some("HTTP/1.1 200 OK"), "{head}");
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        (headers, response[split + 4..].to_vec())
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers.iter().find(|(header, _)| header == name).map(|(_, value)| value.as_str())
    }

    #[tokio::test(flavor = "current_thread")]
    async fn serves_both_formats_and_gzip_over_http() {
        let registry = Registry::new();
        let api = Api::register(&registry).unwrap();
        api.requests_total("/users").inc_by(3);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let served = registry.clone();
        tokio::spawn(async move { ::axum::serve(listener, router(served)).await });

        let (headers, body) = get(address, "/metrics", &[]).await;
        assert_eq!(header(&headers, "content-type"), Some(Format::Prometheus.content_type()));
        assert_eq!(header(&headers, "content-encoding"), None);
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total{path=\"/users\"} 3\n"
        );

        let accept = ("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        let (headers, body) = get(address, "/metrics", &[accept]).await;
        assert_eq!(header(&headers, "content-type"), Some(Format::OpenMetrics.content_type()));
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with("# HELP requests Requests served.\n# TYPE requests counter\n"), "{text}");
        assert!(text.ends_with("requests_total{path=\"/users\"} 3\n# EOF\n"), "{text}");

        let (headers, body) = get(address, "/metrics", &[accept, ("Accept-Encoding", "gzip")]).await;
        assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
        let mut decompressed = String::new();
        flate2::read::GzDecoder::new(body.as_slice()).read_to_string(&mut decompressed).unwrap();
        assert_eq!(decompressed, text);

        // What Prometheus asks for with native histograms on: the protobuf format.
        let accept = (
            "Accept",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
        );
        let (headers, body) = get(address, "/metrics", &[accept]).await;
        assert_eq!(header(&headers, "content-type"), Some(Format::Protobuf.content_type()));
        let mut expected = Vec::new();
        registry.encode(&mut expected, Format::Protobuf).unwrap();
        assert_eq!(body, expected);
        assert!(body.windows(b"requests_total".len()).any(|window| window == b"requests_total"));
    }
}
