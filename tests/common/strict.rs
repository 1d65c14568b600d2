//! A strict reader of the text formats as this crate writes them (Prometheus 0.0.4 and 1.0.0,
//! OpenMetrics), for tests that check every exposition: each line is a comment it knows or a
//! well-formed sample, label values unescaped, names quoted or not; anything else is an error
//! naming the line.

use std::collections::{HashMap, HashSet};

/// One sample: its name, its labels in written order (values unescaped) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    /// The value of label `name`, if the sample has it.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(label, _)| label == name).map(|(_, value)| value.as_str())
    }

    /// The labels without `le`, sorted: what tells a histogram's series apart.
    pub fn series_labels(&self) -> Vec<(String, String)> {
        let mut labels: Vec<_> = self.labels.iter().filter(|(name, _)| name != "le").cloned().collect();
        labels.sort();
        labels
    }
}

/// Reads `text`; `openmetrics` when it is OpenMetrics (which ends in `# EOF` and may carry
/// exemplars after ` # `).
pub fn parse(text: &str, openmetrics: bool) -> Result<Vec<Sample>, String> {
    let mut samples = Vec::new();
    let mut eof = false;
    for line in text.split_inclusive('\n') {
        let line = line.strip_suffix('\n').ok_or_else(|| format!("a line without its line feed: {line:?}"))?;
        if eof {
            return Err(format!("a line after # EOF: {line:?}"));
        }
        if line == "# EOF" && openmetrics {
            eof = true;
            continue;
        }
        if let Some(comment) = line.strip_prefix("# ") {
            let keyword = comment.split(' ').next().unwrap_or("");
            if !matches!(keyword, "HELP" | "TYPE" | "UNIT") {
                return Err(format!("an unknown comment: {line:?}"));
            }
            continue;
        }
        samples.push(sample(line, openmetrics).map_err(|error| format!("{error} in {line:?}"))?);
    }
    if openmetrics && !eof {
        return Err("no # EOF".to_owned());
    }
    Ok(samples)
}

fn sample(line: &str, openmetrics: bool) -> Result<Sample, String> {
    let mut rest = line;
    let mut name = String::new();
    if !rest.starts_with('{') {
        let end = rest.find(['{', ' ']).ok_or("no value")?;
        name = rest[..end].to_owned();
        if !is_legacy(&name) {
            return Err(format!("an unquoted name that is not a legacy name: {name:?}"));
        }
        rest = &rest[end..];
    }
    let mut labels = Vec::new();
    if let Some(inner) = rest.strip_prefix('{') {
        rest = inner;
        let mut first = true;
        loop {
            if let Some(after) = rest.strip_prefix('}') {
                rest = after;
                break;
            }
            if !first {
                rest = rest.strip_prefix(',').ok_or("no comma between labels")?;
            }
            first = false;
            let (label, after) = if rest.starts_with('"') {
                let (quoted, after) = quoted(rest)?;
                if after.starts_with(',') || after.starts_with('}') {
                    // A quoted name alone, first in the braces: the metric's.
                    if !name.is_empty() || !labels.is_empty() {
                        return Err("a quoted metric name that is not first".to_owned());
                    }
                    name = quoted;
                    rest = after;
                    continue;
                }
                (quoted, after)
            } else {
                let end = rest.find('=').ok_or("a label without =")?;
                let label = rest[..end].to_owned();
                if !is_legacy(&label) || label.contains(':') {
                    return Err(format!("an unquoted label name that is not a legacy name: {label:?}"));
                }
                (label, &rest[end..])
            };
            let after = after.strip_prefix('=').ok_or("a label without =")?;
            let (value, after) = quoted(after)?;
            labels.push((label, value));
            rest = after;
        }
    }
    if name.is_empty() {
        return Err("no name".to_owned());
    }
    let rest = rest.strip_prefix(' ').ok_or("no space before the value")?;
    let (value, rest) = rest.split_once(' ').map_or((rest, None), |(value, rest)| (value, Some(rest)));
    let value = number(value)?;
    if let Some(rest) = rest {
        // A timestamp in the Prometheus text, an exemplar in OpenMetrics.
        if openmetrics {
            let exemplar = rest.strip_prefix("# {").ok_or("after the value, something that is no exemplar")?;
            let close = exemplar.find("} ").ok_or("an exemplar without its value")?;
            for field in exemplar[close + 2..].split(' ') {
                number(field)?;
            }
        } else {
            rest.parse::<i64>().map_err(|_| format!("a timestamp that is no integer: {rest:?}"))?;
        }
    }
    let mut names = HashSet::new();
    if !labels.iter().all(|(label, _)| names.insert(label.clone())) {
        return Err("a label twice".to_owned());
    }
    Ok(Sample { name, labels, value })
}

/// A quoted string at the start of `text`, unescaped (`\\`, `\"`, `\n`), and what follows it.
fn quoted(text: &str) -> Result<(String, &str), String> {
    let mut chars = text.strip_prefix('"').ok_or("no opening quote")?.char_indices();
    let mut value = String::new();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &text[at + 2..])),
            '\\' => match chars.next() {
                Some((_, '\\')) => value.push('\\'),
                Some((_, '"')) => value.push('"'),
                Some((_, 'n')) => value.push('\n'),
                other => return Err(format!("an unknown escape: {other:?}")),
            },
            '\n' => return Err("a raw line feed in a quoted string".to_owned()),
            c => value.push(c),
        }
    }
    Err("no closing quote".to_owned())
}

fn number(text: &str) -> Result<f64, String> {
    match text {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => text.parse().map_err(|_| format!("not a number: {text:?}")),
    }
}

fn is_legacy(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A series' labels, sorted.
type Labels = Vec<(String, String)>;

/// Checks what every exposition must hold: no series twice, and each histogram's buckets
/// cumulative with `_count` equal to the `+Inf` bucket; `histograms` are the histograms' names.
pub fn check_invariants(samples: &[Sample], histograms: &[&str]) -> Result<(), String> {
    let mut seen = HashSet::new();
    for sample in samples {
        let mut labels = sample.labels.clone();
        labels.sort();
        if !seen.insert((sample.name.clone(), labels)) {
            return Err(format!("a series twice: {sample:?}"));
        }
    }
    for histogram in histograms {
        let mut buckets: HashMap<Labels, Vec<(f64, f64)>> = HashMap::new();
        let mut counts = HashMap::new();
        for sample in samples {
            if sample.name == format!("{histogram}_bucket") {
                let bound = number(sample.label("le").ok_or("a bucket without le")?)?;
                buckets.entry(sample.series_labels()).or_default().push((bound, sample.value));
            } else if sample.name == format!("{histogram}_count") {
                counts.insert(sample.series_labels(), sample.value);
            }
        }
        for (labels, buckets) in &buckets {
            if !buckets.windows(2).all(|pair| pair[0].0 < pair[1].0 && pair[0].1 <= pair[1].1) {
                return Err(format!("{histogram}{labels:?}: buckets not cumulative: {buckets:?}"));
            }
            let infinite = buckets.last().filter(|(bound, _)| *bound == f64::INFINITY).map(|(_, count)| *count);
            if infinite.is_none() || infinite != counts.get(labels).copied() {
                return Err(format!("{histogram}{labels:?}: +Inf {infinite:?}, count {:?}", counts.get(labels)));
            }
        }
        if buckets.len() != counts.len() {
            return Err(format!("{histogram}: {} series of buckets, {} counts", buckets.len(), counts.len()));
        }
    }
    Ok(())
}
