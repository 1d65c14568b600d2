//! What connects a registry to the world around it: an axum `/metrics` endpoint, a
//! Pushgateway client, the Solti runner backend.

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "push")]
pub mod push;
#[cfg(feature = "runner")]
pub(crate) mod runner;
