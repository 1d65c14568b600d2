//! What a metric is: its description, its kind, and the rules a description must follow.

mod desc;
mod kind;
pub(crate) mod names;
pub(crate) mod rules;

pub use desc::MetricDesc;
pub use kind::MetricKind;
pub use names::{DEFAULT_BUCKETS, OVERFLOW_LABEL};
