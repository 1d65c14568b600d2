//! Writes the generated code; the only module that calls `quote!`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{DeriveInput, Ident, Path};

use crate::ast::{Kind, Label, LabelEnum, Metric, Set};
use crate::check;
use crate::ctxt::Errors;

/// `#[derive(MetricsSet)]`: the trait implementation and the recorder methods, or the errors
/// beside a stub implementation that keeps the rest of the user's code quiet.
pub fn metrics_set(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let Some(set) = Set::from_syn(input, &mut errors) else {
        return with_stub(&input.ident, &default_crate(), errors, TokenStream::new());
    };
    check::metrics_set(&set, &mut errors);
    let default = default_crate();
    let krate = set.krate.as_ref().unwrap_or(&default);
    if !input.generics.params.is_empty() {
        // A stub for a generic struct would need bounds the user cannot meet; the error says
        // to drop the parameters, which is all there is to say.
        return errors.finish().err().map(syn::Error::into_compile_error).unwrap_or_default();
    }
    let methods = recorder_methods(&set, krate, !errors.is_empty());
    if !errors.is_empty() {
        return with_stub(set.ident, krate, errors, methods);
    }

    let ident = set.ident;
    let private = quote!(#krate::__private);
    let descs = set.metrics.iter().map(|metric| metric_desc(&set, metric, &private));
    let builds = set.metrics.iter().enumerate().map(|(index, metric)| {
        let field = metric.field;
        let ty = metric.ty;
        let labels = label_tuple(metric.labels());
        quote_spanned! {ty.span()=>
            #field: <#ty as #private::MetricField>::build::<#labels>(
                &<Self as #private::MetricsSet>::METRICS[#index],
            )?
        }
    });
    let parts = set.metrics.iter().map(|metric| {
        let field = metric.field;
        quote_spanned!(metric.ty.span()=> #private::SetCollector::part(&self.#field))
    });
    let assertions = set.metrics.iter().map(|metric| type_assertions(metric, &private));
    let clash_assertions = clash_assertions(&set, &private);

    let bounds = set
        .metrics
        .iter()
        .flat_map(|metric| metric_bound(metric, &private).into_iter().chain(label_bounds(metric, &private)));

    quote! {
        #[automatically_derived]
        impl #private::MetricsSet for #ident where #(#bounds,)* {
            const METRICS: &'static [#private::MetricDesc] = &[#(#descs),*];

            fn build() -> ::core::result::Result<Self, #private::Error> {
                ::core::result::Result::Ok(Self { #(#builds,)* })
            }

            fn collector(&self) -> #private::SetCollector {
                #private::SetCollector::new([#(#parts),*])
            }
        }

        #methods

        #(#assertions)*
        #clash_assertions
    }
}

fn default_crate() -> Path {
    syn::parse_quote!(::solti_metrics)
}

/// The errors, a stub `MetricsSet` implementation and the recorder methods that could be
/// written, so that code using the set reports nothing but the real mistakes.
fn with_stub(ident: &Ident, krate: &Path, errors: Errors, methods: TokenStream) -> TokenStream {
    let errors = errors.finish().err().map(syn::Error::into_compile_error);
    let private = quote!(#krate::__private);
    quote! {
        #errors

        #[automatically_derived]
        impl #private::MetricsSet for #ident {
            const METRICS: &'static [#private::MetricDesc] = &[];

            fn build() -> ::core::result::Result<Self, #private::Error> {
                ::core::unreachable!()
            }

            fn collector(&self) -> #private::SetCollector {
                ::core::unreachable!()
            }
        }

        #methods
    }
}

fn metric_desc(set: &Set<'_>, metric: &Metric<'_>, private: &TokenStream) -> TokenStream {
    let name = metric.full_name(set);
    let help = metric.help_text().unwrap_or_default();
    let ty = metric.ty;
    let labels = metric.labels().iter().map(Label::exported);
    let buckets = match (&metric.buckets, metric.kind()) {
        (Some(buckets), _) => {
            let values = check::bucket_values(buckets, &mut Errors::default());
            quote!(&[#(#values),*])
        }
        (None, Some(Kind::Histogram)) => quote!(#private::DEFAULT_BUCKETS),
        (None, _) => quote!(&[]),
    };
    let max_series = match metric.max_series {
        Some((limit, _)) => {
            let limit = limit as usize;
            quote!(::core::option::Option::Some(#limit))
        }
        None => quote!(::core::option::Option::None),
    };
    let field = metric.field.to_string();
    quote! {
        #private::MetricDesc {
            name: #name,
            help: #help,
            kind: <#ty as #private::MetricField>::KIND,
            labels: &[#(#labels),*],
            buckets: #buckets,
            max_series: #max_series,
            field: #field,
        }
    }
}

/// The label tuple type: `(Method, &str,)`; `()` without labels.
fn label_tuple(labels: &[Label]) -> TokenStream {
    let types = labels.iter().map(label_type);
    quote!((#(#types,)*))
}

fn label_type(label: &Label) -> TokenStream {
    match &label.ty {
        Some(ty) => quote!(#ty),
        None => quote_spanned!(label.name.span()=> &::core::primitive::str),
    }
}

/// `Type: LabelValue` for each typed label, spanned at the type. As a where clause of the
/// generated items it turns a type that is no label value into one error at that type, instead
/// of one per use inside generated code. Types with a reference or a lifetime are left out: a
/// where clause cannot elide lifetimes, and such a type is a string slice that always qualifies
/// (any other gets an ordinary error at its use).
fn label_bounds<'m>(metric: &'m Metric<'_>, private: &'m TokenStream) -> impl Iterator<Item = TokenStream> + 'm {
    metric.labels().iter().filter_map(|label| label.ty.as_ref()).filter(|ty| !borrows(quote!(#ty))).map(move |ty| {
        // The whole predicate carries the type's span: a path to solti-metrics spanned at the
        // call site would move the error onto `#[derive(MetricsSet)]`.
        let span = ty.span();
        let bound = respan(quote!(#private::LabelValue), span);
        quote_spanned! {span=> #ty: #bound}
    })
}

/// For a field whose type the derive does not recognize by name (an alias, or a mistake),
/// `Type: PlainMetric` or `Type: LabelledMetric` as the labels ask: one error at the type when
/// it is no metric or the wrong kind of metric, instead of one per use.
fn metric_bound(metric: &Metric<'_>, private: &TokenStream) -> Option<TokenStream> {
    metric.kind.is_none().then(|| {
        let ty = metric.ty;
        let span = ty.span();
        let bound = if metric.labels.is_some() {
            respan(quote!(#private::LabelledMetric), span)
        } else {
            respan(quote!(#private::PlainMetric), span)
        };
        quote_spanned! {span=> #ty: #bound}
    })
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner = proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

fn borrows(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Punct(punct) => punct.as_char() == '&' || punct.as_char() == '\'',
        proc_macro2::TokenTree::Group(group) => borrows(group.stream()),
        _ => false,
    })
}

/// A label's parameter name: the label's own, as a raw identifier when it is a keyword.
fn label_param(label: &Label) -> Ident {
    let name = label.exported();
    if syn::parse_str::<Ident>(&name).is_ok() {
        Ident::new(&name, label.name.span())
    } else if matches!(name.as_str(), "self" | "Self" | "super" | "crate" | "_") {
        format_ident!("{}_", name, span = label.name.span())
    } else {
        Ident::new_raw(&name, label.name.span())
    }
}

fn recorder_methods(set: &Set<'_>, krate: &Path, stub: bool) -> TokenStream {
    let ident = set.ident;
    let private = quote!(#krate::__private);
    let methods = set.metrics.iter().map(|metric| {
        let field = metric.field;
        let vis = metric.vis;
        let ty = metric.ty;
        let doc = method_doc(set, metric);
        let labelled = metric.labels.is_some() || metric.kind.is_some_and(|kind| kind.labelled);
        if !labelled {
            let body = if stub { quote!(::core::unreachable!()) } else { quote!(&self.#field) };
            return quote_spanned! {field.span()=>
                #[doc = #doc]
                #[inline]
                #vis fn #field(&self) -> &#ty {
                    #body
                }
            };
        }
        let params = metric.labels().iter().map(|label| {
            // A stub ignores its arguments: `_` keeps it free of unused-variable warnings and
            // of a second error for a label declared twice.
            let param = if stub { Ident::new("_", label.name.span()) } else { label_param(label) };
            let ty = label_type(label);
            quote!(#param: #ty)
        });
        let args = metric.labels().iter().map(label_param);
        let body = if stub {
            quote!(::core::unreachable!())
        } else {
            quote!(#private::LabelledMetric::series(&self.#field, (#(#args,)*)))
        };
        let bounds = metric_bound(metric, &private).into_iter().chain(label_bounds(metric, &private));
        quote_spanned! {field.span()=>
            #[doc = #doc]
            #[inline]
            #vis fn #field(&self, #(#params),*) -> #private::Handle<'_, <#ty as #private::MetricField>::Series>
            where #(#bounds,)*
            {
                #body
            }
        }
    });
    // A metric may be recorded through its field alone; an unused recorder is no mistake.
    quote! {
        #[automatically_derived]
        #[allow(dead_code)]
        impl #ident {
            #(#methods)*
        }
    }
}

fn method_doc(set: &Set<'_>, metric: &Metric<'_>) -> String {
    let kind = match metric.kind() {
        Some(Kind::Counter) => "counter",
        Some(Kind::Gauge) => "gauge",
        Some(Kind::Histogram) => "histogram",
        None => "metric",
    };
    let labels = match metric.labels() {
        [] => "no labels".to_owned(),
        labels => {
            let names: Vec<String> = labels.iter().map(|label| format!("`{}`", label.exported())).collect();
            format!("labels {}", names.join(", "))
        }
    };
    let help = metric.help_text().unwrap_or_default();
    format!(" `{}`: {kind}, {labels}.\n\n {help}", metric.full_name(set))
}

/// An assertion that lands on the user's declaration when the derive could not tell from the
/// type's name: a type alias for a non-histogram given buckets.
fn type_assertions(metric: &Metric<'_>, private: &TokenStream) -> TokenStream {
    let buckets_check = metric.buckets.as_ref().filter(|_| metric.kind.is_none()).map(|buckets| {
        let ty = metric.ty;
        quote_spanned! {buckets.span=>
            const _: () = ::core::assert!(
                ::core::matches!(<#ty as #private::MetricField>::KIND, #private::MetricKind::Histogram),
                "`buckets` only apply to `Histogram` and `HistogramVec`; remove them, or make the field a histogram",
            );
        }
    });
    let le_check = metric.labels().iter().filter(|_| metric.kind.is_none()).find(|label| label.exported() == "le");
    let le_check = le_check.map(|label| {
        let ty = metric.ty;
        quote_spanned! {label.name.span()=>
            const _: () = ::core::assert!(
                !::core::matches!(<#ty as #private::MetricField>::KIND, #private::MetricKind::Histogram),
                "label name `le` is reserved on histograms: it holds the bucket bound; rename the label",
            );
        }
    });
    let max_series_check = metric.max_series.filter(|_| !metric.labels().is_empty()).map(|(_, span)| {
        let labels = label_tuple(metric.labels());
        quote_spanned! {span=>
            const _: () = ::core::assert!(
                <#labels as #private::LabelSet>::DENSE_SLOTS == 0,
                "`max_series` has no effect here: every label of this metric has a fixed set of values, so its series are bounded already; remove it",
            );
        }
    });
    quote!(#buckets_check #le_check #max_series_check)
}

/// When a type alias hides a field's kind, the derive cannot tell whether its `_bucket`,
/// `_sum` and `_count` series clash with another metric's name: for each name that would, the
/// generated code asserts that the alias is not a histogram.
fn clash_assertions(set: &Set<'_>, private: &TokenStream) -> TokenStream {
    let names: Vec<String> = set.metrics.iter().map(|metric| metric.full_name(set)).collect();
    let mut assertions = Vec::new();
    for (hidden, hidden_name) in set.metrics.iter().zip(&names).filter(|(metric, _)| metric.kind.is_none()) {
        for (other, other_name) in set.metrics.iter().zip(&names) {
            let clashes =
                ["_bucket", "_sum", "_count"].iter().any(|suffix| *other_name == format!("{hidden_name}{suffix}"));
            if !clashes {
                continue;
            }
            let ty = hidden.ty;
            let message = format!(
                "series `{other_name}` is exported by both `{}`, a histogram, and `{}`; rename one with `#[metric(name = \"..\")]`",
                hidden.field, other.field
            );
            let (_, span) = other.base_name();
            assertions.push(quote_spanned! {span=>
                const _: () = ::core::assert!(
                    !::core::matches!(<#ty as #private::MetricField>::KIND, #private::MetricKind::Histogram),
                    #message,
                );
            });
        }
    }
    quote!(#(#assertions)*)
}

/// `#[derive(LabelValue)]`.
pub fn label_value(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let parsed = LabelEnum::from_syn(input, &mut errors);
    if let Some(parsed) = &parsed {
        check::label_enum(parsed, &mut errors);
    }
    let private = match parsed.as_ref().and_then(|parsed| parsed.krate.as_ref()) {
        Some(krate) => quote!(#krate::__private),
        None => quote!(::solti_metrics::__private),
    };
    let parsed = match (parsed, errors.finish()) {
        (Some(parsed), Ok(())) => parsed,
        (_, result) => {
            let errors = result.err().map(syn::Error::into_compile_error);
            if !input.generics.params.is_empty() {
                return quote!(#errors);
            }
            let ident = &input.ident;
            return quote! {
                #errors
                #[automatically_derived]
                impl #private::LabelValue for #ident {
                    fn label(&self) -> #private::LabelStr<'_> {
                        ::core::unreachable!()
                    }
                }
            };
        }
    };
    let ident = parsed.ident;
    let count = parsed.variants.len();
    let variants: Vec<&Ident> = parsed.variants.iter().map(|variant| variant.ident).collect();
    let indices = 0..count;
    let labels = parsed.variants.iter().map(|variant| &variant.label.0);
    quote! {
        #[automatically_derived]
        impl #private::LabelValue for #ident {
            const CARDINALITY: ::core::primitive::usize = #count;

            #[inline]
            fn label_index(&self) -> ::core::option::Option<::core::primitive::usize> {
                ::core::option::Option::Some(match *self { #(Self::#variants => #indices,)* })
            }

            #[inline]
            fn label(&self) -> #private::LabelStr<'_> {
                #private::LabelStr::borrowed(match *self { #(Self::#variants => #labels,)* })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_labels_become_valid_parameters() {
        let params: Vec<String> = ["path", "type", "self", "crate", "r#match"]
            .iter()
            .map(|name| {
                let ident: Ident = syn::parse_str::<syn::Ident>(name).unwrap_or_else(|_| {
                    syn::parse::Parser::parse_str(<Ident as syn::ext::IdentExt>::parse_any, name).unwrap()
                });
                label_param(&Label { name: ident, ty: None }).to_string()
            })
            .collect();
        assert_eq!(params, ["path", "r#type", "self_", "crate_", "r#match"]);
    }

    #[test]
    fn borrowed_label_types_get_no_where_clause() {
        assert!(borrows(quote!(&str)));
        assert!(borrows(quote!(Cow<'static, str>)));
        assert!(!borrows(quote!(Method)));
        assert!(!borrows(quote!(::std::string::String)));
    }

    #[test]
    fn a_stub_comes_with_the_errors() {
        let input: DeriveInput = syn::parse_quote! {
            struct Set { #[metric(labels(a, a))] requests_total: IntCounterVec }
        };
        let output = metrics_set(&input).to_string();
        assert!(output.contains("compile_error"), "{output}");
        assert!(output.contains("MetricsSet for Set"), "{output}");
        assert!(output.contains("unreachable"), "{output}");
        // The stub's parameters are `_`: a repeated label does not bind a name twice.
        assert!(output.contains("fn requests_total (& self , _ :"), "{output}");
    }

    #[test]
    fn a_generic_struct_gets_only_its_error() {
        let input: DeriveInput = syn::parse_quote! {
            struct Set<T> { /// A.
                requests_total: IntCounter, marker: T }
        };
        let output = metrics_set(&input).to_string();
        assert!(output.contains("compile_error"), "{output}");
        assert!(!output.contains("impl"), "{output}");
    }
}
