//! The derive's input as our own types, each part keeping the span it came from.

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Fields, GenericParam, Ident, Path, Type, Visibility};

use crate::attr::{self, MetricAttrs, SetAttrs};
use crate::ctxt::Errors;

/// A `#[derive(MetricsSet)]` struct.
pub struct Set<'a> {
    pub ident: &'a Ident,
    pub attrs: SetAttrs,
    pub metrics: Vec<Metric<'a>>,
}

/// One field of a set: one metric.
pub struct Metric<'a> {
    pub field: &'a Ident,
    /// The field's visibility, which its recorder method takes.
    pub vis: &'a Visibility,
    pub ty: &'a Type,
    pub attrs: MetricAttrs,
}

impl<'a> Set<'a> {
    /// Reads a struct with named fields; anything else is an error, recorded in `errors`.
    pub fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Option<Self> {
        let fields = match &input.data {
            Data::Struct(data) => {
                match &data.fields {
                    Fields::Named(fields) => Some(&fields.named),
                    Fields::Unnamed(fields) => {
                        errors
                        .error(fields.span(), "`MetricsSet` needs named fields, not a tuple struct: each field is a metric named after it");
                        None
                    }
                    Fields::Unit => {
                        errors.error(input.ident.span(), "`MetricsSet` needs at least one metric field");
                        None
                    }
                }
            }
            Data::Enum(data) => {
                errors.error(
                    data.enum_token.span,
                    "`MetricsSet` can only be derived for a struct, not an enum: declare each metric as a named field of a struct",
                );
                None
            }
            Data::Union(data) => {
                errors.error(
                    data.union_token.span,
                    "`MetricsSet` can only be derived for a struct, not a union: declare each metric as a named field of a struct",
                );
                None
            }
        };
        if !input.generics.params.is_empty() {
            errors.error(
                input.generics.params.span(),
                "`MetricsSet` cannot be derived for a generic struct: a set's metrics are fixed at compile time; remove the parameters",
            );
        }
        let attrs = attr::set_attrs(&input.attrs, errors);
        let fields = fields?;
        if fields.is_empty() {
            errors.error(input.ident.span(), "`MetricsSet` needs at least one metric field");
        }
        let metrics = fields
            .iter()
            .filter_map(|field| {
                let ident = field.ident.as_ref()?;
                let attrs = attr::metric_attrs(&field.attrs, errors);
                Some(Metric { field: ident, vis: &field.vis, ty: &field.ty, attrs })
            })
            .collect();
        Some(Set { ident: &input.ident, attrs, metrics })
    }
}

/// A fieldless enum deriving `LabelValue`.
pub struct LabelEnum<'a> {
    pub ident: &'a Ident,
    pub krate: Option<Path>,
    pub variants: Vec<LabelVariant<'a>>,
}

pub struct LabelVariant<'a> {
    pub ident: &'a Ident,
    /// `#[label = ".."]`, else the variant's name in snake_case; with the span to blame.
    pub label: (String, Span),
}

impl<'a> LabelEnum<'a> {
    pub fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Option<Self> {
        let krate = attr::label_enum_attrs(&input.attrs, errors);
        if !input.generics.params.is_empty() {
            errors.error(
                input.generics.params.span(),
                "`LabelValue` cannot be derived for a generic enum; implement the trait by hand",
            );
        }
        let data = match &input.data {
            Data::Enum(data) => data,
            Data::Struct(data) => {
                errors.error(
                    data.struct_token.span,
                    "`LabelValue` can only be derived for a fieldless enum; implement the trait by hand for a struct",
                );
                return None;
            }
            Data::Union(data) => {
                errors.error(
                    data.union_token.span,
                    "`LabelValue` can only be derived for a fieldless enum, not a union; implement the trait by hand",
                );
                return None;
            }
        };
        let variants = data
            .variants
            .iter()
            .map(|variant| {
                if !matches!(variant.fields, Fields::Unit) {
                    errors.error(
                        variant.fields.span(),
                        format_args!(
                            "`LabelValue` can only be derived for a fieldless enum: variant `{}` has fields; remove them, or implement the trait by hand",
                            variant.ident
                        ),
                    );
                }
                let label = attr::variant_label(&variant.attrs, errors)
                    .unwrap_or_else(|| (snake_case(&variant.ident.unraw().to_string()), variant.ident.span()));
                LabelVariant { ident: &variant.ident, label }
            })
            .collect();
        Some(LabelEnum { ident: &input.ident, krate, variants })
    }
}

/// A struct with named fields deriving `LabelSet`: each field a label.
pub struct LabelStruct<'a> {
    pub ident: &'a Ident,
    pub krate: Option<Path>,
    pub fields: Vec<LabelField<'a>>,
}

pub struct LabelField<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// `#[label(name = "..")]`: the label's name, when not the field's.
    pub name: Option<syn::LitStr>,
}

impl<'a> LabelStruct<'a> {
    /// Reads a struct with named fields; anything else is an error, recorded in `errors`.
    pub fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Option<Self> {
        let krate = attr::label_struct_attrs(&input.attrs, errors);
        for param in &input.generics.params {
            let what = match param {
                GenericParam::Lifetime(_) => continue,
                GenericParam::Type(_) => "type",
                GenericParam::Const(_) => "const",
            };
            errors.error(
                param.span(),
                format_args!(
                    "`LabelSet` cannot be derived with a {what} parameter: each field's type must be known to be a label value; use a concrete type (lifetime parameters are fine)"
                ),
            );
        }
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) => &fields.named,
                Fields::Unnamed(fields) => {
                    errors.error(
                        fields.span(),
                        "`LabelSet` needs named fields, not a tuple struct: each field is a label named after it",
                    );
                    return None;
                }
                Fields::Unit => {
                    errors.error(input.ident.span(), "`LabelSet` needs at least one field: each field is a label");
                    return None;
                }
            },
            Data::Enum(data) => {
                errors.error(
                    data.enum_token.span,
                    "`LabelSet` can only be derived for a struct with named fields; for an enum of label values, derive `LabelValue`",
                );
                return None;
            }
            Data::Union(data) => {
                errors.error(
                    data.union_token.span,
                    "`LabelSet` can only be derived for a struct with named fields, not a union",
                );
                return None;
            }
        };
        let fields = fields
            .iter()
            .filter_map(|field| {
                let name = attr::label_field_attrs(&field.attrs, errors);
                Some(LabelField { ident: field.ident.as_ref()?, ty: &field.ty, name })
            })
            .collect();
        Some(LabelStruct { ident: &input.ident, krate, fields })
    }
}

/// `HttpGet` → `http_get`, `HTTPServer` → `http_server`, `V2` → `v2`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                _ => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words() {
        assert_eq!(snake_case("Get"), "get");
        assert_eq!(snake_case("HttpGet"), "http_get");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("SpawnFailedV2"), "spawn_failed_v2");
        assert_eq!(snake_case("Already_Snake"), "already_snake");
    }
}
