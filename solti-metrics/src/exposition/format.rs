//! The exposition formats, and which one a scraper asks for.

/// An exposition format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    #[default]
    Prometheus,
    /// The OpenMetrics text format, version 1.0.0.
    OpenMetrics,
    /// Prometheus' protobuf format: length-delimited `io.prometheus.client.MetricFamily`
    /// messages (`metrics.proto` of Prometheus' client model), which Prometheus asks for first
    /// when native histograms or created timestamps are on.
    Protobuf,
}

/// The text formats, as the text writer tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// The Prometheus text format, version 0.0.4.
    Prometheus,
    /// The OpenMetrics text format, version 1.0.0.
    OpenMetrics,
}

impl Format {
    /// The format to answer a request with, from its `Accept` header: the media type it
    /// accepts most (by `q`; at equal `q` a named type before a wildcard, then the first in the
    /// header, as the Go client chooses), among Prometheus' protobuf
    /// (`application/vnd.google.protobuf` with `proto=io.prometheus.client.MetricFamily` and
    /// `encoding=delimited`), OpenMetrics (`application/openmetrics-text`, version 1.0.0 or
    /// unversioned) and the Prometheus text (`text/plain`, `text/*`, `*/*`). The Prometheus
    /// text without a header, or when the header names none of them: a malformed header is
    /// never an error.
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
        let Some(accept) = accept else { return Self::Prometheus };
        // The best so far: its quality and specificity (a wildcard ranks below a named type),
        // and the format.
        let mut best: Option<((f32, u8), Self)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let (mut quality, mut version, mut proto, mut encoding) = (1.0f32, None, None, None);
            for parameter in parts {
                let (key, value) = parameter.split_once('=').unwrap_or((parameter, ""));
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => quality = value.parse().ok().filter(|q: &f32| (0.0..=1.0).contains(q)).unwrap_or(0.0),
                    "version" => version = Some(value),
                    "proto" => proto = Some(value),
                    "encoding" => encoding = Some(value),
                    _ => {}
                }
            }
            let format = match media.as_str() {
                "application/vnd.google.protobuf"
                    if proto == Some("io.prometheus.client.MetricFamily") && encoding == Some("delimited") =>
                {
                    Self::Protobuf
                }
                "application/openmetrics-text" if version.is_none_or(|v| v == "1.0.0") => Self::OpenMetrics,
                "text/plain" | "text/*" | "*/*" => Self::Prometheus,
                _ => continue,
            };
            let rank = (quality, media.matches('*').count() as u8);
            let rank = (rank.0, 2 - rank.1.min(2));
            if quality > 0.0 && best.is_none_or(|(best, _)| rank > best) {
                best = Some((rank, format));
            }
        }
        best.map_or(Self::Prometheus, |(_, format)| format)
    }

    /// The `Content-Type` of an exposition in this format.
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Self::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Self::Protobuf => {
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
            }
        }
    }

    /// The text format this is, `None` for protobuf.
    pub(crate) const fn text(self) -> Option<Text> {
        match self {
            Self::Prometheus => Some(Text::Prometheus),
            Self::OpenMetrics => Some(Text::OpenMetrics),
            Self::Protobuf => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The media ranges a scraper may name, with the format each stands for (`None`: none).
    const RANGES: [(&str, Option<Format>, u8); 8] = [
        (
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
            Some(Format::Protobuf),
            2,
        ),
        ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text", None, 2),
        ("application/openmetrics-text;version=1.0.0", Some(Format::OpenMetrics), 2),
        ("application/openmetrics-text", Some(Format::OpenMetrics), 2),
        ("application/openmetrics-text;version=2.0.0", None, 2),
        ("text/plain;version=0.0.4", Some(Format::Prometheus), 2),
        ("text/*", Some(Format::Prometheus), 1),
        ("*/*", Some(Format::Prometheus), 0),
    ];

    /// A header of a megabyte is read through, range by range.
    #[test]
    fn a_huge_header_is_read_through() {
        let mut header = "text/plain;q=0.1,".repeat(64 * 1024);
        header.push_str("application/openmetrics-text;q=0.2");
        assert!(header.len() > 1 << 20);
        assert_eq!(Format::negotiate(Some(&header)), Format::OpenMetrics);
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
        assert_eq!(Format::negotiate(Some("application/openmetrics-text")), Format::OpenMetrics);
        assert_eq!(Format::negotiate(Some("application/openmetrics-text; version=0.0.1")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("text/plain, application/openmetrics-text;q=0.5")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("application/openmetrics-text;q=0")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Prometheus);
        assert_eq!(Format::negotiate(Some("garbage;;q=x,,")), Format::Prometheus);
        assert!(Format::OpenMetrics.content_type().starts_with("application/openmetrics-text; version=1.0.0"));

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
        assert_eq!(Format::negotiate(Some(&format!("application/openmetrics-text,{protobuf}"))), Format::OpenMetrics);
        assert_eq!(Format::negotiate(Some(&format!("{protobuf},application/openmetrics-text"))), Format::Protobuf);
        // At equal quality a named type ranks above a wildcard.
        assert_eq!(Format::negotiate(Some("*/*,application/openmetrics-text")), Format::OpenMetrics);
        assert_eq!(Format::negotiate(Some("text/plain,application/openmetrics-text")), Format::Prometheus);
        // A quality out of range counts as none.
        assert_eq!(Format::negotiate(Some(&format!("{protobuf};q=7,text/plain;q=0.1"))), Format::Prometheus);
        // Prometheus 2.42 with `--enable-feature=native-histograms`.
        let prometheus = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(Format::negotiate(Some(prometheus)), Format::Protobuf);
    }
}
