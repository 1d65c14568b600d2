//! What connects a registry to the world around it: an axum `/metrics` endpoint and request
//! metrics, `http`'s methods and status codes as label values, a Pushgateway client, the
//! process' own metrics, the `prometheus` crate, the Solti runner backend.

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "http")]
mod http;
#[cfg(all(feature = "process", target_os = "linux"))]
pub mod process;
#[cfg(feature = "prometheus")]
mod prometheus;
#[cfg(feature = "push")]
pub mod push;
#[cfg(feature = "runner")]
pub(crate) mod runner;
