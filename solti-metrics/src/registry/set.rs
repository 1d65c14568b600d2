//! A set of metrics declared as a struct, and what it takes to register one.

use std::sync::Arc;

use crate::error::Error;
use crate::family::{ErasedFamily, Family};
use crate::labels::LabelSet;
use crate::metric::{MetricDesc, MetricKind};
use crate::series::Series;

/// A set of metrics declared as a struct; implemented by `#[derive(MetricsSet)]`.
pub trait MetricsSet: Sized + Send + Sync + 'static {
    /// The static catalog: one entry per metric, in declaration order.
    const METRICS: &'static [MetricDesc];

    /// Creates every metric of the set, unregistered.
    #[doc(hidden)]
    fn build() -> Result<Self, Error>;

    /// The whole set as one collector, sharing its series with `self`.
    fn collector(&self) -> SetCollector;

    /// Creates every metric and registers the whole set in `registry`: all or nothing.
    ///
    /// `registry` is a [`solti_metrics::Registry`](crate::Registry) or, with the feature
    /// `prometheus`, a `prometheus::Registry` (also behind an `Arc`); each returns its own error
    /// type.
    ///
    /// # Errors
    ///
    /// When a series of the set is already exported by something in `registry`, or a label
    /// name of the set is one of its constant labels; nothing of the set is registered then.
    /// A `solti_metrics::Registry` names the series and both owners in its [`Error`]; a
    /// `prometheus::Registry` gives `prometheus::Error::AlreadyReg`, and keeps binding each
    /// metric name it has been offered to the label names and help it came with, for the
    /// registry's lifetime (a later metric of the same name must keep them).
    fn register<R: Registrar + ?Sized>(registry: &R) -> Result<Self, R::Error> {
        let set = Self::build()?;
        registry.add_set(core::any::type_name::<Self>(), set.collector())?;
        Ok(set)
    }

    /// Like [`register`](Self::register), with constant labels added to every series of the
    /// set (`service`, `region`), sorted among the series' own labels by name.
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
    /// let api = Api::register_with(&registry, &[("service", "users"), ("az", "b")])?;
    /// api.requests_total("/").inc();
    /// let mut body = Vec::new();
    /// registry.encode(&mut body, Format::Prometheus)?;
    /// assert!(String::from_utf8(body).unwrap().contains(r#"requests_total{az="b",path="/",service="users"} 1"#));
    ///
    /// // A name the set uses for a label is refused.
    /// assert!(Api::register_with(&Registry::new(), &[("path", "x")]).is_err());
    /// # Ok::<(), solti_metrics::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`register`](Self::register), and [`Error::ConstLabelClash`] when a constant label is
    /// one of the set's label names or the registry's constant labels, or
    /// [`Error::InvalidMetric`] when it is not a valid label name (or `le`, `quantile`,
    /// `otel_metric_overflow`) or is given twice.
    fn register_with<R: Registrar + ?Sized>(registry: &R, const_labels: &[(&str, &str)]) -> Result<Self, R::Error> {
        let set = Self::build()?;
        let collector = set.collector();
        for family in &collector.families {
            family.set_const_labels(const_labels)?;
        }
        registry.add_set(core::any::type_name::<Self>(), collector)?;
        Ok(set)
    }

    /// Removes the set from `registry`, where [`register`](Self::register) put it: exactly this
    /// instance (and its clones' series, which it shares).
    ///
    /// # Errors
    ///
    /// When the set is not registered in `registry`.
    fn unregister<R: Registrar + ?Sized>(&self, registry: &R) -> Result<(), R::Error> {
        registry.remove_set(core::any::type_name::<Self>(), self.collector())
    }
}

/// A registry a [`MetricsSet`] can be registered in: a [`solti_metrics::Registry`](crate::Registry),
/// a `prometheus::Registry` (feature `prometheus`), or either behind an `Arc`.
pub trait Registrar: sealed::Sealed {
    /// The registry's error type.
    type Error: From<Error>;

    /// Registers `set` (a set named `name`), all or nothing.
    #[doc(hidden)]
    fn add_set(&self, name: &'static str, set: SetCollector) -> Result<(), Self::Error>;

    /// Unregisters exactly `set`.
    #[doc(hidden)]
    fn remove_set(&self, name: &'static str, set: SetCollector) -> Result<(), Self::Error>;
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

impl<R: Registrar + ?Sized> sealed::Sealed for Arc<R> {}
impl<R: Registrar + ?Sized> Registrar for Arc<R> {
    type Error = R::Error;

    fn add_set(&self, name: &'static str, set: SetCollector) -> Result<(), R::Error> {
        (**self).add_set(name, set)
    }

    fn remove_set(&self, name: &'static str, set: SetCollector) -> Result<(), R::Error> {
        (**self).remove_set(name, set)
    }
}

/// A type that can be a field of a `#[derive(MetricsSet)]` struct.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric type",
    label = "not a metric type",
    note = "a `MetricsSet` field is one of `Counter`, `IntCounter`, `Gauge`, `IntGauge`, `Histogram` (no labels) or `CounterVec`, `IntCounterVec`, `GaugeVec`, `IntGaugeVec`, `HistogramVec` (with labels), from `solti_metrics`"
)]
pub trait MetricField: Clone + Sized + 'static {
    /// The series type a recorder method returns.
    type Series;
    /// The kind of metric.
    const KIND: MetricKind;

    /// Creates the metric described by `desc`, with labels of the tuple type `L`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidMetric`] when `desc` breaks a rule of the exposition format.
    fn build<L: LabelSet>(desc: &'static MetricDesc) -> Result<Self, Error>;

    /// The metric as a part of its set's collector.
    #[doc(hidden)]
    fn erase(&self) -> Box<dyn ErasedFamily>;
}

impl<S: Series, const LABELLED: bool> MetricField for Family<S, LABELLED> {
    type Series = S;
    const KIND: MetricKind = S::KIND;

    fn build<L: LabelSet>(desc: &'static MetricDesc) -> Result<Self, Error> {
        Family::new::<L>(desc)
    }

    fn erase(&self) -> Box<dyn ErasedFamily> {
        Box::new(self.clone())
    }
}

/// All metrics of a set, as one unit a registry takes or refuses whole. With the feature
/// `prometheus` it is also a `prometheus` collector, which is how a set sits in a
/// `prometheus::Registry`.
pub struct SetCollector {
    pub(crate) families: Vec<Box<dyn ErasedFamily>>,
}

impl SetCollector {
    /// The collector of a set made of `parts`.
    #[doc(hidden)]
    pub fn new(parts: impl IntoIterator<Item = Box<dyn ErasedFamily>>) -> Self {
        Self { families: parts.into_iter().collect() }
    }

    /// One metric as a part of a set's collector.
    #[doc(hidden)]
    pub fn part<M: MetricField>(metric: &M) -> Box<dyn ErasedFamily> {
        metric.erase()
    }

    /// Whether both hold the same families (the same instance of a set, or clones of it).
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        self.families.len() == other.families.len()
            && self.families.iter().zip(&other.families).all(|(a, b)| a.id() == b.id())
    }
}

impl core::fmt::Debug for SetCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names: Vec<&str> = self.families.iter().map(|family| family.desc().name).collect();
        f.debug_struct("SetCollector").field("metrics", &names).finish()
    }
}
