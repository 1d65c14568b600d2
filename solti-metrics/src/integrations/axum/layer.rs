//! Request metrics for an axum service in one line: a tower layer that records every request
//! under OpenTelemetry's HTTP server conventions, in Prometheus form.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use ::axum::extract::MatchedPath;
use http::{Method, Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use tower_layer::Layer;
use tower_service::Service;

use crate::MetricsSet;
use crate::error::Error;
use crate::registry::Registry;
use crate::{HistogramVec, IntGaugeVec};

/// The `http_route` of a request that matched no route (an empty label value, which
/// Prometheus reads as no `http_route` at all, as OpenTelemetry leaves the attribute out).
pub const UNMATCHED_ROUTE: &str = "";

/// The HTTP server metrics [`layer`] records, OpenTelemetry's `http.server.request.duration`
/// and `http.server.active_requests` in Prometheus form.
#[derive(MetricsSet)]
#[metrics(crate = crate)]
pub struct HttpServerMetrics {
    /// Duration of HTTP server requests.
    #[metric(
        labels(http_request_method: Method, http_route, http_response_status_code: StatusCode),
        buckets(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
    )]
    pub http_server_request_duration_seconds: HistogramVec,

    /// Number of active HTTP server requests.
    #[metric(labels(http_request_method: Method))]
    pub http_server_active_requests: IntGaugeVec,
}

/// A layer that records every request of the router it wraps in [`HttpServerMetrics`],
/// registered into `registry`.
///
/// The route is axum's matched route template (`/users/{id}`), never the raw path, and
/// [`UNMATCHED_ROUTE`] for a request no route matched; a method outside the standard ones is
/// `_OTHER`. A request is active from when it reaches the layer until its response body has
/// been sent to the end, or dropped before (the client hung up, a timeout): the gauge comes
/// back down either way. Its duration runs until the response is ready (its head: a streaming
/// body may go on after).
/// Add it with `Router::layer`, after the routes it should see.
///
/// ```
/// use solti_metrics::Registry;
///
/// # fn main() -> Result<(), solti_metrics::Error> {
/// let registry = Registry::new();
/// let app: axum::Router = axum::Router::new()
///     .route("/users/{id}", axum::routing::get(|| async { "a user" }))
///     .layer(solti_metrics::axum::layer(&registry)?)
///     .merge(solti_metrics::axum::router(registry.clone()));
/// # drop(app);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::AlreadyRegistered`] when `registry` already holds these metrics (one layer per
/// registry; clone the layer to use it on several routers).
pub fn layer(registry: &Registry) -> Result<HttpMetricsLayer, Error> {
    Ok(HttpMetricsLayer { metrics: Arc::new(HttpServerMetrics::register(registry)?) })
}

/// The layer [`layer`] returns.
#[derive(Clone)]
pub struct HttpMetricsLayer {
    metrics: Arc<HttpServerMetrics>,
}

impl HttpMetricsLayer {
    /// The metrics the layer records, to read in tests.
    pub fn metrics(&self) -> &HttpServerMetrics {
        &self.metrics
    }
}

impl core::fmt::Debug for HttpMetricsLayer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpMetricsLayer").finish_non_exhaustive()
    }
}

impl<S> Layer<S> for HttpMetricsLayer {
    type Service = HttpMetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpMetricsService { inner, metrics: Arc::clone(&self.metrics) }
    }
}

/// The service [`HttpMetricsLayer`] wraps around each route.
#[derive(Clone)]
pub struct HttpMetricsService<S> {
    inner: S,
    metrics: Arc<HttpServerMetrics>,
}

impl<S> core::fmt::Debug for HttpMetricsService<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpMetricsService").finish_non_exhaustive()
    }
}

/// A request in flight: counted in `http_server_active_requests` until dropped, which the
/// response future does when it completes or is itself dropped.
struct Active {
    metrics: Arc<HttpServerMetrics>,
    method: Method,
}

impl Active {
    fn start(metrics: Arc<HttpServerMetrics>, method: Method) -> Self {
        metrics.http_server_active_requests(method.clone()).inc();
        Self { metrics, method }
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        self.metrics.http_server_active_requests(self.method.clone()).dec();
    }
}

impl<S, RequestBody, ResponseBody> Service<Request<RequestBody>> for HttpMetricsService<S>
where
    S: Service<Request<RequestBody>, Response = Response<ResponseBody>>,
    S::Future: Send + 'static,
{
    type Response = Response<TrackedBody<ResponseBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        let start = Instant::now();
        let method = request.method().clone();
        let route = request.extensions().get::<MatchedPath>().cloned();
        let active = Active::start(Arc::clone(&self.metrics), method);
        let response = self.inner.call(request);
        Box::pin(async move {
            // Dropped with this future if the response never comes: the request is no longer
            // active then either.
            let response = response.await?;
            let route = route.as_ref().map_or(UNMATCHED_ROUTE, MatchedPath::as_str);
            active
                .metrics
                .http_server_request_duration_seconds(active.method.clone(), route, response.status())
                .observe_duration(start.elapsed());
            Ok(response.map(|body| TrackedBody { inner: body, active: Some(active) }))
        })
    }
}

/// A response body that keeps its request active until it has been sent to the end, or is
/// dropped.
pub struct TrackedBody<B> {
    inner: B,
    active: Option<Active>,
}

impl<B> core::fmt::Debug for TrackedBody<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrackedBody").field("active", &self.active.is_some()).finish_non_exhaustive()
    }
}

impl<B: Body + Unpin> Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let frame = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(None | Some(Err(_))) = frame {
            // The end of the body (or its failure): no longer active.
            self.active = None;
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use ::axum::Router;
    use ::axum::body::Body;
    use ::axum::routing::get;
    use http_body::Body as _;

    use super::*;

    /// Sends `request` through `app` as a server would, and returns the response's status.
    async fn send(app: &Router, method: &str, path: &str) -> StatusCode {
        let mut service = app.clone();
        let request = Request::builder().method(method).uri(path).body(Body::empty()).unwrap();
        std::future::poll_fn(|cx| Service::<Request<Body>>::poll_ready(&mut service, cx)).await.unwrap();
        service.call(request).await.unwrap().status()
    }

    fn count(metrics: &HttpServerMetrics, method: Method, route: &str, status: StatusCode) -> u64 {
        let series = metrics.http_server_request_duration_seconds.get((method, route, status));
        series.map_or(0, |series| series.get_sample_count())
    }

    #[tokio::test]
    async fn requests_are_recorded_by_route_template() {
        let registry = Registry::new();
        let layer = layer(&registry).unwrap();
        let app = Router::new()
            .route("/users/{id}", get(|| async { "a user" }))
            .route("/teapot", get(|| async { StatusCode::IM_A_TEAPOT }))
            .layer(layer.clone());
        assert_eq!(send(&app, "GET", "/users/7").await, StatusCode::OK);
        assert_eq!(send(&app, "GET", "/users/8").await, StatusCode::OK);
        assert_eq!(send(&app, "GET", "/teapot").await, StatusCode::IM_A_TEAPOT);
        assert_eq!(send(&app, "PURGE", "/users/9").await, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(send(&app, "GET", "/nowhere").await, StatusCode::NOT_FOUND);

        let metrics = layer.metrics();
        assert_eq!(count(metrics, Method::GET, "/users/{id}", StatusCode::OK), 2, "the template, not the path");
        assert_eq!(count(metrics, Method::GET, "/teapot", StatusCode::IM_A_TEAPOT), 1);
        let other = Method::from_bytes(b"PURGE").unwrap();
        assert_eq!(count(metrics, other, "/users/{id}", StatusCode::METHOD_NOT_ALLOWED), 1, "_OTHER");
        assert_eq!(count(metrics, Method::GET, UNMATCHED_ROUTE, StatusCode::NOT_FOUND), 1);
        assert_eq!(metrics.http_server_request_duration_seconds.series_count(), 4);
        for method in [Method::GET, Method::from_bytes(b"PURGE").unwrap()] {
            assert_eq!(metrics.http_server_active_requests.get((method,)).map(|series| series.get()), Some(0));
        }

        let mut text = Vec::new();
        registry.encode(&mut text, crate::Format::Prometheus).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains(
            "http_server_request_duration_seconds_count{http_request_method=\"GET\",http_response_status_code=\"200\",http_route=\"/users/{id}\"} 2\n"
        ));
        assert!(text.contains("http_server_active_requests{http_request_method=\"GET\"} 0\n"));
    }

    /// A request whose future is dropped before its response (the client hung up) leaves the
    /// active gauge where it was, and records no duration.
    #[tokio::test]
    async fn a_dropped_request_is_no_longer_active() {
        let registry = Registry::new();
        let layer = layer(&registry).unwrap();
        let (entered, mut wait) = tokio::sync::mpsc::channel::<()>(1);
        let app = Router::new()
            .route(
                "/slow",
                get(move || {
                    let entered = entered.clone();
                    async move {
                        let _ = entered.send(()).await;
                        std::future::pending::<()>().await;
                    }
                }),
            )
            .layer(layer.clone());
        let active = || layer.metrics().http_server_active_requests.get((Method::GET,)).map(|series| series.get());
        let request = tokio::spawn({
            let app = app.clone();
            async move { send(&app, "GET", "/slow").await }
        });
        wait.recv().await.unwrap();
        assert_eq!(active(), Some(1), "in flight");
        request.abort();
        assert!(request.await.unwrap_err().is_cancelled());
        assert_eq!(active(), Some(0), "back down once the request's future is dropped");
        assert_eq!(layer.metrics().http_server_request_duration_seconds.series_count(), 0);
    }

    /// A response whose body has not been sent yet keeps its request active; the body's end
    /// lets it go.
    #[tokio::test]
    async fn a_request_is_active_until_its_body_is_sent() {
        let registry = Registry::new();
        let layer = layer(&registry).unwrap();
        let app = Router::new().route("/", get(|| async { "hello" })).layer(layer.clone());
        let active = || layer.metrics().http_server_active_requests.get((Method::GET,)).map(|series| series.get());
        let mut service = app.clone();
        let request = Request::builder().uri("/").body(Body::empty()).unwrap();
        let response = service.call(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(active(), Some(1), "the body is still to send");
        assert_eq!(count(layer.metrics(), Method::GET, "/", StatusCode::OK), 1, "the duration ends at the head");
        let mut body = response.into_body();
        let mut sent = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            if let Ok(data) = frame.unwrap().into_data() {
                sent.extend_from_slice(&data);
            }
        }
        assert_eq!(sent, b"hello");
        assert_eq!(active(), Some(0), "sent to the end");
    }

    #[test]
    fn one_layer_per_registry() {
        let registry = Registry::new();
        assert!(layer(&registry).is_ok());
        assert!(matches!(layer(&registry), Err(Error::AlreadyRegistered { .. })));
    }
}
