//! `#[derive(LabelSet)]`.

use proc_macro2::TokenStream;
use quote::{ToTokens as _, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{DeriveInput, Ident};

use crate::attr;
use crate::check::LoweredLabelStruct;
use crate::ctxt::Errors;
use crate::expand::tokens::{borrows, respan};

/// `#[derive(LabelSet)]`: `LabelSet` and `NamedLabels` for the struct, or the errors beside a
/// stub of both. The dense index is the tuple's: the same chain of `dense_step`s over the
/// fields in order.
pub fn label_set(input: &DeriveInput, lowered: Option<&LoweredLabelStruct<'_>>, errors: Errors) -> TokenStream {
    let krate = match lowered {
        Some(lowered) => lowered.krate.clone(),
        None => attr::default_crate().to_token_stream(),
    };
    let private = quote!(#krate::__private);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let lowered = match (lowered, errors.finish()) {
        (Some(lowered), Ok(())) => lowered,
        (_, result) => {
            let errors = result.err().map(syn::Error::into_compile_error);
            if input.generics.type_params().next().is_some() || input.generics.const_params().next().is_some() {
                // A stub would need bounds the user cannot meet; the error says to drop them.
                return quote!(#errors);
            }
            return quote! {
                #errors

                #[automatically_derived]
                impl #impl_generics #private::LabelSet for #ident #ty_generics #where_clause {
                    const LEN: ::core::primitive::usize = 0;
                    const DENSE_SLOTS: ::core::primitive::usize = 0;

                    fn dense_index(&self) -> ::core::option::Option<::core::primitive::usize> {
                        ::core::unreachable!()
                    }

                    fn from_dense_index(_: ::core::primitive::usize) -> ::core::option::Option<Self> {
                        ::core::unreachable!()
                    }

                    fn push_key<__SoltiKey: #private::KeySink>(&self, _: &mut __SoltiKey) -> ::core::primitive::bool {
                        ::core::unreachable!()
                    }

                    fn hash_key<__SoltiHasher: ::core::hash::Hasher>(&self, _: &mut __SoltiHasher) {
                        ::core::unreachable!()
                    }
                }

                #[automatically_derived]
                impl #impl_generics #private::NamedLabels for #ident #ty_generics #where_clause {
                    const NAMES: &'static [&'static ::core::primitive::str] = &[];
                }
            };
        }
    };
    let fields: Vec<&Ident> = lowered.input.fields.iter().map(|field| field.ident).collect();
    let types: Vec<&syn::Type> = lowered.input.fields.iter().map(|field| field.ty).collect();
    let positions = 0..fields.len();
    let len = fields.len();
    let names = &lowered.names;
    // `Type: LabelValue` per field, spanned at the type: a field that is no label value is one
    // error at its type. Types with a reference or a lifetime are left out, as in a set's
    // `label_bounds`: two such bounds (`&'a str`, `&'b str`) make the impl ambiguous, and such a
    // type is a string slice that qualifies anyway.
    let bounds: Vec<TokenStream> = types
        .iter()
        .filter(|ty| !borrows(quote!(#ty)))
        .map(|ty| {
            let span = ty.span();
            let bound = respan(quote!(#private::LabelValue), span);
            quote_spanned! {span=> #ty: #bound}
        })
        .collect();
    let predicates = where_clause.into_iter().flat_map(|clause| &clause.predicates);
    let where_clause = quote!(where #(#predicates,)* #(#bounds,)*);
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::LabelSet for #ident #ty_generics #where_clause {
            const LEN: ::core::primitive::usize = #len;
            const DENSE_SLOTS: ::core::primitive::usize =
                #private::dense_slots(&[#(<#types as #private::LabelValue>::CARDINALITY),*]);

            #[inline]
            fn dense_index(&self) -> ::core::option::Option<::core::primitive::usize> {
                if <Self as #private::LabelSet>::DENSE_SLOTS == 0 {
                    return ::core::option::Option::None;
                }
                let __solti_index = 0;
                #(let __solti_index = #private::dense_step(__solti_index, &self.#fields)?;)*
                ::core::option::Option::Some(__solti_index)
            }

            fn from_dense_index(__solti_index: ::core::primitive::usize) -> ::core::option::Option<Self> {
                let __solti_slots = <Self as #private::LabelSet>::DENSE_SLOTS;
                if __solti_slots == 0 || __solti_index >= __solti_slots {
                    return ::core::option::Option::None;
                }
                let __solti_cardinalities = [#(<#types as #private::LabelValue>::CARDINALITY),*];
                ::core::option::Option::Some(Self {
                    #(#fields: <#types as #private::LabelValue>::from_label_index(
                        #private::dense_digit(__solti_index, &__solti_cardinalities, #positions),
                    )?,)*
                })
            }

            #[inline]
            fn hash_key<__SoltiHasher: ::core::hash::Hasher>(&self, __solti_state: &mut __SoltiHasher) {
                #(#private::LabelValue::hash_key(&self.#fields, __solti_state);)*
            }

            #[inline(always)]
            fn push_key<__SoltiKey: #private::KeySink>(&self, __solti_key: &mut __SoltiKey) -> ::core::primitive::bool {
                #(#private::LabelValue::push_key(&self.#fields, __solti_key) &&)* true
            }
        }

        #[automatically_derived]
        impl #impl_generics #private::NamedLabels for #ident #ty_generics #where_clause {
            const NAMES: &'static [&'static ::core::primitive::str] = &[#(#names),*];
        }
    }
}
