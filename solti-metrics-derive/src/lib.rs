//! Derive macros of [solti-metrics](https://docs.rs/solti-metrics): `#[derive(MetricsSet)]`,
//! `#[derive(LabelValue)]` and `#[derive(LabelSet)]`. Use them through the `solti-metrics` crate, which documents
//! the attributes.
//!
//! The derive never panics on user input: every mistake becomes a `compile_error!` pointing at
//! the token at fault, all of them reported in one build.

mod ast;
mod attr;
mod buckets;
mod check;
mod ctxt;
mod expand;
mod names;

#[cfg(test)]
mod never_panics;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

use crate::ctxt::Errors;

/// Derives `solti_metrics::MetricsSet` for a struct whose fields are metrics: registration of
/// the whole set and a typed recorder method per field.
///
/// The struct's `#[metrics(..)]` and the fields' `#[metric(..)]` keys are listed in the
/// [attribute reference](https://docs.rs/solti-metrics/latest/solti_metrics/#attribute-reference)
/// of solti-metrics' docs, with an example.
#[proc_macro_derive(MetricsSet, attributes(metrics, metric))]
pub fn derive_metrics_set(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    metrics_set(&input).into()
}

/// Derives `solti_metrics::LabelValue` for a fieldless enum: each variant's label is its name
/// in snake_case, or the string of its `#[label = ".."]`; the enum's series take the dense
/// table (see the
/// [attribute reference](https://docs.rs/solti-metrics/latest/solti_metrics/#attribute-reference)).
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    label_value(&input).into()
}

/// Derives `solti_metrics::LabelSet` and `solti_metrics::NamedLabels` for a struct with named
/// fields: each field is a label named after the field, its type a `LabelValue`, so a metric
/// declared with `#[metric(labels = Struct)]` takes its labels by name and two labels of one
/// type cannot be swapped. When every field has a fixed set of values, the struct finds its
/// series in the dense table exactly as the tuple of its field types does.
///
/// Lifetime parameters are fine (`struct Route<'a> { tenant: &'a str, .. }`); type and const
/// parameters are refused, as are field names that are no label names or that Prometheus
/// reserves. On the struct, `#[label(crate = path)]` sets the path to solti-metrics. See the
/// [attribute reference](https://docs.rs/solti-metrics/latest/solti_metrics/#attribute-reference).
#[proc_macro_derive(LabelSet, attributes(label))]
pub fn derive_label_set(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    label_set(&input).into()
}

/// The stages in order: the input as our types, checked and lowered once, then written.
fn metrics_set(input: &DeriveInput) -> proc_macro2::TokenStream {
    let mut errors = Errors::default();
    let set = ast::Set::from_syn(input, &mut errors);
    let lowered = set.as_ref().map(|set| check::metrics_set(set, &mut errors));
    expand::metrics_set(input, lowered.as_ref(), errors)
}

fn label_set(input: &DeriveInput) -> proc_macro2::TokenStream {
    let mut errors = Errors::default();
    let parsed = ast::LabelStruct::from_syn(input, &mut errors);
    let lowered = parsed.as_ref().map(|parsed| check::label_struct(parsed, &mut errors));
    expand::label_set(input, lowered.as_ref(), errors)
}

fn label_value(input: &DeriveInput) -> proc_macro2::TokenStream {
    let mut errors = Errors::default();
    let parsed = ast::LabelEnum::from_syn(input, &mut errors);
    if let Some(parsed) = &parsed {
        check::label_enum(parsed, &mut errors);
    }
    expand::label_value(input, parsed.as_ref(), errors)
}
