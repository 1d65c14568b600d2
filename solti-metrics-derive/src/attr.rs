//! Parses `#[metrics(..)]`, `#[metric(..)]` and `#[label ..]` into this module's own types;
//! every key lives here.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt as _;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Meta, Path, Token, Type};

use crate::ctxt::Errors;
use crate::names;

const SET_KEYS: &[&str] = &["namespace", "subsystem", "crate"];
const METRIC_KEYS: &[&str] = &[
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
    "allow",
];
/// The naming conventions a metric can opt out of with `#[metric(allow(..))]`.
const ALLOW_KEYS: &[&str] = &["missing_total", "unexpected_total", "non_base_unit"];

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
    pub allow: Vec<Ident>,
    /// Whether an attribute of the field had a mistake: a key may be missing because of it, so
    /// the rules about absent keys (help, naming conventions, labels) stay quiet.
    pub broken: bool,
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

/// One variable label: `path` (takes `&str`) or `method: Method`.
pub struct Label {
    pub name: Ident,
    pub ty: Option<Type>,
}

impl Label {
    /// The label's name as exported (a raw identifier loses its `r#`).
    pub fn exported(&self) -> String {
        self.name.unraw().to_string()
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
        "on the struct, `#[label]` only takes `(crate = path)`; each field is a label named after the field",
        errors,
    )
}

/// Refuses `#[label ..]` on a field of a struct deriving `LabelSet`: a label is named after its
/// field.
pub fn label_field_attrs(attrs: &[Attribute], errors: &mut Errors) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("label")) {
        errors.error(
            attr.path().span(),
            "a field of a `LabelSet` struct takes no `#[label]`: the label is named after the field; rename the field",
        );
    }
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

/// The known key closest to `key`, if it is close enough to be a typo.
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|candidate| (edit_distance(key, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 3) && *distance < key.len().max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance with adjacent transpositions counting as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

fn parse_labels(meta: &ParseNestedMeta<'_>) -> syn::Result<LabelForm> {
    if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        let list = Punctuated::<Label, Token![,]>::parse_terminated_with(&content, parse_label)?;
        return Ok(LabelForm::List(list.into_iter().collect()));
    }
    let input = meta.value()?;
    let path = input.parse::<Path>().map_err(|error| {
        syn::Error::new(
            error.span(),
            "`labels =` takes the path of a struct deriving `LabelSet`, `labels = Route`; or list the labels: `labels(method: Method, path)`",
        )
    })?;
    Ok(LabelForm::Struct(path))
}

fn parse_label(input: ParseStream<'_>) -> syn::Result<Label> {
    let name = if input.peek(LitStr) {
        // #[metric(labels("user-agent"))]
        let lit: LitStr = input.parse()?;
        let message = match names::label_name_like(&lit.value()) {
            Some(name) => format!("a label is a name, not a string: write `{name}`"),
            None => "a label is a name, not a string: write a name such as `path`".to_owned(),
        };
        return Err(syn::Error::new(lit.span(), message));
    } else {
        input.call(Ident::parse_any)?
    };
    if input.peek(Token![=]) {
        let eq: Token![=] = input.parse()?;
        return Err(syn::Error::new(
            eq.span,
            format_args!(
                "a label takes its value at the call, not here: write `{}` and pass the value to the recorder method",
                name.unraw()
            ),
        ));
    }
    let ty = if input.peek(Token![:]) {
        input.parse::<Token![:]>()?;
        Some(input.parse()?)
    } else {
        None
    };
    Ok(Label { name, ty })
}

fn parse_buckets(meta: &ParseNestedMeta<'_>) -> syn::Result<BucketForm> {
    if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        let list = Punctuated::<Number, Token![,]>::parse_terminated_with(&content, parse_number)?;
        return Ok(BucketForm::List(list.into_iter().collect()));
    }
    let input = meta.value()?;
    let function: Ident = input.parse().map_err(|error| {
        syn::Error::new(
            error.span(),
            "expected `buckets(b1, b2, ..)`, `buckets = linear(start, width, count)` or `buckets = exponential(start, factor, count)`",
        )
    })?;
    let content;
    let parens = syn::parenthesized!(content in input);
    let args = Punctuated::<Number, Token![,]>::parse_terminated_with(&content, parse_number)?;
    let params = if function == "linear" {
        ["start", "width", "count"]
    } else if function == "exponential" {
        ["start", "factor", "count"]
    } else {
        let message = match closest(&function.to_string(), &["linear", "exponential"]) {
            Some(suggestion) => format!("unknown bucket function `{function}`; did you mean `{suggestion}`?"),
            None => format!(
                "unknown bucket function `{function}`; expected `linear(start, width, count)` or `exponential(start, factor, count)`"
            ),
        };
        return Err(syn::Error::new(function.span(), message));
    };
    let [start, second, count] = <[Number; 3]>::try_from(args.into_iter().collect::<Vec<_>>()).map_err(|args| {
        syn::Error::new(
            parens.span.join(),
            format_args!("`{function}` takes 3 arguments, `{function}({})`; found {}", params.join(", "), args.len()),
        )
    })?;
    Ok(if function == "linear" {
        BucketForm::Linear { start, width: second, count }
    } else {
        BucketForm::Exponential { start, factor: second, count }
    })
}

/// A number literal, optionally negative: `0.5`, `10`, `-1.5`, `1e-3`.
fn parse_number(input: ParseStream<'_>) -> syn::Result<Number> {
    let minus: Option<Token![-]> = input.parse()?;
    let lit: Lit = input.parse()?;
    let negative = minus.is_some();
    let span = minus.map_or(lit.span(), |minus| minus.span.join(lit.span()).unwrap_or(lit.span()));
    let (value, digits) = match &lit {
        Lit::Float(lit) => (lit.base10_parse::<f64>()?, lit.base10_digits()),
        Lit::Int(lit) => (lit.base10_parse::<f64>()?, lit.base10_digits()),
        Lit::Str(text) => {
            return Err(syn::Error::new(
                text.span(),
                format_args!("expected a number, not a string: write `{}` without quotes", text.value()),
            ));
        }
        other => return Err(syn::Error::new(other.span(), "expected a number such as `0.5` or `10`")),
    };
    Ok(if negative {
        Number { value: -value, digits: format!("-{digits}"), span }
    } else {
        Number { value, digits: digits.to_owned(), span }
    })
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
                "unknown metric attribute `colour`; expected one of `name`, `help`, `labels`, `buckets`, `subsystem`, `max_series`, `unit`, `init`, `exemplars`, `collect`, `removable`, `expire_after`, `allow`",
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
    fn a_quoted_label_gets_the_name_to_write() {
        let message = |tokens| parse_metric_args(tokens).1.unwrap_err().to_string();
        assert_eq!(message(quote!(labels("user-agent"))), "a label is a name, not a string: write `user_agent`");
        assert_eq!(message(quote!(labels("path"))), "a label is a name, not a string: write `path`");
        assert_eq!(message(quote!(labels("2xx"))), "a label is a name, not a string: write `_2xx`");
        assert_eq!(message(quote!(labels(""))), "a label is a name, not a string: write a name such as `path`");
    }
}
