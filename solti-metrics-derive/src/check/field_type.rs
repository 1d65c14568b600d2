//! What a field's type says: the metric type it names, or a `prometheus` type to replace.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned as _;
use syn::{Ident, Type};

use crate::check::{Kind, MetricType};
use crate::ctxt::Errors;

/// Reads the last segment of a field type's path: `IntCounterVec`, `solti_metrics::Gauge`, ...
pub(super) fn metric_type(ty: &Type) -> Option<MetricType<'_>> {
    let Type::Path(path) = ty else { return None };
    let segments = &path.path.segments;
    let last = segments.last()?;
    if !last.arguments.is_none() {
        return None;
    }
    let (kind, labelled) = match last.ident.to_string().as_str() {
        "Counter" | "IntCounter" => (Kind::Counter, false),
        "Gauge" | "IntGauge" => (Kind::Gauge, false),
        "Histogram" => (Kind::Histogram, false),
        "CounterVec" | "IntCounterVec" => (Kind::Counter, true),
        "GaugeVec" | "IntGaugeVec" => (Kind::Gauge, true),
        "HistogramVec" => (Kind::Histogram, true),
        "Info" => (Kind::Info, true),
        _ => return None,
    };
    let from_prometheus = segments.iter().take(segments.len() - 1).any(|segment| segment.ident == "prometheus");
    Some(MetricType { kind, labelled, name: &last.ident, from_prometheus })
}

/// Refuses a prometheus metric type, the likely slip when moving a hand-written set to the
/// derive, and gives the solti-metrics type of the same name in its place.
pub(super) fn prometheus_type(
    ty: &Type,
    metric_type: MetricType<'_>,
    krate: &TokenStream,
    errors: &mut Errors,
) -> Type {
    let name = metric_type.name;
    let written = path_text(ty);
    let krate_text = path_text(krate);
    // The whole path, not its first segment, is what to replace.
    errors.push(syn::Error::new_spanned(
        ty,
        format_args!(
            "`{written}` is prometheus' type; a field takes solti-metrics' type of the same name: write `{krate_text}::{name}`"
        ),
    ));
    let span = ty.span();
    let name = Ident::new(&name.to_string(), span);
    syn::parse_quote_spanned!(span=> #krate::#name)
}

/// A path as written, without spaces or generic arguments: `::solti_metrics`, `prometheus::Gauge`.
fn path_text(tokens: &impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string().replace(' ', "");
    text.strip_prefix("::").map_or_else(|| text.clone(), str::to_owned)
}
