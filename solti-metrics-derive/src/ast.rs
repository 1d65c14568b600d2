//! The derive's input as our own types, each part keeping the span it came from.

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Path, Type, Visibility};

use crate::attr;
use crate::ctxt::Errors;

/// A `#[derive(MetricsSet)]` struct.
pub struct Set<'a> {
    pub ident: &'a Ident,
    pub namespace: Option<LitStr>,
    pub subsystem: Option<LitStr>,
    /// `crate = path`; default `::solti_metrics`.
    pub krate: Option<Path>,
    pub metrics: Vec<Metric<'a>>,
}

/// One field of a set: one metric.
pub struct Metric<'a> {
    pub field: &'a Ident,
    /// The field's visibility, which its recorder method takes.
    pub vis: &'a Visibility,
    pub ty: &'a Type,
    /// What the field's type name says, when it names one of the metric types.
    pub kind: Option<TypeKind>,
    pub name: Option<LitStr>,
    pub help: Option<LitStr>,
    /// The doc comment, lines trimmed and joined by a space, with the first line's span.
    pub doc: Option<(String, Span)>,
    pub labels: Option<Labels>,
    pub buckets: Option<Buckets>,
    pub subsystem: Option<LitStr>,
    pub max_series: Option<(u64, Span)>,
    pub allow: Vec<Ident>,
    /// Whether the field's attributes had a mistake (see `attr::MetricAttrs::broken`).
    pub broken: bool,
}

/// `labels(..)`: the span of the `labels` keyword and the labels in order.
pub struct Labels {
    pub span: Span,
    pub list: Vec<Label>,
}

/// One variable label: `path` (takes `&str`) or `method: Method`.
pub struct Label {
    pub name: Ident,
    pub ty: Option<Type>,
}

/// A number written in an attribute, with its span.
#[derive(Clone, Copy)]
pub struct Number {
    pub value: f64,
    pub span: Span,
}

/// `buckets(..)`, `buckets = linear(..)` or `buckets = exponential(..)`.
pub struct Buckets {
    /// The `buckets` keyword.
    pub span: Span,
    pub form: BucketForm,
}

pub enum BucketForm {
    List(Vec<Number>),
    Linear { start: Number, width: Number, count: Number },
    Exponential { start: Number, factor: Number, count: Number },
}

/// The metric kinds the derive recognizes by the field type's name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TypeKind {
    pub kind: Kind,
    pub labelled: bool,
}

impl TypeKind {
    /// Reads the last segment of a field type's path: `IntCounterVec`, `solti_metrics::Gauge`, ...
    pub fn of(ty: &Type) -> Option<Self> {
        let Type::Path(path) = ty else { return None };
        let last = path.path.segments.last()?;
        if !last.arguments.is_none() {
            return None;
        }
        let (kind, labelled) = match last.ident.to_string().as_str() {
            "Counter" | "IntCounter" => (Kind::Counter, false),
            "Gauge" | "IntGauge" => (Kind::Gauge, false),
            "Histogram" => (Kind::Histogram, false),
            "CounterVec" | "IntCounterVec" => (Kind::Counter, true),
            "GaugeVec" | "IntGaugeVec" => (Kind::Gauge, true),
            "HistogramVec" => (Kind::Histogram, true),
            _ => return None,
        };
        Some(Self { kind, labelled })
    }
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
        let set_attrs = attr::set_attrs(&input.attrs, errors);
        let fields = fields?;
        if fields.is_empty() {
            errors.error(input.ident.span(), "`MetricsSet` needs at least one metric field");
        }
        let metrics = fields
            .iter()
            .filter_map(|field| {
                let ident = field.ident.as_ref()?;
                let attrs = attr::metric_attrs(&field.attrs, errors);
                Some(Metric {
                    field: ident,
                    vis: &field.vis,
                    ty: &field.ty,
                    kind: TypeKind::of(&field.ty),
                    name: attrs.name,
                    help: attrs.help,
                    doc: attr::doc_comment(&field.attrs),
                    labels: attrs.labels,
                    buckets: attrs.buckets,
                    subsystem: attrs.subsystem,
                    max_series: attrs.max_series,
                    allow: attrs.allow,
                    broken: attrs.broken,
                })
            })
            .collect();
        Some(Set {
            ident: &input.ident,
            namespace: set_attrs.namespace,
            subsystem: set_attrs.subsystem,
            krate: set_attrs.krate,
            metrics,
        })
    }
}

impl Metric<'_> {
    /// The metric's own name: `name = ".."` or the field's name.
    pub fn base_name(&self) -> (String, Span) {
        match &self.name {
            Some(name) => (name.value(), name.span()),
            None => (self.field.unraw().to_string(), self.field.span()),
        }
    }

    /// The help text: `help = ".."`, else the doc comment.
    pub fn help_text(&self) -> Option<String> {
        match (&self.help, &self.doc) {
            (Some(help), _) => Some(help.value()),
            (None, Some((doc, _))) => Some(doc.clone()),
            (None, None) => None,
        }
    }

    /// The subsystem in force for this metric.
    pub fn subsystem<'s>(&'s self, set: &'s Set<'_>) -> Option<&'s LitStr> {
        self.subsystem.as_ref().or(set.subsystem.as_ref())
    }

    /// The exported name, `namespace_subsystem_name` without the absent parts.
    pub fn full_name(&self, set: &Set<'_>) -> String {
        let parts = [set.namespace.as_ref().map(LitStr::value), self.subsystem(set).map(LitStr::value)];
        let mut name: Vec<String> = parts.into_iter().flatten().filter(|part| !part.is_empty()).collect();
        name.push(self.base_name().0);
        name.join("_")
    }

    /// The kind, from the type's name.
    pub fn kind(&self) -> Option<Kind> {
        self.kind.map(|kind| kind.kind)
    }

    pub fn labels(&self) -> &[Label] {
        self.labels.as_ref().map_or(&[], |labels| &labels.list)
    }
}

impl Label {
    /// The label's name as exported (a raw identifier loses its `r#`).
    pub fn exported(&self) -> String {
        self.name.unraw().to_string()
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

/// `HttpGet` → `http_get`, `HTTPServer` → `http_server`, `V2` → `v2`.
pub fn snake_case(name: &str) -> String {
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

    #[test]
    fn type_kind_reads_the_last_segment() {
        let ty: Type = syn::parse_quote!(solti_metrics::IntCounterVec);
        assert_eq!(TypeKind::of(&ty), Some(TypeKind { kind: Kind::Counter, labelled: true }));
        let ty: Type = syn::parse_quote!(Histogram);
        assert_eq!(TypeKind::of(&ty), Some(TypeKind { kind: Kind::Histogram, labelled: false }));
        let ty: Type = syn::parse_quote!(MyAlias);
        assert_eq!(TypeKind::of(&ty), None);
    }
}
