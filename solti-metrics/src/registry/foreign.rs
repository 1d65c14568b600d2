//! A [`Registry`] carrying `prometheus` collectors beside its sets, and everything it holds as
//! `prometheus` protobuf families (feature `prometheus`).

use std::collections::BTreeMap;
use std::iter::Peekable;

use prometheus::core::Collector;
use prometheus::proto::MetricFamily;

use crate::error::Error;
use crate::exposition::Format;
use crate::exposition::foreign::{proto_label, write_foreign_family, write_foreign_protobuf};
use crate::family::RegistryParts;
use crate::registry::Registry;

impl Registry {
    /// Adds a `prometheus` collector (a library's own metrics): its families are part of the
    /// exposition, with the registry's prefix and constant labels.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyRegistered`] when one of its metric names is already exported here.
    pub fn register_collector(&self, collector: Box<dyn Collector>) -> Result<(), Error> {
        let mut state = self.write();
        let owner = format!("collector `{}`", collector.desc().first().map_or("", |desc| desc.fq_name.as_str()));
        let names: Vec<String> = collector.desc().iter().map(|desc| desc.fq_name.clone()).collect();
        for name in &names {
            if let Some(existing) = state.owners.get(name) {
                return Err(Error::AlreadyRegistered { series: name.clone(), new: owner, existing: existing.clone() });
            }
        }
        for name in names {
            state.owners.insert(name, owner.clone());
        }
        state.collectors.push(collector);
        Ok(())
    }

    /// Everything registered as `prometheus` protobuf families, as
    /// `prometheus::Registry::gather` returns them: for the `ProtobufEncoder`, or any code
    /// that takes `MetricFamily` values.
    pub fn gather(&self) -> Vec<MetricFamily> {
        let state = self.read();
        let mut families = gather(&state.collectors);
        for registered in &state.sets {
            families.extend(registered.set.families.iter().filter_map(|family| family.proto()));
        }
        families.sort_by(|a, b| a.name().cmp(b.name()));
        for family in &mut families {
            let name = match &state.prefix {
                Some(prefix) => format!("{prefix}_{}", family.name()),
                None => family.name().to_owned(),
            };
            // `prometheus` knows legacy names alone: a UTF-8 name as a scraper that names no
            // escaping gets it, the prefix included, as `encode` writes it.
            family.set_name(crate::metric::names::escaped_name(
                &name,
                crate::metric::names::Escaping::Underscores,
                false,
            ));
            for metric in family.mut_metric().iter_mut() {
                for (name, value) in &state.const_labels {
                    metric.label.push(proto_label(name, value.as_bytes()));
                }
            }
        }
        families
    }
}

/// The families of foreign collectors, merged by name and sorted as `gather` sorts them.
pub(super) fn gather(collectors: &[Box<dyn Collector>]) -> Vec<MetricFamily> {
    if collectors.is_empty() {
        return Vec::new();
    }
    let mut by_name: BTreeMap<String, MetricFamily> = BTreeMap::new();
    for family in collectors.iter().flat_map(|collector| collector.collect()) {
        if family.get_metric().is_empty() {
            continue;
        }
        match by_name.get_mut(family.name()) {
            Some(existing) => existing.mut_metric().extend(family.get_metric().iter().cloned()),
            None => {
                by_name.insert(family.name().to_owned(), family);
            }
        }
    }
    let mut families: Vec<MetricFamily> = by_name.into_values().collect();
    for family in &mut families {
        family.mut_metric().sort_by(|a, b| {
            let (a, b) = (a.get_label(), b.get_label());
            a.len().cmp(&b.len()).then_with(|| a.iter().map(|pair| pair.value()).cmp(b.iter().map(|pair| pair.value())))
        });
    }
    families
}

/// Writes the foreign families among the registry's own, in name order.
pub(super) struct Merge<'a> {
    families: Peekable<core::slice::Iter<'a, MetricFamily>>,
    format: Format,
    prefix: Option<&'a str>,
    const_labels: &'a RegistryParts<'a>,
}

impl<'a> Merge<'a> {
    pub(super) fn new(
        families: &'a [MetricFamily],
        format: Format,
        prefix: Option<&'a str>,
        const_labels: &'a RegistryParts<'a>,
    ) -> Self {
        Self { families: families.iter().peekable(), format, prefix, const_labels }
    }

    fn write(&self, out: &mut Vec<u8>, family: &MetricFamily) {
        match self.format.text() {
            Some(text) => write_foreign_family(out, text, self.prefix, self.const_labels.rendered, family),
            None => write_foreign_protobuf(out, self.prefix, self.const_labels.pairs, family),
        }
    }

    /// Writes the foreign families whose names sort before `name`.
    pub(super) fn write_before(&mut self, out: &mut Vec<u8>, name: &str) {
        while let Some(family) = self.families.next_if(|family| family.name() < name) {
            self.write(out, family);
        }
    }

    /// Writes the foreign families left.
    pub(super) fn write_rest(&mut self, out: &mut Vec<u8>) {
        while let Some(family) = self.families.next() {
            self.write(out, family);
        }
    }
}
