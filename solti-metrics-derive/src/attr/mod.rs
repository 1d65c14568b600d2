//! Parses `#[metrics(..)]`, `#[metric(..)]` and `#[label ..]` into this module's own types;
//! every key lives here.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt as _;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Meta, Path, Token, Type};

mod payload;
mod suggest;

use crate::ctxt::Errors;
use payload::{parse_buckets, parse_labels, parse_number};
use suggest::closest;

pub(crate) const SET_KEYS: &[&str] = &["namespace", "subsystem", "crate"];
pub(crate) const METRIC_KEYS: &[&str] = &[
    "name",
    "help",
    "labels",
    "buckets",
    "subsystem",
    "max_series",
    "unit",
    "init",
    "exemplars",
    "collect",
    "removable",
    "expire_after",
    "native",
    "allow",
];
/// The options of `#[metric(native(..))]`.
pub(crate) const NATIVE_KEYS: &[&str] = &["factor", "max_buckets", "zero_threshold"];
/// The naming conventions a metric can opt out of with `#[metric(allow(..))]`.
pub(crate) const ALLOW_KEYS: &[&str] = &["missing_total", "unexpected_total", "non_base_unit"];

/// The functions that generate buckets: `buckets = linear(..)`, `buckets = exponential(..)`.
pub(crate) const BUCKET_FUNCTIONS: &[&str] = &["linear", "exponential"];

/// The struct's `#[metrics(..)]`.
#[derive(Default)]
pub struct SetAttrs {
    pub namespace: Option<LitStr>,
    pub subsystem: Option<LitStr>,
    pub krate: Option<Path>,
}

/// The path to solti-metrics without `#[metrics(crate = ..)]`.
pub fn default_crate() -> Path {
    syn::parse_quote!(::solti_metrics)
}

/// A field's `#[metric(..)]` and doc comment.
#[derive(Default)]
pub struct MetricAttrs {
    pub name: Option<LitStr>,
    pub help: Option<LitStr>,
    /// The doc comment, lines trimmed and joined by a space, with the first line's span.
    pub doc: Option<(String, Span)>,
    pub labels: Option<Labels>,
    pub buckets: Option<Buckets>,
    pub subsystem: Option<LitStr>,
    pub max_series: Option<(u64, Span)>,
    pub unit: Option<LitStr>,
    /// `init`, by its span.
    pub init: Option<Span>,
    /// `exemplars`, by its span.
    pub exemplars: Option<Span>,
    /// `collect = path`: the function that computes the value at each exposition.
    pub collect: Option<Path>,
    /// `removable`, by its span.
    pub removable: Option<Span>,
    /// `expire_after = 10`: the number, with its span.
    pub expire_after: Option<(u64, Span)>,
    /// `native` or `native(..)`.
    pub native: Option<NativeAttrs>,
    pub allow: Vec<Ident>,
    /// Whether an attribute of the field had a mistake: a key may be missing because of it, so
    /// the rules about absent keys (help, naming conventions, labels) stay quiet.
    pub broken: bool,
}

/// `native` or `native(factor = 1.1, max_buckets = 160, zero_threshold = 1e-9)`: the span of
/// the `native` keyword and the options given.
pub struct NativeAttrs {
    pub span: Span,
    pub factor: Option<Number>,
    pub max_buckets: Option<(u64, Span)>,
    pub zero_threshold: Option<Number>,
}

/// `labels(..)` or `labels = Struct`: the span of the `labels` keyword and the labels.
pub struct Labels {
    pub span: Span,
    pub form: LabelForm,
}

pub enum LabelForm {
    /// `labels(method: Method, path)`: the labels in order, each a parameter of the recorder.
    List(Vec<Label>),
    /// `labels = Route`: a struct deriving `LabelSet`, the one parameter of the recorder.
    Struct(Path),
}

/// One variable label: `path` (takes `&str`), `method: Method`, or a name that is no Rust
/// identifier as a string, `"http.request.method": Method`.
pub struct Label {
    /// The recorder's parameter: the name, or for a string the identifier closest to it
    /// (`http_request_method`), spanned at the string.
    pub name: Ident,
    pub ty: Option<Type>,
    /// The name as written in a string.
    pub quoted: Option<String>,
}

impl Label {
    /// The label's name as exported (a raw identifier loses its `r#`).
    pub fn exported(&self) -> String {
        match &self.quoted {
            Some(name) => name.clone(),
            None => self.name.unraw().to_string(),
        }
    }
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

/// A number written in an attribute: its value, its decimal digits as written (`-0.05`,
/// `1e-3`: what the bounds of `linear` and `exponential` are computed from) and its span.
#[derive(Clone)]
pub struct Number {
    pub value: f64,
    pub digits: String,
    pub span: Span,
}

/// Reads the struct's `#[metrics(..)]` attributes.
pub fn set_attrs(attrs: &[Attribute], errors: &mut Errors) -> SetAttrs {
    let mut out = SetAttrs::default();
    for attr in attrs {
        if attr.path().is_ident("metric") {
            errors.error(attr.path().span(), "`#[metric(..)]` belongs on a field; the struct takes `#[metrics(..)]`");
            continue;
        }
        if !attr.path().is_ident("metrics") {
            continue;
        }
        if !matches!(attr.meta, Meta::List(_)) {
            errors.error(attr.meta.span(), "`#[metrics]` takes a list of keys: `#[metrics(namespace = \"..\")]`");
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("namespace") {
                // #[metrics(namespace = "demo")]
                let value = string_value(&meta, "namespace = \"demo\"")?;
                set_once(&mut out.namespace, value, &meta, errors);
            } else if meta.path.is_ident("subsystem") {
                // #[metrics(subsystem = "http")]
                let value = string_value(&meta, "subsystem = \"http\"")?;
                set_once(&mut out.subsystem, value, &meta, errors);
            } else if meta.path.is_ident("crate") {
                // #[metrics(crate = my_crate::metrics)]
                let value = path_value(&meta)?;
                set_once(&mut out.krate, value, &meta, errors);
            } else {
                unknown_key(&meta, "metrics attribute", SET_KEYS, errors)?;
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    out
}

/// Reads a field's `#[metric(..)]` attributes.
pub fn metric_attrs(attrs: &[Attribute], errors: &mut Errors) -> MetricAttrs {
    let before = errors.count();
    let mut out = MetricAttrs::default();
    for attr in attrs {
        if attr.path().is_ident("metrics") {
            errors.error(attr.path().span(), "`#[metrics(..)]` belongs on the struct; a field takes `#[metric(..)]`");
            continue;
        }
        if !attr.path().is_ident("metric") {
            continue;
        }
        if !matches!(attr.meta, Meta::List(_)) {
            errors.error(attr.meta.span(), "`#[metric]` takes a list of keys: `#[metric(name = \"..\", labels(..))]`");
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                // #[metric(name = "requests_total")]
                let value = string_value(&meta, "name = \"requests_total\"")?;
                set_once(&mut out.name, value, &meta, errors);
            } else if meta.path.is_ident("help") {
                // #[metric(help = "Total requests served.")]
                let value = string_value(&meta, "help = \"Total requests served.\"")?;
                set_once(&mut out.help, value, &meta, errors);
            } else if meta.path.is_ident("labels") {
                // #[metric(labels(method: Method, path))] or #[metric(labels = Route)]
                let form = parse_labels(&meta)?;
                set_once(&mut out.labels, Labels { span: meta.path.span(), form }, &meta, errors);
            } else if meta.path.is_ident("buckets") {
                // #[metric(buckets(0.1, 0.5, 1.0))] or
                // #[metric(buckets = linear(0.1, 0.1, 10))] or
                // #[metric(buckets = exponential(0.01, 2.0, 10))]
                let form = parse_buckets(&meta)?;
                set_once(&mut out.buckets, Buckets { span: meta.path.span(), form }, &meta, errors);
            } else if meta.path.is_ident("subsystem") {
                // #[metric(subsystem = "ctrl")]
                let value = string_value(&meta, "subsystem = \"ctrl\"")?;
                set_once(&mut out.subsystem, value, &meta, errors);
            } else if meta.path.is_ident("max_series") {
                // #[metric(max_series = 1000)]
                let value: syn::LitInt = meta.value()?.parse().map_err(|error: syn::Error| {
                    syn::Error::new(error.span(), "`max_series` takes a whole number: `max_series = 1000`")
                })?;
                let limit = value.base10_parse::<u64>()?;
                set_once(&mut out.max_series, (limit, value.span()), &meta, errors);
            } else if meta.path.is_ident("unit") {
                // #[metric(unit = "seconds")]
                let value = string_value(&meta, "unit = \"seconds\"")?;
                set_once(&mut out.unit, value, &meta, errors);
            } else if meta.path.is_ident("init") {
                // #[metric(init)]
                set_once(&mut out.init, flag(&meta)?, &meta, errors);
            } else if meta.path.is_ident("exemplars") {
                // #[metric(exemplars)]
                set_once(&mut out.exemplars, flag(&meta)?, &meta, errors);
            } else if meta.path.is_ident("removable") {
                // #[metric(removable)]
                set_once(&mut out.removable, flag(&meta)?, &meta, errors);
            } else if meta.path.is_ident("expire_after") {
                // #[metric(expire_after = 10)]
                let value: syn::LitInt = meta.value()?.parse().map_err(|error: syn::Error| {
                    syn::Error::new(error.span(), "`expire_after` takes a number of expositions: `expire_after = 10`")
                })?;
                let count = value.base10_parse::<u64>()?;
                set_once(&mut out.expire_after, (count, value.span()), &meta, errors);
            } else if meta.path.is_ident("native") {
                // #[metric(native)] or
                // #[metric(native(factor = 1.1, max_buckets = 160, zero_threshold = 1e-9))]
                let mut native = NativeAttrs { span: meta.path.span(), factor: None, max_buckets: None, zero_threshold: None };
                if meta.input.peek(syn::token::Paren) {
                    meta.parse_nested_meta(|option| {
                        if option.path.is_ident("factor") {
                            let factor = parse_number(option.value()?)?;
                            set_once(&mut native.factor, factor, &option, errors);
                        } else if option.path.is_ident("max_buckets") {
                            let value: syn::LitInt = option.value()?.parse().map_err(|error: syn::Error| {
                                syn::Error::new(error.span(), "`max_buckets` takes a whole number: `max_buckets = 160`")
                            })?;
                            let limit = value.base10_parse::<u64>()?;
                            set_once(&mut native.max_buckets, (limit, value.span()), &option, errors);
                        } else if option.path.is_ident("zero_threshold") {
                            let threshold = parse_number(option.value()?)?;
                            set_once(&mut native.zero_threshold, threshold, &option, errors);
                        } else {
                            unknown_key(&option, "`native(..)` option", NATIVE_KEYS, errors)?;
                        }
                        Ok(())
                    })?;
                } else if meta.input.peek(Token![=]) {
                    return Err(meta.error(
                        "`native` takes no value: write `#[metric(native)]`, or its options in parentheses: `native(factor = 1.1, max_buckets = 160)`",
                    ));
                }
                set_once(&mut out.native, native, &meta, errors);
            } else if meta.path.is_ident("collect") {
                // #[metric(collect = queue_depth)]
                let path: Path = meta.value()?.parse().map_err(|error: syn::Error| {
                    syn::Error::new(error.span(), "`collect` takes the path of a function: `collect = queue_depth`")
                })?;
                set_once(&mut out.collect, path, &meta, errors);
            } else if meta.path.is_ident("allow") {
                // #[metric(allow(missing_total, non_base_unit))]
                meta.parse_nested_meta(|allow| {
                    match allow.path.get_ident() {
                        Some(ident) if ALLOW_KEYS.iter().any(|key| ident == key) => {
                            if out.allow.iter().any(|seen| seen == ident) {
                                errors.error(ident.span(), format_args!("`{ident}` is allowed twice; keep one"));
                            } else {
                                out.allow.push(ident.clone());
                            }
                        }
                        _ => unknown_key(&allow, "convention in `allow(..)`:", ALLOW_KEYS, errors)?,
                    }
                    Ok(())
                })?;
            } else {
                unknown_key(&meta, "metric attribute", METRIC_KEYS, errors)?;
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    out.doc = doc_comment(attrs);
    out.broken = errors.count() > before;
    out
}

/// Reads `#[label(crate = path)]` on an enum deriving `LabelValue`.
pub fn label_enum_attrs(attrs: &[Attribute], errors: &mut Errors) -> Option<Path> {
    label_crate(
        attrs,
        "on the enum, `#[label]` only takes `(crate = path)`; a variant's label is `#[label = \"..\"]` on the variant",
        errors,
    )
}

/// Reads `#[label(crate = path)]` on a struct deriving `LabelSet`.
pub fn label_struct_attrs(attrs: &[Attribute], errors: &mut Errors) -> Option<Path> {
    label_crate(
        attrs,
        "on the struct, `#[label]` only takes `(crate = path)`; each field is a label named after the field, or `#[label(name = \"..\")]` on the field",
        errors,
    )
}

/// Reads `#[label(name = "..")]` on a field of a struct deriving `LabelSet`: the label's name
/// when it is not the field's (a name that is no Rust identifier, `"http.route"`).
pub fn label_field_attrs(attrs: &[Attribute], errors: &mut Errors) -> Option<LitStr> {
    let mut name = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("label")) {
        if !matches!(attr.meta, Meta::List(_)) {
            errors.error(
                attr.meta.span(),
                "a field's `#[label]` takes its name: `#[label(name = \"http.route\")]`; without it the label is named after the field",
            );
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let value = string_value(&meta, "#[label(name = \"http.route\")]")?;
                set_once(&mut name, value, &meta, errors);
            } else {
                unknown_key(&meta, "field label attribute", &["name"], errors)?;
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    name
}

/// `#[label(crate = path)]` on the item of a derive; `not_a_list` is the message for any other
/// form.
fn label_crate(attrs: &[Attribute], not_a_list: &str, errors: &mut Errors) -> Option<Path> {
    let mut krate = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("label")) {
        if !matches!(attr.meta, Meta::List(_)) {
            errors.error(attr.meta.span(), not_a_list);
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                // #[label(crate = my_crate::metrics)]
                let value = path_value(&meta)?;
                set_once(&mut krate, value, &meta, errors);
            } else {
                unknown_key(&meta, "label attribute", &["crate"], errors)?;
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    krate
}

/// Reads a variant's `#[label = ".."]`.
pub fn variant_label(attrs: &[Attribute], errors: &mut Errors) -> Option<(String, Span)> {
    let mut label = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("label")) {
        match &attr.meta {
            Meta::NameValue(pair) => match &pair.value {
                Expr::Lit(ExprLit { lit: Lit::Str(value), .. }) => {
                    if label.is_some() {
                        errors.error(attr.path().span(), "`label` is given twice; keep one");
                    } else {
                        label = Some((value.value(), value.span()));
                    }
                }
                other => errors.error(other.span(), "a label is a string: `#[label = \"..\"]`"),
            },
            other => errors.error(
                other.path().span(),
                "a variant's label is written `#[label = \"..\"]`; `#[label(crate = ..)]` goes on the enum",
            ),
        }
    }
    label
}

/// The doc comment of a field: lines trimmed, blank lines dropped, joined by a space.
fn doc_comment(attrs: &[Attribute]) -> Option<(String, Span)> {
    let mut span = None;
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(pair) => match &pair.value {
                Expr::Lit(ExprLit { lit: Lit::Str(line), .. }) => {
                    span.get_or_insert(attr.span());
                    Some(line.value())
                }
                _ => None,
            },
            _ => None,
        })
        .flat_map(|line| line.lines().map(|line| line.trim().to_owned()).collect::<Vec<_>>())
        .filter(|line| !line.is_empty())
        .collect();
    Some((lines.join(" "), span?))
}

/// The string after `key =`, or an error that shows `example`.
fn string_value(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<LitStr> {
    let key = meta.path.get_ident().map_or_else(String::new, ToString::to_string);
    meta.value()?
        .parse()
        .map_err(|error: syn::Error| syn::Error::new(error.span(), format_args!("`{key}` takes a string: `{example}`")))
}

/// The path after `crate =`; a string gets a hint to drop the quotes.
fn path_value(meta: &ParseNestedMeta<'_>) -> syn::Result<Path> {
    let input = meta.value()?;
    if input.peek(LitStr) {
        let text: LitStr = input.parse()?;
        return Err(syn::Error::new(
            text.span(),
            format_args!("`crate` takes a path, not a string: write `crate = {}`", text.value()),
        ));
    }
    input.call(Path::parse_mod_style).map_err(|error| {
        syn::Error::new(error.span(), "`crate` takes a path to solti-metrics: `crate = my_crate::metrics`")
    })
}

/// The span of a key that takes no value (`#[metric(init)]`), or an error when one follows.
fn flag(meta: &ParseNestedMeta<'_>) -> syn::Result<Span> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = meta.path.get_ident().map_or_else(String::new, ToString::to_string);
        return Err(meta.error(format_args!("`{key}` takes no value: write `#[metric({key})]`")));
    }
    Ok(meta.path.span())
}

fn set_once<T>(slot: &mut Option<T>, value: T, meta: &ParseNestedMeta<'_>, errors: &mut Errors) {
    if slot.is_some() {
        let key = meta.path.get_ident().map_or_else(String::new, ToString::to_string);
        errors.error(meta.path.span(), format_args!("`{key}` is given twice; keep one"));
    } else {
        *slot = Some(value);
    }
}

/// Records an unknown key with a "did you mean" hint and skips its value, so the keys after it
/// are still read.
fn unknown_key(meta: &ParseNestedMeta<'_>, attr: &str, known: &[&str], errors: &mut Errors) -> syn::Result<()> {
    let key = meta.path.get_ident().map_or_else(|| path_string(&meta.path), ToString::to_string);
    let hint = closest(&key, known).map_or_else(
        || format!("expected one of {}", known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
        |suggestion| format!("did you mean `{suggestion}`?"),
    );
    errors.error(meta.path.span(), format_args!("unknown {attr} `{key}`; {hint}"));
    skip_value(meta.input)
}

fn path_string(path: &Path) -> String {
    path.segments.iter().map(|segment| segment.ident.to_string()).collect::<Vec<_>>().join("::")
}

fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// Parses a standalone `#[metric(..)]` argument list; used by the unit tests.
#[cfg(test)]
fn parse_metric_args(tokens: proc_macro2::TokenStream) -> (MetricAttrs, syn::Result<()>) {
    use syn::parse::Parser as _;
    let attr: Attribute = match Attribute::parse_outer.parse2(quote::quote!(#[metric(#tokens)])) {
        Ok(mut attrs) => attrs.remove(0),
        Err(error) => return (MetricAttrs::default(), Err(error)),
    };
    let mut errors = Errors::default();
    let attrs = metric_attrs(&[attr], &mut errors);
    (attrs, errors.finish())
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn hint_for_typos() {
        assert_eq!(closest("hlep", METRIC_KEYS), Some("help"));
        assert_eq!(closest("label", METRIC_KEYS), Some("labels"));
        assert_eq!(closest("bucket", METRIC_KEYS), Some("buckets"));
        assert_eq!(closest("zzz", METRIC_KEYS), None);
    }

    #[test]
    fn reads_every_key() {
        let (attrs, result) = parse_metric_args(quote!(
            name = "x_total", help = "h", labels(a, b: B), buckets = linear(1, 2, 3),
            subsystem = "s", max_series = 10, allow(non_base_unit)
        ));
        result.unwrap();
        assert_eq!(attrs.name.unwrap().value(), "x_total");
        assert!(matches!(attrs.labels.unwrap().form, LabelForm::List(list) if list.len() == 2));
        assert!(matches!(attrs.buckets.unwrap().form, BucketForm::Linear { count, .. } if count.value == 3.0));
        assert_eq!(attrs.max_series.unwrap().0, 10);
        assert_eq!(attrs.allow.len(), 1);
    }

    #[test]
    fn collects_several_errors() {
        let (_, result) = parse_metric_args(quote!(hlep = "x", name = "a", name = "b", colour = 3));
        let messages: Vec<String> = result.unwrap_err().into_iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "unknown metric attribute `hlep`; did you mean `help`?",
                "`name` is given twice; keep one",
                "unknown metric attribute `colour`; expected one of `name`, `help`, `labels`, `buckets`, `subsystem`, `max_series`, `unit`, `init`, `exemplars`, `collect`, `removable`, `expire_after`, `native`, `allow`",
            ]
        );
    }

    #[test]
    fn negative_bucket_bounds() {
        let (attrs, result) = parse_metric_args(quote!(buckets(-1.5, 0, 2e1)));
        result.unwrap();
        let BucketForm::List(list) = attrs.buckets.unwrap().form else { panic!("expected a list") };
        let values: Vec<f64> = list.iter().map(|n| n.value).collect();
        assert_eq!(values, [-1.5, 0.0, 20.0]);
        let digits: Vec<&str> = list.iter().map(|n| n.digits.as_str()).collect();
        assert_eq!(digits, ["-1.5", "0", "2e1"]);
    }

    #[test]
    fn a_quoted_label_is_a_name_of_any_text() {
        let labels = |tokens| match parse_metric_args(tokens).0.labels.map(|labels| labels.form) {
            Some(LabelForm::List(list)) => {
                list.iter().map(|label| (label.exported(), label.name.to_string())).collect::<Vec<_>>()
            }
            _ => Vec::new(),
        };
        let pair = |name: &str, param: &str| (name.to_owned(), param.to_owned());
        assert_eq!(
            labels(quote!(labels("http.request.method": Method, "user-agent", path, "type"))),
            [
                pair("http.request.method", "http_request_method"),
                pair("user-agent", "user_agent"),
                pair("path", "path"),
                pair("type", "r#type"),
            ]
        );
        let message = |tokens| parse_metric_args(tokens).1.unwrap_err().to_string();
        assert_eq!(
            message(quote!(labels("http.route" = "/"))),
            "a label takes its value at the call, not here: write `\"http.route\"` and pass the value to the recorder method"
        );
    }
}
