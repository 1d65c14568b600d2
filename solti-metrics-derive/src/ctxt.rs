//! Collects every error of one derive, so a user who made three mistakes sees three messages.

use std::fmt::Display;

use proc_macro2::Span;

/// The errors found so far.
#[derive(Default)]
pub struct Errors {
    first: Option<syn::Error>,
    count: usize,
}

impl Errors {
    /// Records an error at `span`.
    pub fn error(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records `error` (which may itself hold several).
    pub fn push(&mut self, error: syn::Error) {
        self.count += (&error).into_iter().count();
        match &mut self.first {
            Some(first) => first.combine(error),
            None => self.first = Some(error),
        }
    }

    /// How many errors were recorded so far: a stage compares counts to tell whether a part of
    /// the input had a mistake.
    pub fn count(&self) -> usize {
        self.count
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
