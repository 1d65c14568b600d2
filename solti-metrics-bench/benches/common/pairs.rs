//! The label tuple of two open string labels (`shard`, `id`) as the peers declare it, shared by
//! the scrape, growth and memory comparisons (included with `#[path]`).

use measured::LabelGroup;
use paracord::ParaCord;
use prometheus_client::encoding::EncodeLabelSet;

/// measured's label group, interning both strings.
#[derive(Clone, Copy, LabelGroup)]
#[label(set = MeasuredPairSet)]
pub struct MeasuredPair<'a> {
    #[label(dynamic_with = ParaCord, default)]
    pub shard: &'a str,
    #[label(dynamic_with = ParaCord, default)]
    pub id: &'a str,
}

/// prometheus-client's label set.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClientPair {
    pub shard: String,
    pub id: String,
}
