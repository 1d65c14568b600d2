//! Interop with the `prometheus` crate (feature `prometheus`): a set registered into a
//! `prometheus::Registry` as one collector, and solti-metrics' errors as `prometheus`' errors.
//! A `Registry` carrying `prometheus` collectors, and `Registry::gather`, are in
//! `registry/foreign.rs`; the protobuf families are written by `exposition/foreign.rs`.

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;

use crate::error::Error;
use crate::registry::set::sealed;
use crate::registry::{Registrar, SetCollector};

impl sealed::Sealed for prometheus::Registry {}
impl Registrar for prometheus::Registry {
    type Error = prometheus::Error;

    fn add_set(&self, _: &'static str, set: SetCollector) -> Result<(), prometheus::Error> {
        self.register(Box::new(set))
    }

    fn remove_set(&self, _: &'static str, set: SetCollector) -> Result<(), prometheus::Error> {
        self.unregister(Box::new(set))
    }
}

impl Collector for SetCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.families.iter().map(|family| family.prometheus_desc()).collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut families: Vec<MetricFamily> = self.families.iter().filter_map(|family| family.proto()).collect();
        // `prometheus` knows legacy names alone: a UTF-8 name as a scraper that names no
        // escaping gets it (the names of the `Desc`s registered).
        for family in &mut families {
            let name =
                crate::metric::names::escaped_name(family.name(), crate::metric::names::Escaping::Underscores, false);
            family.set_name(name);
        }
        families
    }
}

/// For code that registers into a `prometheus::Registry` and returns its error type.
impl From<Error> for prometheus::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::AlreadyRegistered { .. } => prometheus::Error::AlreadyReg,
            other => prometheus::Error::Msg(other.to_string()),
        }
    }
}
