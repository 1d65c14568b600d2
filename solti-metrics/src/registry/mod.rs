//! Registration: a set of metrics declared as a struct ([`MetricsSet`]) and what it registers
//! into, solti-metrics' own [`Registry`] (which holds sets and foreign `prometheus` collectors,
//! and writes their exposition straight from the series' atomics) or a `prometheus::Registry`.

pub mod catalog;
mod disjoint;
mod global;
pub(crate) mod set;

pub use global::{Global, default_registry};
pub use set::{MetricField, MetricsSet, Registrar, SetCollector};

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, PoisonError, RwLock};

use prometheus::core::Collector;
use prometheus::proto::MetricFamily;

use crate::error::Error;
use crate::exposition::Format;
use crate::exposition::foreign::{proto_label, write_foreign_family};
use crate::exposition::text::finish;
use crate::labels::escape::write_label_pair;
use crate::metric::names;
use solti_metrics_rules::names::const_label_name;

/// A registry of metric sets, and their exposition.
///
/// ```
/// use solti_metrics::{Format, IntCounterVec, MetricsSet, Registry};
///
/// #[derive(MetricsSet)]
/// struct Api {
///     /// Requests served.
///     #[metric(labels(path))]
///     requests_total: IntCounterVec,
/// }
///
/// let registry = Registry::new();
/// let api = Api::register(&registry)?;
/// api.requests_total("/users").inc();
///
/// let mut body = Vec::new();
/// registry.encode(&mut body, Format::Prometheus)?;
/// assert_eq!(
///     String::from_utf8(body).unwrap(),
///     "# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total{path=\"/users\"} 1\n",
/// );
///
/// let mut body = Vec::new();
/// registry.encode(&mut body, Format::OpenMetrics)?;
/// assert!(String::from_utf8(body).unwrap().ends_with("requests_total{path=\"/users\"} 1\n# EOF\n"));
/// # Ok::<(), solti_metrics::Error>(())
/// ```
///
/// Clones share their contents. Families are written sorted by name, series by their label
/// values, labels by name: the Prometheus text is byte-identical to what
/// `prometheus::TextEncoder` writes for a `prometheus::Registry` holding the same sets.
#[derive(Clone, Default)]
pub struct Registry {
    state: Arc<RwLock<State>>,
}

#[derive(Default)]
struct State {
    /// Prepended, with `_`, to every family name.
    prefix: Option<String>,
    /// Label pairs added to every series, sorted by name.
    const_labels: Vec<(String, String)>,
    /// `const_labels` rendered as `a="x",b="y"`.
    const_text: Vec<u8>,
    sets: Vec<Registered>,
    collectors: Vec<Box<dyn Collector>>,
    /// Every series name exported, and what exports it.
    owners: HashMap<String, String>,
    /// `(set, family)` positions, sorted by family name.
    order: Vec<(usize, usize)>,
}

struct Registered {
    name: &'static str,
    set: SetCollector,
}

impl core::fmt::Debug for Registry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = self.read();
        let sets: Vec<&str> = state.sets.iter().map(|set| set.name).collect();
        f.debug_struct("Registry")
            .field("prefix", &state.prefix)
            .field("const_labels", &state.const_labels)
            .field("sets", &sets)
            .field("collectors", &state.collectors.len())
            .finish()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty registry that prepends `prefix` and `_` to every family name and adds
    /// `const_labels` to every series, as `prometheus::Registry::new_custom` does.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRegistry`] when the prefix is not a valid metric name or a label name
    /// is not a valid label name.
    pub fn new_custom(prefix: Option<String>, const_labels: Option<HashMap<String, String>>) -> Result<Self, Error> {
        if let Some(prefix) = &prefix {
            if !names::is_metric_name(prefix) {
                return Err(Error::InvalidRegistry(format!("`{prefix}` is not a valid metric name prefix")));
            }
        }
        let mut const_labels: Vec<(String, String)> = const_labels.unwrap_or_default().into_iter().collect();
        const_labels.sort();
        let mut const_text = Vec::new();
        for (position, (name, value)) in const_labels.iter().enumerate() {
            if let Some(reason) = const_label_name(name) {
                return Err(Error::InvalidRegistry(reason));
            }
            write_label_pair(&mut const_text, position > 0, name, value.as_bytes());
        }
        let state = State { prefix, const_labels, const_text, ..State::default() };
        Ok(Self { state: Arc::new(RwLock::new(state)) })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a `prometheus` collector (the process collector, a library's own metrics): its
    /// families are part of the exposition, with the registry's prefix and constant labels.
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

    /// Writes the exposition of everything registered, in `format`, appending to `out`.
    ///
    /// Nothing is allocated per series: values are read from the series' atomics and written
    /// into `out` (reuse it across scrapes and it stops growing). Foreign collectors are
    /// collected as `prometheus` does.
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for fallible writers.
    pub fn encode(&self, out: &mut Vec<u8>, format: Format) -> Result<(), Error> {
        let state = self.read();
        let foreign = gather_foreign(&state.collectors);
        let mut foreign = foreign.iter().peekable();
        let prefix = state.prefix.as_deref();
        let mut labels = Vec::new();
        for &(set, family) in &state.order {
            let Some(family) = state.sets.get(set).and_then(|set| set.set.families.get(family)) else { continue };
            while let Some(other) = foreign.next_if(|other| other.name() < family.desc().name) {
                write_foreign_family(out, format, prefix, &state.const_text, other);
            }
            family.encode(out, format, prefix, &state.const_text, &mut labels);
        }
        for other in foreign {
            write_foreign_family(out, format, prefix, &state.const_text, other);
        }
        finish(out, format);
        Ok(())
    }

    /// Everything registered as `prometheus` protobuf families, as
    /// `prometheus::Registry::gather` returns them: for the `ProtobufEncoder`, or any code
    /// that takes `MetricFamily` values.
    pub fn gather(&self) -> Vec<MetricFamily> {
        let state = self.read();
        let mut families = gather_foreign(&state.collectors);
        for registered in &state.sets {
            families.extend(registered.set.families.iter().filter_map(|family| family.proto()));
        }
        families.sort_by(|a, b| a.name().cmp(b.name()));
        for family in &mut families {
            if let Some(prefix) = &state.prefix {
                let name = format!("{prefix}_{}", family.name());
                family.set_name(name);
            }
            for metric in family.mut_metric().iter_mut() {
                for (name, value) in &state.const_labels {
                    metric.label.push(proto_label(name, value.as_bytes()));
                }
            }
        }
        families
    }

    fn add(&self, name: &'static str, set: SetCollector) -> Result<(), Error> {
        let mut state = self.write();
        let mut claimed: HashMap<String, String> = HashMap::new();
        for family in &set.families {
            let desc = family.desc();
            let owner = owner(name, desc.field);
            // The set's labels and constant labels must not be the registry's constant labels.
            let mut set_labels = desc.labels.iter().copied().chain(family.const_label_names());
            if let Some(label) = set_labels.find(|label| state.const_labels.iter().any(|(name, _)| name == label)) {
                return Err(Error::ConstLabelClash { metric: desc.name.to_owned(), label: label.to_owned() });
            }
            let series = core::iter::once("").chain(desc.kind.suffixes().iter().copied());
            for suffix in series {
                let series = format!("{}{suffix}", desc.name);
                if let Some(existing) = state.owners.get(&series).or_else(|| claimed.get(&series)) {
                    return Err(Error::AlreadyRegistered { series, new: owner, existing: existing.clone() });
                }
                claimed.insert(series, owner.clone());
            }
        }
        state.owners.extend(claimed);
        state.sets.push(Registered { name, set });
        state.reorder();
        Ok(())
    }

    fn remove(&self, name: &'static str, set: &SetCollector) -> Result<(), Error> {
        let mut state = self.write();
        let position = state
            .sets
            .iter()
            .position(|registered| registered.name == name && registered.set.same_as(set))
            .ok_or_else(|| Error::NotRegistered(format!("this instance of `{name}`")))?;
        let removed = state.sets.remove(position);
        let owners: Vec<String> = removed.set.families.iter().map(|family| owner(name, family.desc().field)).collect();
        state.owners.retain(|_, owner| !owners.contains(owner));
        state.reorder();
        Ok(())
    }
}

/// How errors name a set's metric.
fn owner(set: &str, field: &str) -> String {
    format!("`{set}::{field}`")
}

impl State {
    fn reorder(&mut self) {
        let mut order: Vec<(usize, usize)> = (self.sets.iter().enumerate())
            .flat_map(|(set, registered)| (0..registered.set.families.len()).map(move |family| (set, family)))
            .collect();
        let name = |&(set, family): &(usize, usize)| -> &'static str {
            self.sets.get(set).and_then(|registered| registered.set.families.get(family)).map_or("", |f| f.desc().name)
        };
        order.sort_by(|a, b| name(a).cmp(name(b)));
        self.order = order;
    }
}

/// The families of foreign collectors, merged by name and sorted as `gather` sorts them.
fn gather_foreign(collectors: &[Box<dyn Collector>]) -> Vec<MetricFamily> {
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

impl crate::registry::set::sealed::Sealed for Registry {}
impl Registrar for Registry {
    type Error = Error;

    fn add_set(&self, name: &'static str, set: SetCollector) -> Result<(), Error> {
        self.add(name, set)
    }

    fn remove_set(&self, name: &'static str, set: SetCollector) -> Result<(), Error> {
        self.remove(name, &set)
    }
}
