//! What connects a registry to the world around it: an axum `/metrics` endpoint, `http`'s
//! methods and status codes as label values, a Pushgateway client, the Solti runner backend.

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "push")]
pub mod push;
#[cfg(feature = "runner")]
pub(crate) mod runner;
