//! A metric's labels, and the label structs (`LabelSet`) and enums (`LabelValue`) that
//! declare label names and values.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use solti_metrics_rules::{labels, names};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;

use crate::ast::{LabelEnum, LabelStruct, Metric};
use crate::attr::{self, LabelForm};
use crate::check::{Kind, MetricType};
use crate::ctxt::Errors;

pub(super) fn labels(metric: &Metric<'_>, metric_type: Option<MetricType<'_>>, errors: &mut Errors) {
    let Some(labels) = &metric.attrs.labels else {
        match metric_type {
            _ if metric.attrs.broken => {}
            Some(MetricType { kind, labelled: true, .. }) => errors.error(metric.ty.span(), labels::missing(kind)),
            _ => {}
        }
        return;
    };
    if metric_type.is_some_and(|metric_type| !metric_type.labelled) {
        errors.error(labels.span, labels::NOT_TAKEN);
        return;
    }
    // A label struct's names are checked where it derives `LabelSet`, `le` by an assertion.
    let LabelForm::List(list) = &labels.form else { return };
    if list.is_empty() {
        errors.error(labels.span, "`labels()` is empty; name at least one label, or use the type without `Vec`");
    }
    if let Some(extra) = list.get(labels::MAX_LABELS) {
        errors.error(extra.name.span(), labels::too_many(&extra.exported()));
    }
    let histogram = metric_type.is_some_and(|metric_type| metric_type.kind == Kind::Histogram);
    let mut seen: Vec<String> = Vec::new();
    for label in list {
        let name = label.exported();
        let span = label.name.span();
        if seen.contains(&name) {
            errors.error(span, labels::twice(&name));
            continue;
        }
        seen.push(name.clone());
        if let Some(message) = names::label_name(&name, histogram) {
            errors.error(span, message);
        } else {
            escaped_alike(&seen, span, errors);
        }
    }
}

/// The last of `seen` (label names in order), when a scraper without UTF-8 names would see it
/// as one before it.
fn escaped_alike(seen: &[String], span: Span, errors: &mut Errors) {
    let Some((last, earlier)) = seen.split_last() else { return };
    let earlier: Vec<&str> = earlier.iter().map(String::as_str).collect();
    if let Some((first, escaped, scheme)) = names::alike_earlier(&earlier, last, true) {
        errors.error(span, names::escaped_alike("label", first, last, &escaped, scheme));
    }
}

/// A `LabelSet` struct as `expand` writes it.
pub struct LoweredLabelStruct<'a> {
    pub input: &'a LabelStruct<'a>,
    /// The path to solti-metrics: `#[label(crate = path)]`, default `::solti_metrics`.
    pub krate: TokenStream,
    /// The label names, one per field in order: `#[label(name = "..")]`, else the field's name
    /// (a raw identifier loses its `r#`).
    pub names: Vec<String>,
}

/// Checks a `LabelSet` struct: at least one field, each named as a label may be. Whether `le`
/// is free is the histogram's business, asserted where a metric takes the struct.
pub fn label_struct<'a>(input: &'a LabelStruct<'a>, errors: &mut Errors) -> LoweredLabelStruct<'a> {
    if input.fields.is_empty() {
        errors.error(input.ident.span(), "`LabelSet` needs at least one field: each field is a label");
    }
    if let Some(extra) = input.fields.get(labels::MAX_LABELS) {
        errors.error(extra.ident.span(), labels::too_many_fields(&extra.ident.unraw().to_string()));
    }
    let mut seen: Vec<String> = Vec::new();
    for field in &input.fields {
        let (name, span) = match &field.name {
            Some(name) => (name.value(), name.span()),
            None => (field.ident.unraw().to_string(), field.ident.span()),
        };
        if seen.contains(&name) {
            errors.error(span, labels::twice(&name));
        } else if let Some(message) = names::label_name(&name, false) {
            errors.error(span, message);
        }
        seen.push(name);
        if !seen[..seen.len() - 1].contains(&seen[seen.len() - 1]) {
            escaped_alike(&seen, span, errors);
        }
    }
    let names = seen;
    let krate = match &input.krate {
        Some(krate) => krate.to_token_stream(),
        None => attr::default_crate().to_token_stream(),
    };
    LoweredLabelStruct { input, krate, names }
}

/// Checks a `LabelValue` enum: no two variants may export the same label.
pub fn label_enum(input: &LabelEnum<'_>, errors: &mut Errors) {
    if input.variants.is_empty() {
        errors.error(input.ident.span(), "`LabelValue` needs at least one variant: an empty enum has no label value");
    }
    let mut seen: HashMap<&str, (&syn::Ident, Span)> = HashMap::new();
    for variant in &input.variants {
        let (label, span) = &variant.label;
        if label.is_empty() {
            errors.error(*span, "a label value cannot be empty: Prometheus treats an empty value as a missing label");
            continue;
        }
        if let Some((other, _)) = seen.get(label.as_str()) {
            errors.error(
                *span,
                format_args!(
                    "variants `{other}` and `{}` both have the label `{label}`; give one a `#[label = \"..\"]`",
                    variant.ident
                ),
            );
        } else {
            seen.insert(label, (variant.ident, *span));
        }
    }
}
