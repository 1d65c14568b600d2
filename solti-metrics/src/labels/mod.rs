//! Labels: a typed label value ([`LabelValue`]), a tuple or struct of them ([`LabelSet`]), and
//! the key a series is found by.

pub(crate) mod escape;
pub(crate) mod key;
pub(crate) mod packed;
mod set;
mod value;

pub(crate) use set::packed_key;
pub use set::{LabelSet, MAX_DENSE_SLOTS, NamedLabels, dense_digit, dense_slots, dense_step};
pub use value::{LabelStr, LabelValue};
