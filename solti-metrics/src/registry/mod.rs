//! Registration: a set of metrics declared as a struct ([`MetricsSet`]) and what it registers
//! into, solti-metrics' own [`Registry`] (which holds sets, and with the feature `prometheus`
//! foreign `prometheus` collectors, and writes their exposition straight from the series'
//! atomics) or a `prometheus::Registry`.

pub mod catalog;
mod disjoint;
#[cfg(feature = "prometheus")]
mod foreign;
mod global;
pub(crate) mod set;

pub use global::{Global, default_registry};
pub use set::{MetricField, MetricsSet, Registrar, SetCollector};

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::error::Error;
use crate::exposition::text::finish;
use crate::exposition::{ContentType, Format};
use crate::family::RegistryParts;
use crate::labels::escape::write_label_pair;
use crate::metric::names::{self, Escaping};
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
    /// `prometheus` collectors (`register_collector`).
    #[cfg(feature = "prometheus")]
    collectors: Vec<Box<dyn prometheus::core::Collector>>,
    /// Every series name exported, and what exports it.
    owners: HashMap<String, String>,
    /// `(set, family)` positions, sorted by family name.
    order: Vec<(usize, usize)>,
    /// OpenMetrics gets `_created` samples ([`Registry::write_created_samples`]).
    created_lines: bool,
    /// The length of the last exposition: what a server allocates for the next one.
    last_len: AtomicUsize,
}

struct Registered {
    name: &'static str,
    set: SetCollector,
}

impl core::fmt::Debug for Registry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = self.read();
        let sets: Vec<&str> = state.sets.iter().map(|set| set.name).collect();
        let mut debug = f.debug_struct("Registry");
        debug.field("prefix", &state.prefix).field("const_labels", &state.const_labels).field("sets", &sets);
        #[cfg(feature = "prometheus")]
        debug.field("collectors", &state.collectors.len());
        debug.finish()
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
            write_label_pair(&mut const_text, position > 0, name, Escaping::AllowUtf8, value.as_bytes());
        }
        let state = State { prefix, const_labels, const_text, ..State::default() };
        Ok(Self { state: Arc::new(RwLock::new(state)) })
    }

    /// Whether OpenMetrics expositions carry a `_created` sample for each counter and
    /// histogram series: when it was created (or created again after its removal), in Unix
    /// seconds. Off by default: Prometheus 2 stores each `_created` sample as a series of its
    /// own. The protobuf format always carries created timestamps, in their own field, which
    /// Prometheus reads when `created-timestamp-zero-ingestion` is on.
    ///
    /// ```
    /// use solti_metrics::{Format, IntCounter, MetricsSet, Registry};
    ///
    /// #[derive(MetricsSet)]
    /// struct Jobs {
    ///     /// Jobs done.
    ///     done_total: IntCounter,
    /// }
    ///
    /// let registry = Registry::new();
    /// let _jobs = Jobs::register(&registry)?;
    /// registry.write_created_samples(true);
    /// let mut out = Vec::new();
    /// registry.encode(&mut out, Format::OpenMetrics)?;
    /// assert!(String::from_utf8(out)?.contains("\ndone_created 1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_created_samples(&self, on: bool) {
        self.write().created_lines = on;
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the exposition of everything registered, in `format`, appending to `out`; names
    /// that are not legacy names escaped with underscores, as for a scraper that names no
    /// escaping (see [`encode_as`](Self::encode_as)).
    ///
    /// Nothing is allocated per series: values are read from the series' atomics and written
    /// into `out` (reuse it across scrapes and it stops growing). Foreign collectors (feature
    /// `prometheus`) are collected as `prometheus` does.
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for fallible writers.
    pub fn encode(&self, out: &mut Vec<u8>, format: Format) -> Result<(), Error> {
        self.encode_as(out, ContentType::from(format))
    }

    /// Writes the exposition of everything registered as `content` says: in its format, names
    /// that are not legacy names as its escaping writes them (in quotes under
    /// [`Escaping::AllowUtf8`](crate::Escaping::AllowUtf8)). Answer a scrape with
    /// [`ContentType::negotiate`] of its `Accept` header, and the result's
    /// [`header`](ContentType::header) as the `Content-Type`.
    ///
    /// ```
    /// use solti_metrics::{ContentType, MetricsSet, Registry};
    ///
    /// #[derive(MetricsSet)]
    /// struct Http {
    ///     /// Requests served.
    ///     #[metric(name = "http.server.requests_total", labels("http.request.method"))]
    ///     requests: solti_metrics::IntCounterVec,
    /// }
    ///
    /// let registry = Registry::new();
    /// let http = Http::register(&registry)?;
    /// http.requests("GET").inc();
    /// let mut out = Vec::new();
    /// let prometheus3 = "text/plain;version=1.0.0;escaping=allow-utf-8";
    /// registry.encode_as(&mut out, ContentType::negotiate(Some(prometheus3)))?;
    /// assert!(String::from_utf8(out)?.ends_with("{\"http.server.requests_total\",\"http.request.method\"=\"GET\"} 1\n"));
    /// let mut out = Vec::new();
    /// registry.encode_as(&mut out, ContentType::negotiate(Some("text/plain;version=0.0.4")))?;
    /// assert!(String::from_utf8(out)?.ends_with("http_server_requests_total{http_request_method=\"GET\"} 1\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for fallible writers.
    pub fn encode_as(&self, out: &mut Vec<u8>, content: ContentType) -> Result<(), Error> {
        let format = content.format;
        let start = out.len();
        let state = self.read();
        #[cfg(feature = "prometheus")]
        let foreign = foreign::gather(&state.collectors);
        let prefix = state.prefix.as_deref();
        let const_labels = RegistryParts {
            rendered: &state.const_text,
            pairs: &state.const_labels,
            created_lines: state.created_lines,
        };
        #[cfg(feature = "prometheus")]
        let mut foreign = foreign::Merge::new(&foreign, format, prefix, &const_labels);
        for &(set, family) in &state.order {
            let Some(family) = state.sets.get(set).and_then(|set| set.set.families.get(family)) else { continue };
            #[cfg(feature = "prometheus")]
            foreign.write_before(out, family.desc().name);
            family.encode(out, content, prefix, &const_labels);
        }
        #[cfg(feature = "prometheus")]
        foreign.write_rest(out);
        if let Some(text) = format.text() {
            finish(out, text);
        }
        // Relaxed: a size hint, published with nothing.
        state.last_len.store(out.len() - start, Ordering::Relaxed);
        Ok(())
    }

    /// The length of the last exposition written (0 before the first): the capacity to give a
    /// buffer that is not reused, so that writing the next one allocates once (what the axum
    /// handler does).
    pub fn size_hint(&self) -> usize {
        // Relaxed: see the store.
        self.read().last_len.load(Ordering::Relaxed)
    }

    fn add(&self, name: &'static str, set: SetCollector) -> Result<(), Error> {
        let mut state = self.write();
        let mut claimed: HashMap<String, String> = HashMap::new();
        for family in &set.families {
            let desc = family.desc();
            let owner = owner(name, desc.field);
            // The set's labels and constant labels must not be the registry's constant labels,
            // as declared or as any scraper sees them.
            let mut set_labels = desc.labels.iter().copied().chain(family.const_label_names());
            if let Some(label) =
                set_labels.find(|label| state.const_labels.iter().any(|(name, _)| names::escapes_to(label, name, true)))
            {
                return Err(Error::ConstLabelClash { metric: desc.name.to_owned(), label: label.to_owned() });
            }
            // Claimed as each scraper without UTF-8 names sees them (two names it would see as
            // one are refused), OpenMetrics' `_created` sample among them. Under `underscores`
            // by the name alone, which foreign collectors' names meet; under the other schemes
            // apart.
            // In order, the name first: the first clash is what the error names.
            let mut claims: Vec<(usize, String)> = Vec::new();
            let mut claim = |claim: (usize, String)| {
                if !claims.contains(&claim) {
                    claims.push(claim);
                }
            };
            for (scheme, &escaping) in names::LEGACY_SCHEMES.iter().enumerate() {
                let escaped = names::escaped_name(desc.name, escaping, false);
                for suffix in core::iter::once("").chain(desc.kind.suffixes().iter().copied()) {
                    claim((scheme, format!("{escaped}{suffix}")));
                }
                if desc.kind.has_created() {
                    let base = match desc.kind {
                        crate::metric::MetricKind::Counter => escaped.strip_suffix("_total").unwrap_or(&escaped),
                        _ => &escaped,
                    };
                    claim((scheme, format!("{base}_created")));
                }
            }
            for (scheme, series) in claims {
                let key = if scheme == 0 { series.clone() } else { format!("{series}\0{scheme}") };
                if let Some(existing) = state.owners.get(&key).or_else(|| claimed.get(&key)) {
                    return Err(Error::AlreadyRegistered { series, new: owner, existing: existing.clone() });
                }
                claimed.insert(key, owner.clone());
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
