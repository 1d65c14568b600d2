//! The payloads of the keys that take more than a literal: `labels(..)`, `buckets(..)` and
//! their numbers.

use syn::ext::IdentExt as _;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Ident, Lit, LitStr, Path, Token};

use crate::attr::suggest::closest;
use crate::attr::{BUCKET_FUNCTIONS, BucketForm, Label, LabelForm, Number};
use crate::names;

pub(super) fn parse_labels(meta: &ParseNestedMeta<'_>) -> syn::Result<LabelForm> {
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
    let (name, quoted) = if input.peek(LitStr) {
        // #[metric(labels("http.request.method": Method))]: the parameter is the closest
        // identifier; the name's rules are checked with the others'.
        let lit: LitStr = input.parse()?;
        (names::param_ident(&lit.value(), lit.span()), Some(lit.value()))
    } else {
        (input.call(Ident::parse_any)?, None)
    };
    if input.peek(Token![=]) {
        let eq: Token![=] = input.parse()?;
        return Err(syn::Error::new(
            eq.span,
            format_args!(
                "a label takes its value at the call, not here: write `{}` and pass the value to the recorder method",
                quoted.as_deref().map_or_else(|| name.unraw().to_string(), |name| format!("{name:?}"))
            ),
        ));
    }
    let ty = if input.peek(Token![:]) {
        input.parse::<Token![:]>()?;
        Some(input.parse()?)
    } else {
        None
    };
    Ok(Label { name, ty, quoted })
}

pub(super) fn parse_buckets(meta: &ParseNestedMeta<'_>) -> syn::Result<BucketForm> {
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
        let message = match closest(&function.to_string(), BUCKET_FUNCTIONS) {
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
pub(super) fn parse_number(input: ParseStream<'_>) -> syn::Result<Number> {
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
