//! Derive macros of [solti-metrics](https://docs.rs/solti-metrics): `#[derive(MetricsSet)]`
//! and `#[derive(LabelValue)]`. Use them through the `solti-metrics` crate, which documents
//! the attributes.
//!
//! The derive never panics on user input: every mistake becomes a `compile_error!` pointing at
//! the token at fault, all of them reported in one build.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;

#[cfg(test)]
mod never_panics;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `solti_metrics::MetricsSet` for a struct whose fields are metrics.
#[proc_macro_derive(MetricsSet, attributes(metrics, metric))]
pub fn derive_metrics_set(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::metrics_set(&input).into()
}

/// Derives `solti_metrics::LabelValue` for a fieldless enum.
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::label_value(&input).into()
}
