//! `#[derive(LabelValue)]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, Ident};

use crate::ast::LabelEnum;
use crate::attr;
use crate::ctxt::Errors;

/// `#[derive(LabelValue)]`: the implementation, or the errors beside a stub.
pub fn label_value(input: &DeriveInput, parsed: Option<&LabelEnum<'_>>, errors: Errors) -> TokenStream {
    let private = match parsed.and_then(|parsed| parsed.krate.as_ref()) {
        Some(krate) => quote!(#krate::__private),
        None => {
            let krate = attr::default_crate();
            quote!(#krate::__private)
        }
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
    let indices_again = 0..count;
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

            fn from_label_index(__solti_index: ::core::primitive::usize) -> ::core::option::Option<Self> {
                match __solti_index {
                    #(#indices_again => ::core::option::Option::Some(Self::#variants),)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}
