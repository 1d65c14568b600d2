//! Collects every error of one derive, so a user who made three mistakes sees three messages.

use std::fmt::Display;

use proc_macro2::Span;

/// The errors found so far.
#[derive(Default)]
pub struct Errors {
    first: Option<syn::Error>,
}

impl Errors {
    /// Records an error at `span`.
    pub fn error(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records `error` (which may itself hold several).
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.first {
            Some(first) => first.combine(error),
            None => self.first = Some(error),
        }
    }

    /// Whether any error was recorded.
    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// `Ok` when nothing was recorded, else every error combined.
    pub fn finish(self) -> syn::Result<()> {
        self.first.map_or(Ok(()), Err)
    }
}
