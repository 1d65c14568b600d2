//! `http::Method` and `http::StatusCode` as label values (feature `http`, implied by `axum`),
//! both with a fixed set of values, so their series live in the dense table.
//!
//! ```
//! use solti_metrics::http::{Method, StatusCode};
//! use solti_metrics::{IntCounterVec, MetricsSet, Registry};
//!
//! #[derive(MetricsSet)]
//! struct Http {
//!     /// Requests served.
//!     #[metric(labels(method: Method, status: StatusCode))]
//!     requests_total: IntCounterVec,
//! }
//!
//! let http = Http::register(&Registry::new())?;
//! http.requests_total(Method::GET, StatusCode::OK).inc();
//! assert_eq!(http.requests_total.get((Method::GET, StatusCode::OK)).map(|series| series.get()), Some(1));
//! # Ok::<(), solti_metrics::Error>(())
//! ```

use http::{Method, StatusCode};

use crate::labels::{LabelStr, LabelValue};

/// The methods of RFC 9110 and PATCH, in the order of their dense index; any other method is
/// exported as `_OTHER` (OpenTelemetry's convention), so a client cannot grow the series
/// without bound.
const METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::CONNECT,
    Method::OPTIONS,
    Method::TRACE,
    Method::PATCH,
];

/// The label of every method outside [`METHODS`].
const OTHER_METHOD: &str = "_OTHER";

/// A standard method's label (`GET`), or `_OTHER`.
impl LabelValue for Method {
    const CARDINALITY: usize = METHODS.len() + 1;

    #[inline]
    fn label_index(&self) -> Option<usize> {
        Some(METHODS.iter().position(|method| method == self).unwrap_or(METHODS.len()))
    }

    fn label(&self) -> LabelStr<'_> {
        LabelStr::borrowed(if METHODS.contains(self) { self.as_str() } else { OTHER_METHOD })
    }

    fn from_label_index(index: usize) -> Option<Self> {
        match METHODS.get(index) {
            Some(method) => Some(method.clone()),
            // An extension method, which exports as `_OTHER` too.
            None if index == METHODS.len() => Method::from_bytes(OTHER_METHOD.as_bytes()).ok(),
            None => None,
        }
    }
}

/// The lowest status code `StatusCode` holds; it holds 100 to 999.
const FIRST_STATUS: u16 = 100;

/// The status code as its number, `200`.
impl LabelValue for StatusCode {
    const CARDINALITY: usize = 900;

    #[inline]
    fn label_index(&self) -> Option<usize> {
        self.as_u16().checked_sub(FIRST_STATUS).map(usize::from)
    }

    fn label(&self) -> LabelStr<'_> {
        LabelStr::borrowed(self.as_str())
    }

    fn from_label_index(index: usize) -> Option<Self> {
        let code = u16::try_from(index).ok()?.checked_add(FIRST_STATUS)?;
        StatusCode::from_u16(code).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_dense_and_round_trip() {
        for (index, method) in Method::values().enumerate() {
            assert_eq!(method.label_index(), Some(index));
        }
        assert_eq!(Method::values().count(), Method::CARDINALITY);
        assert_eq!(Method::GET.label().as_str(), "GET");
        assert_eq!(Method::PATCH.label().as_str(), "PATCH");
        let custom = Method::from_bytes(b"PURGE").unwrap();
        assert_eq!((custom.label_index(), custom.label().as_str()), (Some(9), "_OTHER"));
        assert_eq!(Method::from_label_index(10), None);
    }

    #[test]
    fn status_codes_are_their_number() {
        assert_eq!(StatusCode::NOT_FOUND.label().as_str(), "404");
        assert_eq!(StatusCode::CONTINUE.label_index(), Some(0));
        assert_eq!(StatusCode::from_u16(999).unwrap().label_index(), Some(899));
        assert_eq!(StatusCode::values().count(), StatusCode::CARDINALITY);
        for (index, code) in StatusCode::values().enumerate() {
            assert_eq!(code.label_index(), Some(index));
        }
        assert_eq!(StatusCode::from_label_index(900), None);
    }
}
