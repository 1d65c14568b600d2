//! An async client of the [Prometheus Pushgateway](https://github.com/prometheus/pushgateway)
//! (feature `push`), for jobs too short-lived to be scraped: they push their registry's
//! exposition before they exit.
//!
//! ```no_run
//! use solti_metrics::push::Pushgateway;
//! use solti_metrics::{IntCounter, MetricsSet, Registry};
//!
//! #[derive(MetricsSet)]
//! struct Backup {
//!     /// Files copied.
//!     files_copied_total: IntCounter,
//! }
//!
//! # async fn run() -> Result<(), solti_metrics::push::PushError> {
//! let registry = Registry::new();
//! let backup = Backup::register(&registry).expect("a fresh registry");
//! backup.files_copied_total().inc_by(120);
//!
//! let gateway = Pushgateway::new("http://127.0.0.1:9091");
//! // Replaces what the group `{job="backup", instance="db-1"}` held.
//! gateway.push(&registry, "backup", &[("instance", "db-1")]).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Every push is the whole exposition of the registry in the Prometheus text format, sent to
//! `/metrics/job/<job>/<label>/<value>..`; the job and the label values are base64-encoded in
//! the path (`job@base64/..`), so any value, a `/` or an empty one included, is safe.

use std::time::Duration;

use crate::exposition::Format;
use crate::metric::names;
use crate::registry::Registry;

/// A Pushgateway, by its base URL (`http://host:9091`).
#[derive(Debug, Clone)]
pub struct Pushgateway {
    client: reqwest::Client,
    url: String,
    /// How long one request may take, connecting included; `None`: as the client says.
    timeout: Option<Duration>,
}

/// How long a push, push-add or delete of a [`Pushgateway::new`] client may take before it
/// fails as unreachable, unless [`Pushgateway::with_timeout`] says otherwise: a gateway that
/// accepts the connection and never answers does not hold the pusher for ever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a push failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum PushError {
    /// The gateway could not be reached (connection refused, timeout, DNS).
    Unreachable {
        /// The URL pushed to.
        url: String,
        /// What the HTTP client reported.
        reason: String,
    },
    /// The gateway answered with an error status; `body` is its explanation (for a 400, which
    /// pushed metric is invalid or inconsistent with what the gateway holds).
    Rejected {
        /// The URL pushed to.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The gateway's response body.
        body: String,
    },
    /// A grouping label name is not a valid label name, or is `job`.
    InvalidGrouping(String),
}

impl core::fmt::Display for PushError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Unreachable { url, reason } => write!(f, "the Pushgateway at {url} is unreachable: {reason}"),
            Self::Rejected { url, status, body } => {
                write!(f, "the Pushgateway at {url} rejected the push with HTTP {status}: {}", body.trim())
            }
            Self::InvalidGrouping(label) => write!(f, "`{label}` cannot be a grouping label"),
        }
    }
}

impl std::error::Error for PushError {}

/// How a push treats what the group already holds.
#[derive(Clone, Copy)]
enum Method {
    /// `PUT`: replaces every metric of the group.
    Replace,
    /// `POST`: replaces the metrics of the names pushed, keeps the others.
    Add,
    /// `DELETE`: removes the group.
    Delete,
}

impl Pushgateway {
    /// A client of the gateway at `url`, such as `http://127.0.0.1:9091`.
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_client(reqwest::Client::new(), url).with_timeout(DEFAULT_TIMEOUT)
    }

    /// A client of the gateway at `url` that sends its requests with `client` (for timeouts,
    /// proxies, headers): the client's own timeout applies, unless
    /// [`with_timeout`](Self::with_timeout) sets one per request.
    pub fn with_client(client: reqwest::Client, url: impl Into<String>) -> Self {
        Self { client, url: url.into().trim_end_matches('/').to_owned(), timeout: None }
    }

    /// The client with `timeout` for each request (over the client's own, and over
    /// [`DEFAULT_TIMEOUT`] of [`new`](Self::new)).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Pushes `registry` to the group of `job` and `grouping` labels, replacing every metric
    /// the group held (HTTP `PUT`).
    ///
    /// # Errors
    ///
    /// [`PushError`]: the gateway is unreachable or rejects the push, or a grouping label is
    /// invalid.
    pub async fn push(&self, registry: &Registry, job: &str, grouping: &[(&str, &str)]) -> Result<(), PushError> {
        self.send(Method::Replace, Some(registry), job, grouping).await
    }

    /// Pushes `registry` to the group, replacing only the metrics of the names pushed (HTTP
    /// `POST`).
    ///
    /// # Errors
    ///
    /// As [`push`](Self::push).
    pub async fn push_add(&self, registry: &Registry, job: &str, grouping: &[(&str, &str)]) -> Result<(), PushError> {
        self.send(Method::Add, Some(registry), job, grouping).await
    }

    /// Deletes the group from the gateway (HTTP `DELETE`).
    ///
    /// # Errors
    ///
    /// As [`push`](Self::push).
    pub async fn delete(&self, job: &str, grouping: &[(&str, &str)]) -> Result<(), PushError> {
        self.send(Method::Delete, None, job, grouping).await
    }

    async fn send(
        &self,
        method: Method,
        registry: Option<&Registry>,
        job: &str,
        grouping: &[(&str, &str)],
    ) -> Result<(), PushError> {
        let url = self.group_url(job, grouping)?;
        let request = match method {
            Method::Replace => self.client.put(&url),
            Method::Add => self.client.post(&url),
            Method::Delete => self.client.delete(&url),
        };
        let request = match self.timeout {
            Some(timeout) => request.timeout(timeout),
            None => request,
        };
        let request = match registry {
            Some(registry) => {
                let mut body = Vec::new();
                // Encoding into a `Vec` has no failure of its own.
                let _ = registry.encode(&mut body, Format::Prometheus);
                request.header("content-type", Format::Prometheus.content_type()).body(body)
            }
            None => request,
        };
        let response = request
            .send()
            .await
            .map_err(|error| PushError::Unreachable { url: url.clone(), reason: error_chain(&error) })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        Err(PushError::Rejected { url, status: status.as_u16(), body })
    }

    /// `<base>/metrics/job@base64/<job>/<label>@base64/<value>..`
    fn group_url(&self, job: &str, grouping: &[(&str, &str)]) -> Result<String, PushError> {
        let mut url = format!("{}/metrics/job@base64/{}", self.url, base64_url(job.as_bytes()));
        for (name, value) in grouping {
            if !names::is_user_label_name(name) || *name == "job" {
                return Err(PushError::InvalidGrouping((*name).to_owned()));
            }
            url.push_str(&format!("/{name}@base64/{}", base64_url(value.as_bytes())));
        }
        Ok(url)
    }
}

/// The error and its sources, for a message that says what went wrong underneath.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// `bytes` in the URL-safe base64 alphabet with padding; `=` for no bytes, as the Pushgateway
/// takes an empty value.
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if bytes.is_empty() {
        return "=".to_owned();
    }
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (i, &byte)| group | u32::from(byte) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (group >> (18 - 6 * i)) & 0x3f;
                text.push(char::from(ALPHABET[index as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_known_values() {
        assert_eq!(base64_url(b""), "=");
        assert_eq!(base64_url(b"f"), "Zg==");
        assert_eq!(base64_url(b"fo"), "Zm8=");
        assert_eq!(base64_url(b"foo"), "Zm9v");
        assert_eq!(base64_url(b"foob"), "Zm9vYg==");
        assert_eq!(base64_url(b"/a/b"), "L2EvYg==");
        assert_eq!(base64_url(&[0xfb, 0xff]), "-_8=");
    }

    #[test]
    fn group_urls() {
        let gateway = Pushgateway::new("http://gw:9091/");
        assert_eq!(
            gateway.group_url("backup", &[("instance", "db/1")]).unwrap(),
            "http://gw:9091/metrics/job@base64/YmFja3Vw/instance@base64/ZGIvMQ=="
        );
        assert!(matches!(gateway.group_url("j", &[("job", "x")]), Err(PushError::InvalidGrouping(_))));
        assert!(matches!(gateway.group_url("j", &[("a-b", "x")]), Err(PushError::InvalidGrouping(_))));
    }
}
