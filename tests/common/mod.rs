//! Helpers shared by the integration tests; each test crate takes what it needs with
//! `mod common;`.

#![allow(dead_code)]

pub mod metrics_proto;
pub mod openmetrics;
pub mod promtool;
pub mod strict;
