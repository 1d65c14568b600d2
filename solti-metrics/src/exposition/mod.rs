//! The exposition: every format a registry writes, each in a file of its own, and the choice
//! among them. It reads series through [`Reading`](crate::series::Reading) alone and knows
//! nothing of families or registries.

#[cfg(feature = "prometheus")]
pub(crate) mod foreign;
mod format;
pub(crate) mod number;
pub(crate) mod protobuf;
pub(crate) mod text;

pub(crate) use format::Text;
pub use format::{ContentType, Escaping, Format};
