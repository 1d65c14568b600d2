//! Writes the generated code; the only module that calls `quote!`.

use proc_macro2::TokenStream;
use quote::{ToTokens as _, format_ident, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{DeriveInput, Ident};

use crate::attr::{self, Label};
use crate::check::{Assertion, Bounds, Condition, Kind, LoweredMetric, LoweredSet, MetricBound, MetricLabels};
use crate::ctxt::Errors;

mod label_set;
mod label_value;
mod tokens;

pub use label_set::label_set;
pub use label_value::label_value;
use tokens::{borrows, respan};

/// `#[derive(MetricsSet)]`: the trait implementation and the recorder methods, or the errors
/// beside a stub implementation that keeps the rest of the user's code quiet. `set` is `None`
/// when the input is no struct with named fields.
pub fn metrics_set(input: &DeriveInput, set: Option<&LoweredSet<'_>>, errors: Errors) -> TokenStream {
    let Some(set) = set else {
        return with_stub(&input.ident, &attr::default_crate().to_token_stream(), errors, TokenStream::new());
    };
    if !input.generics.params.is_empty() {
        // A stub for a generic struct would need bounds the user cannot meet; the error says
        // to drop the parameters, which is all there is to say.
        return errors.finish().err().map(syn::Error::into_compile_error).unwrap_or_default();
    }
    let methods = recorder_methods(set, !errors.is_empty());
    if !errors.is_empty() {
        return with_stub(set.ident, &set.krate, errors, methods);
    }

    let ident = set.ident;
    let krate = &set.krate;
    let private = quote!(#krate::__private);
    let descs = set.metrics.iter().map(|metric| metric_desc(metric, &private));
    // One `let` per metric, then the struct: a struct literal of `field: build()?` makes each
    // `?` drop every field built before it, and compile time grows with the square of the
    // number of metrics. The locals have a prefix of their own: a field named like a constant
    // in scope, or `registry`, must not change what a `let` means or hide the parameter.
    let locals: Vec<Ident> =
        set.metrics.iter().map(|metric| format_ident!("__solti_metric_{}", metric.field.unraw())).collect();
    let fields = set.metrics.iter().map(|metric| metric.field);
    let builds = set.metrics.iter().zip(&locals).enumerate().map(|(index, (metric, local))| {
        let ty = &metric.ty;
        let labels = label_set_type(metric.labels);
        quote_spanned! {ty.span()=>
            let #local = <#ty as #private::MetricField>::build::<#labels>(
                &<Self as #private::MetricsSet>::METRICS[#index],
            )?;
        }
    });
    let collects = set.metrics.iter().zip(&locals).filter_map(|(metric, local)| {
        let path = metric.collect?;
        Some(quote_spanned! {path.span()=> #private::collect_with(&#local, #path);})
    });
    let parts = set.metrics.iter().map(|metric| {
        let field = metric.field;
        quote_spanned!(metric.ty.span()=> #private::SetCollector::part(&self.#field))
    });
    let assertions = set.assertions.iter().map(|assertion| assertion_const(assertion, &private));

    let bounds = set
        .metrics
        .iter()
        .flat_map(|metric| metric_bound(metric, &private).into_iter().chain(label_bounds(metric, &private)));

    quote! {
        #[automatically_derived]
        impl #private::MetricsSet for #ident where #(#bounds,)* {
            const METRICS: &'static [#private::MetricDesc] = &[#(#descs),*];

            fn build() -> ::core::result::Result<Self, #private::Error> {
                #(#builds)*
                #(#collects)*
                ::core::result::Result::Ok(Self { #(#fields: #locals),* })
            }

            fn collector(&self) -> #private::SetCollector {
                #private::SetCollector::new([#(#parts),*])
            }
        }

        #methods

        #(#assertions)*
    }
}

/// The errors, a stub `MetricsSet` implementation and the recorder methods that could be
/// written, so that code using the set reports nothing but the real mistakes.
fn with_stub(ident: &Ident, krate: &TokenStream, errors: Errors, methods: TokenStream) -> TokenStream {
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

fn metric_desc(metric: &LoweredMetric<'_>, private: &TokenStream) -> TokenStream {
    let name = &metric.name;
    let help = &metric.help;
    let ty = &metric.ty;
    let labels = match metric.labels {
        MetricLabels::List(list) => {
            let names = list.iter().map(Label::exported);
            quote!(&[#(#names),*])
        }
        MetricLabels::Struct(path) => quote!(<#path as #private::NamedLabels>::NAMES),
    };
    let buckets = match &metric.buckets {
        Bounds::Given(values) => quote!(&[#(#values),*]),
        Bounds::Default => quote!(#private::DEFAULT_BUCKETS),
        Bounds::None => quote!(&[]),
    };
    let max_series = match metric.max_series {
        Some(limit) => {
            let limit = limit as usize;
            quote!(::core::option::Option::Some(#limit))
        }
        None => quote!(::core::option::Option::None),
    };
    let init = metric.init;
    let removable = metric.removable;
    let expire_after = match metric.expire_after {
        Some(count) => quote!(::core::option::Option::Some(#count)),
        None => quote!(::core::option::Option::None),
    };
    let exemplars = metric.exemplars;
    let unit = match &metric.unit {
        Some(unit) => quote!(::core::option::Option::Some(#unit)),
        None => quote!(::core::option::Option::None),
    };
    let field = metric.field.to_string();
    let native = match &metric.native {
        Some(native) => {
            let (schema, max_buckets) = (native.schema, native.max_buckets);
            // The threshold's bits: the literal then means exactly the number declared.
            let zero_threshold = native.zero_threshold.to_bits();
            quote!(::core::option::Option::Some(#private::Native {
                schema: #schema,
                max_buckets: #max_buckets,
                zero_threshold: ::core::primitive::f64::from_bits(#zero_threshold),
            }))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #private::MetricDesc {
            name: #name,
            help: #help,
            kind: <#ty as #private::MetricField>::KIND,
            labels: #labels,
            buckets: #buckets,
            max_series: #max_series,
            init: #init,
            removable: #removable,
            expire_after: #expire_after,
            unit: #unit,
            exemplars: #exemplars,
            native: #native,
            field: #field,
        }
    }
}

/// The type the recorder passes as its labels: the tuple `(Method, &str,)`, `()` without labels,
/// or the label struct as written.
fn label_set_type(labels: MetricLabels<'_>) -> TokenStream {
    match labels {
        MetricLabels::List(list) => {
            let types = list.iter().map(label_type);
            quote!((#(#types,)*))
        }
        MetricLabels::Struct(path) => quote!(#path),
    }
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
fn label_bounds<'m>(metric: &'m LoweredMetric<'_>, private: &'m TokenStream) -> impl Iterator<Item = TokenStream> + 'm {
    // A label struct's fields are bound where it derives `LabelSet`.
    let list = match metric.labels {
        MetricLabels::List(list) => list,
        MetricLabels::Struct(_) => &[],
    };
    list.iter().filter_map(|label| label.ty.as_ref()).filter(|ty| !borrows(quote!(#ty))).map(move |ty| {
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
fn metric_bound(metric: &LoweredMetric<'_>, private: &TokenStream) -> Option<TokenStream> {
    let ty = &metric.ty;
    let span = ty.span();
    let bound = match metric.bound.as_ref()? {
        MetricBound::Labelled => respan(quote!(#private::LabelledMetric), span),
        MetricBound::Plain => respan(quote!(#private::PlainMetric), span),
    };
    Some(quote_spanned! {span=> #ty: #bound})
}

/// A label's parameter name: the label's own (or the identifier closest to a name written as a
/// string), as a raw identifier when it is a keyword.
fn label_param(label: &Label) -> Ident {
    crate::names::param_ident(&label.name.unraw().to_string(), label.name.span())
}

/// What a recorder method's result being dropped is told: its series is to record on. An info
/// metric's recorder records by being called, and a type the derive does not know gets none.
fn must_use(kind: Option<Kind>) -> TokenStream {
    let methods = match kind {
        Some(Kind::Counter) => "`.inc()` or `.inc_by(n)`",
        Some(Kind::Gauge) => "`.set(v)`, `.inc()`, `.dec()`, `.add(v)` or `.sub(v)`",
        Some(Kind::Histogram) => "`.observe(v)`, `.observe_duration(d)` or `.start_timer()`",
        Some(Kind::Info) | None => return TokenStream::new(),
    };
    let message = format!("a recorder method returns the series and records nothing itself: call {methods} on it");
    quote!(#[must_use = #message])
}

/// For a labelled metric that is not removable, a `remove_<field>` that fails to compile with a
/// message naming `#[metric(removable)]`: without it rustc suggests the recorder method, which
/// compiles and creates the series meant to go. None when a field of the set has that name.
fn removal_trap(set: &LoweredSet<'_>, metric: &LoweredMetric<'_>, private: &TokenStream) -> Option<TokenStream> {
    let field = metric.field;
    let name = format!("remove_{}", field.unraw());
    if set.metrics.iter().any(|other| other.field.unraw() == name) {
        return None;
    }
    let remove = Ident::new(&name, field.span());
    let params: Vec<TokenStream> = match metric.labels {
        MetricLabels::List(list) => list
            .iter()
            .map(|label| {
                let ty = label_type(label);
                quote!(_: #ty)
            })
            .collect(),
        MetricLabels::Struct(path) => vec![quote!(_: #path)],
    };
    let vis = metric.vis;
    // The bound holds for no type; `for<'__solti>` keeps it from being checked here, where it
    // would fail the derive's own code, so that it fails at a call only.
    Some(quote_spanned! {field.span()=>
        #[doc(hidden)]
        #vis fn #remove(&self, #(#params),*) -> ::core::primitive::bool
        where
            for<'__solti> &'__solti Self: #private::DeclareRemovable,
        {
            false
        }
    })
}

fn recorder_methods(set: &LoweredSet<'_>, stub: bool) -> TokenStream {
    let ident = set.ident;
    let krate = &set.krate;
    let private = quote!(#krate::__private);
    let methods = set.metrics.iter().map(|metric| {
        let field = metric.field;
        let vis = metric.vis;
        let ty = &metric.ty;
        let doc = method_doc(metric);
        let series = quote!(<#ty as #private::MetricField>::Series);
        let must_use = must_use(metric.kind);
        if !metric.labelled {
            let (output, body) = if metric.exemplars {
                (quote!(#private::ExemplarSeries<'_, #series>), quote!(#private::exemplar_series(&self.#field, ())))
            } else {
                (quote!(&#ty), quote!(&self.#field))
            };
            let body = if stub { quote!(::core::unreachable!()) } else { body };
            return quote_spanned! {field.span()=>
                #[doc = #doc]
                #must_use
                #[inline]
                #vis fn #field(&self) -> #output {
                    #body
                }
            };
        }
        // A stub ignores its arguments: `_` keeps it free of unused-variable warnings and of a
        // second error for a label declared twice.
        let (params, args): (Vec<TokenStream>, TokenStream) = match metric.labels {
            MetricLabels::List(list) => {
                let params = list
                    .iter()
                    .map(|label| {
                        let param = if stub { Ident::new("_", label.name.span()) } else { label_param(label) };
                        let ty = label_type(label);
                        quote!(#param: #ty)
                    })
                    .collect();
                let args = list.iter().map(label_param);
                (params, quote!((#(#args,)*)))
            }
            MetricLabels::Struct(path) => {
                let param = if stub { Ident::new("_", path.span()) } else { Ident::new("labels", path.span()) };
                (vec![quote!(#param: #path)], quote!(labels))
            }
        };
        // `function(&self.field, labels)`, for a path to a function of `__private`.
        let call = |function: TokenStream| {
            if stub {
                quote!(::core::unreachable!())
            } else if let MetricLabels::Struct(path) = metric.labels {
                // Spanned at the struct's path: a struct that is no label set is an error there.
                respan(quote!(#private::#function(&self.#field, #args)), path.span())
            } else {
                quote!(#private::#function(&self.#field, #args))
            }
        };
        let bounds: Vec<TokenStream> =
            metric_bound(metric, &private).into_iter().chain(label_bounds(metric, &private)).collect();
        if metric.exemplars {
            let body = call(quote!(exemplar_series));
            return quote_spanned! {field.span()=>
                #[doc = #doc]
                #must_use
                #[inline]
                #vis fn #field(&self, #(#params),*) -> #private::ExemplarSeries<'_, #series>
                where #(#bounds,)*
                {
                    #body
                }
            };
        }
        if !metric.removable {
            let body = call(quote!(LabelledMetric::series));
            let trap = (!stub).then(|| removal_trap(set, metric, &private)).flatten();
            return quote_spanned! {field.span()=>
                #[doc = #doc]
                #must_use
                #[inline]
                #vis fn #field(&self, #(#params),*) -> &#series
                where #(#bounds,)*
                {
                    #body
                }

                #trap
            };
        }
        let (body, remove_body) = (call(quote!(LabelledMetric::lease)), call(quote!(LabelledMetric::remove)));
        let remove = format_ident!("remove_{}", field.unraw(), span = field.span());
        let remove_doc = format!(" Removes the series of `{}` with these labels; whether it existed.", metric.name);
        quote_spanned! {field.span()=>
            #[doc = #doc]
            #must_use
            #[inline]
            #vis fn #field(&self, #(#params),*) -> #private::Lease<'_, #series>
            where #(#bounds,)*
            {
                #body
            }

            #[doc = #remove_doc]
            #vis fn #remove(&self, #(#params),*) -> bool
            where #(#bounds,)*
            {
                #remove_body
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

fn method_doc(metric: &LoweredMetric<'_>) -> String {
    let kind = match metric.kind {
        Some(Kind::Counter) => "counter",
        Some(Kind::Gauge) => "gauge",
        Some(Kind::Histogram) => "histogram",
        Some(Kind::Info) => "info metric",
        None => "metric",
    };
    let labels = match metric.labels {
        MetricLabels::List([]) => "no labels".to_owned(),
        MetricLabels::List(labels) => {
            let names: Vec<String> = labels.iter().map(|label| format!("`{}`", label.exported())).collect();
            format!("labels {}", names.join(", "))
        }
        MetricLabels::Struct(path) => {
            format!("labels the fields of `{}`", path.to_token_stream().to_string().replace(' ', ""))
        }
    };
    let exemplars = if metric.exemplars { ", with exemplars" } else { "" };
    format!(" `{}`: {kind}, {labels}{exemplars}.\n\n {}", metric.name, metric.help)
}

/// A constant that fails the build with the assertion's message, at its span, when the rule
/// it stands for is broken.
fn assertion_const(assertion: &Assertion<'_>, private: &TokenStream) -> TokenStream {
    let span = assertion.span;
    let condition = match &assertion.condition {
        Condition::Histogram(ty) => quote_spanned! {span=>
            ::core::matches!(<#ty as #private::MetricField>::KIND, #private::MetricKind::Histogram)
        },
        Condition::NotHistogram(ty) => quote_spanned! {span=>
            !::core::matches!(<#ty as #private::MetricField>::KIND, #private::MetricKind::Histogram)
        },
        Condition::Counter(ty) => quote_spanned! {span=>
            ::core::matches!(<#ty as #private::MetricField>::KIND, #private::MetricKind::Counter)
        },
        Condition::NotGauge(ty) => quote_spanned! {span=>
            !::core::matches!(<#ty as #private::MetricField>::KIND, #private::MetricKind::Gauge)
        },
        Condition::OpenLabels(labels) => {
            let labels = label_set_type(*labels);
            quote_spanned! {span=> <#labels as #private::LabelSet>::DENSE_SLOTS == 0}
        }
        Condition::FewFixedLabels(MetricLabels::List(list), most) => {
            // Labels without a fixed set count once here: `FixedValues` names each of them.
            let types = list.iter().filter_map(|label| label.ty.as_ref());
            quote_spanned! {span=>
                #private::init_combinations(&[#(<#types as #private::LabelValue>::CARDINALITY),*]) <= #most
            }
        }
        Condition::FewFixedLabels(labels @ MetricLabels::Struct(_), most) => {
            let labels = label_set_type(*labels);
            quote_spanned! {span=>
                <#labels as #private::LabelSet>::DENSE_SLOTS > 0 && <#labels as #private::LabelSet>::DENSE_SLOTS <= #most
            }
        }
        Condition::FixedValues(ty) => quote_spanned! {span=>
            <#ty as #private::LabelValue>::CARDINALITY > 0
        },
        Condition::NoBucketLabel(ty, path) => quote_spanned! {span=>
            !#private::has_bucket_label(
                <#ty as #private::MetricField>::KIND,
                <#path as #private::NamedLabels>::NAMES,
            )
        },
    };
    let message = &assertion.message;
    quote_spanned! {span=>
        const _: () = ::core::assert!(#condition, #message);
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
                label_param(&Label { name: ident, ty: None, quoted: None }).to_string()
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
        let output = crate::metrics_set(&input).to_string();
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
        let output = crate::metrics_set(&input).to_string();
        assert!(output.contains("compile_error"), "{output}");
        assert!(!output.contains("impl"), "{output}");
    }
}
