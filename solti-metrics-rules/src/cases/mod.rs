//! The cases of the agreement test: each rule declared once through the derive and once as a
//! hand-written description, with the verdict both must give.
//!
//! The derive's side runs in `solti-metrics-derive` (each case's struct through the derive's
//! checks), the runtime's in the workspace's `tests/rules_agree.rs` (each case's description
//! through `Family::new`), and [`check`](crate::check) here: all three against the same
//! expected verdict, so they agree with each other.

mod table;

pub use table::CASES;

use crate::options::{Combinations, NativeOptions, combinations};
use crate::{Declaration, Kind, Rule, Violation, check};

/// One declaration and its verdict.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// What goes in the set's `#[metrics(..)]` (`namespace = "app"`); empty for no attribute.
    /// The runtime's side reads [`name`](Self::name), the full name it makes.
    pub set: &'static str,
    /// The field's name.
    pub field: &'static str,
    /// The field's type: `IntCounter`, `HistogramVec`, `Info`, ...
    pub ty: &'static str,
    /// What goes in `#[metric(..)]`; empty for no attribute.
    pub attrs: &'static str,
    /// The doc comment, the help text; empty for none.
    pub help: &'static str,
    /// The exported name, as the runtime's description holds it.
    pub name: &'static str,
    /// The label names and their types, as a recorder method takes them: `&str`, `bool`,
    /// `u8`, `u16`, `u32`.
    pub labels: &'static [(&'static str, &'static str)],
    /// The bucket bounds of the description (empty: the default ones).
    pub buckets: &'static [f64],
    /// `max_series`.
    pub max_series: Option<u64>,
    /// `unit`.
    pub unit: Option<&'static str>,
    /// `init`.
    pub init: bool,
    /// `removable`.
    pub removable: bool,
    /// `expire_after`.
    pub expire_after: Option<u64>,
    /// `exemplars`.
    pub exemplars: bool,
    /// `collect`: given after the family is built (`collect_with`), which only families
    /// without labels of counters and gauges have, so the runtime's types apply this rule and
    /// `Family::new` never sees it.
    pub collect: bool,
    /// `native`'s options.
    pub native: Option<NativeOptions>,
    /// `None` when both accept it, else the rule and the message both give.
    pub verdict: Option<(Rule, &'static str)>,
}

impl Case {
    /// The kind of the field's type, and whether it takes labels.
    pub fn kind(&self) -> (Kind, bool) {
        let labelled = self.ty.ends_with("Vec") || self.ty == "Info";
        let kind = match self.ty.trim_end_matches("Vec") {
            "Counter" | "IntCounter" => Kind::Counter,
            "Gauge" | "IntGauge" => Kind::Gauge,
            "Histogram" => Kind::Histogram,
            _ => Kind::Info,
        };
        (kind, labelled)
    }

    /// The label names, in declared order.
    pub fn label_names(&self) -> Vec<&'static str> {
        self.labels.iter().map(|&(name, _)| name).collect()
    }

    /// What [`check`] says of the case's description, the label types' combinations read
    /// from their names.
    pub fn check(&self) -> Vec<Violation> {
        let cardinalities: Vec<usize> = self
            .labels
            .iter()
            .map(|&(_, ty)| match ty {
                "bool" => 2,
                "u8" => 256,
                "u16" => 65536,
                _ => 0,
            })
            .collect();
        let combinations = match cardinalities.iter().position(|&cardinality| cardinality == 0) {
            Some(label) => Combinations::Open { label: Some(label) },
            None => Combinations::Fixed(combinations(&cardinalities)),
        };
        let (kind, labelled) = self.kind();
        let labels = self.label_names();
        check(&Declaration {
            name: self.name,
            help: self.help,
            field: self.field,
            kind,
            labelled,
            labels: &labels,
            buckets: self.buckets,
            max_series: self.max_series,
            unit: self.unit,
            init: self.init,
            combinations,
            removable: self.removable || self.expire_after.is_some(),
            expire_after: self.expire_after,
            exemplars: self.exemplars,
            collect: self.collect,
            native: self.native,
        })
    }

    /// A case of a counter without labels named `requests_total`, accepted, to change.
    pub(crate) const fn base() -> Self {
        Self {
            set: "",
            field: "requests_total",
            ty: "IntCounter",
            attrs: "",
            help: "Requests served.",
            name: "requests_total",
            labels: &[],
            buckets: &[],
            max_series: None,
            unit: None,
            init: false,
            removable: false,
            expire_after: None,
            exemplars: false,
            collect: false,
            native: None,
            verdict: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check` gives every case its verdict: nothing, or exactly the one violation.
    #[test]
    fn check_gives_each_case_its_verdict() {
        for case in CASES {
            let found: Vec<(Rule, String)> =
                case.check().into_iter().map(|violation| (violation.rule, violation.message)).collect();
            let expected: Vec<(Rule, String)> =
                case.verdict.iter().map(|&(rule, message)| (rule, message.to_owned())).collect();
            assert_eq!(found, expected, "{case:?}");
        }
    }

    /// Every rule has a case it refuses.
    #[test]
    fn every_rule_has_a_case() {
        for rule in Rule::ALL {
            assert!(CASES.iter().any(|case| case.verdict.is_some_and(|(refused, _)| refused == rule)), "{rule:?}");
        }
    }
}
