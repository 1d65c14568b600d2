//! The exposition formats, how names are escaped, and which of them a scraper asks for.

pub use crate::metric::names::Escaping;

/// An exposition format.
///
/// The versions of a text format differ in their `Content-Type` alone: what tells a scraper
/// how names that are not legacy names are written is the [`Escaping`] beside the format in a
/// [`ContentType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    #[default]
    Prometheus,
    /// The Prometheus text format, version 1.0.0 (Prometheus 3): 0.0.4 with names in quotes
    /// where they need them.
    PrometheusV1,
    /// The OpenMetrics text format, version 1.0.0.
    OpenMetrics,
    /// The OpenMetrics text format, version 0.0.1: written as 1.0.0, answered with its own
    /// `Content-Type`.
    OpenMetricsV0,
    /// Prometheus' protobuf format: length-delimited `io.prometheus.client.MetricFamily`
    /// messages (`metrics.proto` of Prometheus' client model), which Prometheus asks for first
    /// when native histograms or created timestamps are on.
    Protobuf,
}

/// The text formats, as the text writer tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// The Prometheus text format.
    Prometheus,
    /// The OpenMetrics text format.
    OpenMetrics,
}

/// What an exposition is answered with: a format, and how names that are not legacy names are
/// escaped in it. Its [`header`](Self::header) is the response's `Content-Type`.
///
/// ```
/// use solti_metrics::{ContentType, Escaping, Format};
///
/// // What Prometheus 3 sends.
/// let accept = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
/// let answer = ContentType::negotiate(Some(accept));
/// assert_eq!(answer, ContentType::new(Format::OpenMetrics, Escaping::AllowUtf8));
/// assert_eq!(answer.header(), "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8");
/// // What Prometheus 2 sends: names escaped with underscores.
/// let accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/// assert_eq!(ContentType::negotiate(Some(accept)), ContentType::new(Format::OpenMetrics, Escaping::Underscores));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ContentType {
    /// The format.
    pub format: Format,
    /// How names that are not legacy names are written.
    pub escaping: Escaping,
}

impl ContentType {
    /// `format` with `escaping`.
    pub const fn new(format: Format, escaping: Escaping) -> Self {
        Self { format, escaping }
    }

    /// What to answer a request with, from its `Accept` header, as the Go client answers it
    /// (`expfmt.NegotiateIncludingOpenMetrics`, with the text format 1.0.0 besides).
    ///
    /// The media ranges are taken by `q`, highest first (at equal `q` a named type before a
    /// wildcard, then the first in the header); the first range that names a format this crate
    /// writes chooses it: protobuf (`application/vnd.google.protobuf` with
    /// `proto=io.prometheus.client.MetricFamily` and `encoding=delimited`), OpenMetrics
    /// (`application/openmetrics-text`, version 1.0.0, or 0.0.1, the version when none is
    /// given), the Prometheus text (`text/plain`, version 0.0.4, the version when none is
    /// given, or 1.0.0; `text/*` and `*/*`, as `curl` sends it, for 0.0.4). The escaping is the last
    /// known `escaping=` among the ranges taken up to the chosen one, `underscores` when none
    /// names one. The Prometheus text 0.0.4 without a header, or when the header names no
    /// format: a malformed header, an unknown escaping or version is never an error.
    pub fn negotiate(accept: Option<&str>) -> Self {
        let Some(accept) = accept else { return Self::default() };
        // Each range with its rank: quality, then specificity (a wildcard ranks below a named
        // type); a stable sort keeps the header's order among equals.
        let mut ranges: Vec<(f32, u8, Option<Format>, Option<Escaping>)> = Vec::new();
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let (mut quality, mut version, mut proto, mut encoding, mut escaping) = (1.0f32, None, None, None, None);
            for parameter in parts {
                let (key, value) = parameter.split_once('=').unwrap_or((parameter, ""));
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => quality = value.parse().ok().filter(|q: &f32| (0.0..=1.0).contains(q)).unwrap_or(0.0),
                    "version" => version = Some(value),
                    "proto" => proto = Some(value),
                    "encoding" => encoding = Some(value),
                    "escaping" => escaping = Escaping::from_param(value),
                    _ => {}
                }
            }
            if quality <= 0.0 {
                continue;
            }
            let format = match media.as_str() {
                "application/vnd.google.protobuf"
                    if proto == Some("io.prometheus.client.MetricFamily") && encoding == Some("delimited") =>
                {
                    Some(Format::Protobuf)
                }
                "application/openmetrics-text" => match version {
                    Some("1.0.0") => Some(Format::OpenMetrics),
                    None | Some("0.0.1") => Some(Format::OpenMetricsV0),
                    _ => None,
                },
                "text/plain" => match version {
                    None | Some("0.0.4") => Some(Format::Prometheus),
                    Some("1.0.0") => Some(Format::PrometheusV1),
                    _ => None,
                },
                "text/*" | "*/*" => Some(Format::Prometheus),
                _ => None,
            };
            let specificity = 2 - media.matches('*').count().min(2) as u8;
            ranges.push((quality, specificity, format, escaping));
        }
        ranges.sort_by(|a, b| (b.0, b.1).partial_cmp(&(a.0, a.1)).unwrap_or(core::cmp::Ordering::Equal));
        let mut escaping = Escaping::default();
        for (_, _, format, named) in ranges {
            escaping = named.unwrap_or(escaping);
            if let Some(format) = format {
                return Self { format, escaping };
            }
        }
        Self { format: Format::Prometheus, escaping }
    }

    /// The `Content-Type` of an exposition in this format and escaping, as the Go client
    /// writes it.
    pub const fn header(self) -> &'static str {
        macro_rules! each_escaping {
            ($media:literal) => {
                match self.escaping {
                    Escaping::AllowUtf8 => concat!($media, "; escaping=allow-utf-8"),
                    Escaping::Underscores => concat!($media, "; escaping=underscores"),
                    Escaping::Dots => concat!($media, "; escaping=dots"),
                    Escaping::Values => concat!($media, "; escaping=values"),
                }
            };
        }
        match self.format {
            Format::Prometheus => each_escaping!("text/plain; version=0.0.4; charset=utf-8"),
            Format::PrometheusV1 => each_escaping!("text/plain; version=1.0.0; charset=utf-8"),
            Format::OpenMetrics => each_escaping!("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            Format::OpenMetricsV0 => each_escaping!("application/openmetrics-text; version=0.0.1; charset=utf-8"),
            Format::Protobuf => each_escaping!(
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
            ),
        }
    }
}

impl From<Format> for ContentType {
    /// The format with names escaped with underscores, the default.
    fn from(format: Format) -> Self {
        Self::new(format, Escaping::default())
    }
}

impl Format {
    /// The format to answer a request with, from its `Accept` header: the format of
    /// [`ContentType::negotiate`], which says how to escape names too.
    ///
    /// ```
    /// use solti_metrics::Format;
    ///
    /// // What Prometheus 2 sends when it may scrape OpenMetrics.
    /// let accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::negotiate(Some(accept)), Format::OpenMetrics);
    /// // And with native histograms on.
    /// let accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    /// assert_eq!(Format::negotiate(Some(accept)), Format::Protobuf);
    /// assert_eq!(Format::negotiate(Some("text/plain;version=0.0.4")), Format::Prometheus);
    /// assert_eq!(Format::negotiate(None), Format::Prometheus);
    /// ```
    pub fn negotiate(accept: Option<&str>) -> Self {
        ContentType::negotiate(accept).format
    }

    /// The `Content-Type` of an exposition in this format, names escaped with underscores.
    pub const fn content_type(self) -> &'static str {
        ContentType::new(self, Escaping::Underscores).header()
    }

    /// The text format this is, `None` for protobuf.
    pub(crate) const fn text(self) -> Option<Text> {
        match self {
            Self::Prometheus | Self::PrometheusV1 => Some(Text::Prometheus),
            Self::OpenMetrics | Self::OpenMetricsV0 => Some(Text::OpenMetrics),
            Self::Protobuf => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The media ranges a scraper may name, with the format each stands for (`None`: none).
    const RANGES: [(&str, Option<Format>, u8); 11] = [
        (
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
            Some(Format::Protobuf),
            2,
        ),
        ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text", None, 2),
        ("application/openmetrics-text;version=1.0.0", Some(Format::OpenMetrics), 2),
        ("application/openmetrics-text", Some(Format::OpenMetricsV0), 2),
        ("application/openmetrics-text;version=0.0.1", Some(Format::OpenMetricsV0), 2),
        ("application/openmetrics-text;version=2.0.0", None, 2),
        ("text/plain;version=0.0.4", Some(Format::Prometheus), 2),
        ("text/plain;version=1.0.0", Some(Format::PrometheusV1), 2),
        ("text/plain;version=3", None, 2),
        ("text/*", Some(Format::Prometheus), 1),
        ("*/*", Some(Format::Prometheus), 0),
    ];

    /// A header of a megabyte is read through, range by range.
    #[test]
    fn a_huge_header_is_read_through() {
        let mut header = "text/plain;q=0.1,".repeat(64 * 1024);
        header.push_str("application/openmetrics-text;version=1.0.0;escaping=dots;q=0.2");
        assert!(header.len() > 1 << 20);
        assert_eq!(ContentType::negotiate(Some(&header)), ContentType::new(Format::OpenMetrics, Escaping::Dots));
    }

    proptest! {
        /// Any header, of any length and bytes: a format, never a panic.
        #[test]
        fn any_header_gets_a_format(header in ".{0,300}") {
            let _ = Format::negotiate(Some(&header));
        }

        /// A header of known ranges with qualities: the range of the highest quality, at equal
        /// quality the more specific, then the first; the Prometheus text when none is accepted.
        #[test]
        fn the_best_range_wins(ranges in prop::collection::vec((0..RANGES.len(), 0u8..=10, any::<bool>()), 0..6)) {
            let mut header = Vec::new();
            let mut best: Option<((u8, u8), Format)> = None;
            for &(range, tenths, with_q) in &ranges {
                let (media, format, specificity) = RANGES[range];
                let quality = if with_q { tenths } else { 10 };
                header.push(if with_q { format!("{media};q={}", f32::from(tenths) / 10.0) } else { media.to_owned() });
                if let Some(format) = format {
                    if quality > 0 && best.is_none_or(|(rank, _)| (quality, specificity) > rank) {
                        best = Some(((quality, specificity), format));
                    }
                }
            }
            let expected = best.map_or(Format::Prometheus, |(_, format)| format);
            prop_assert_eq!(Format::negotiate(Some(&header.join(", "))), expected, "{}", header.join(", "));
        }
    }

    #[test]
    fn negotiation() {
        assert_eq!(Format::negotiate(Some("application/openmetrics-text")), Format::OpenMetricsV0);
        assert_eq!(Format::negotiate(Some("application/openmetrics-text; version=0.0.1")), Format::OpenMetricsV0);
        assert_eq!(Format::negotiate(Some("application/openmetrics-text; version=1.0.0")), Format::OpenMetrics);
        assert_eq!(Format::negotiate(Some("text/plain, application/openmetrics-text;q=0.5")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("garbage;;q=x,,")), Format::Prometheus);
        assert_eq!(
            Format::OpenMetrics.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores"
        );
        assert_eq!(Format::Prometheus.content_type(), "text/plain; version=0.0.4; charset=utf-8; escaping=underscores");

        // Protobuf only with both parameters, and as any other range by quality.
        let protobuf = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
        assert_eq!(Format::negotiate(Some(protobuf)), Format::Protobuf);
        assert_eq!(Format::negotiate(Some("application/vnd.google.protobuf;encoding=delimited")), Format::Prometheus);
        assert_eq!(
            Format::negotiate(Some(
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text"
            )),
            Format::Prometheus
        );
        assert_eq!(Format::negotiate(Some(&format!("{protobuf};q=0.4,text/plain;q=0.5"))), Format::Prometheus);
        assert_eq!(Format::negotiate(Some(&format!("text/plain;q=0.5,{protobuf};q=0.6"))), Format::Protobuf);
        // Equal quality: the first named wins.
        assert_eq!(Format::negotiate(Some(&format!("application/openmetrics-text,{protobuf}"))), Format::OpenMetricsV0);
        assert_eq!(Format::negotiate(Some(&format!("{protobuf},application/openmetrics-text"))), Format::Protobuf);
        // At equal quality a named type ranks above a wildcard.
        assert_eq!(Format::negotiate(Some("*/*,application/openmetrics-text")), Format::OpenMetricsV0);
        assert_eq!(Format::negotiate(Some("text/plain,application/openmetrics-text")), Format::Prometheus);
        // A quality out of range counts as none.
        assert_eq!(Format::negotiate(Some(&format!("{protobuf};q=7,text/plain;q=0.1"))), Format::Prometheus);
        // Prometheus 2.42 with `--enable-feature=native-histograms`.
        let prometheus = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(Format::negotiate(Some(prometheus)), Format::Protobuf);
    }

    /// The escaping: the last known one named among the ranges taken up to the chosen one.
    #[test]
    fn escaping() {
        let negotiate = |accept: &str| ContentType::negotiate(Some(accept));
        let answer = |format, escaping| ContentType::new(format, escaping);
        // Prometheus 3's header, and with protobuf first.
        let prometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(negotiate(prometheus3), answer(Format::OpenMetrics, Escaping::AllowUtf8));
        let protobuf = format!(
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;escaping=allow-utf-8;q=0.7,{prometheus3}"
        );
        assert_eq!(negotiate(&protobuf), answer(Format::Protobuf, Escaping::AllowUtf8));
        assert_eq!(
            negotiate("text/plain;version=1.0.0;escaping=allow-utf-8"),
            answer(Format::PrometheusV1, Escaping::AllowUtf8)
        );
        // Prometheus 2's: none named.
        let prometheus2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(negotiate(prometheus2), answer(Format::OpenMetrics, Escaping::Underscores));
        for scheme in Escaping::ALL {
            let accept = format!("text/plain;version=0.0.4;escaping={}", scheme.as_str());
            assert_eq!(negotiate(&accept), answer(Format::Prometheus, scheme));
            assert!(answer(Format::Prometheus, scheme).header().ends_with(&format!("; escaping={}", scheme.as_str())));
        }
        // Named by a range taken before, whose format is not written here.
        assert_eq!(
            negotiate("application/openmetrics-text;version=2.0.0;escaping=dots,text/plain;q=0.5"),
            answer(Format::Prometheus, Escaping::Dots)
        );
        // Not by a range after the chosen one, nor by an unknown value, nor with q=0.
        assert_eq!(
            negotiate("text/plain,application/openmetrics-text;escaping=allow-utf-8;q=0.5"),
            answer(Format::Prometheus, Escaping::Underscores)
        );
        assert_eq!(negotiate("text/plain;escaping=utf8"), answer(Format::Prometheus, Escaping::Underscores));
        assert_eq!(
            negotiate("text/plain;escaping=dots;q=0,application/openmetrics-text;q=0.5"),
            answer(Format::OpenMetricsV0, Escaping::Underscores)
        );
        assert_eq!(negotiate("image/png;escaping=values"), answer(Format::Prometheus, Escaping::Values));
        assert_eq!(ContentType::negotiate(None), answer(Format::Prometheus, Escaping::Underscores));
    }
}
