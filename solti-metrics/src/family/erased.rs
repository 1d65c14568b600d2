//! A family as a registry holds it, its series type erased, and what a scrape asks of it.

use std::sync::Arc;

use crate::error::Error;
#[cfg(feature = "prometheus")]
use crate::exposition::foreign::{proto_label, proto_metric, proto_type};
use crate::exposition::protobuf::ProtoFamily;
use crate::exposition::text::{FamilyWriter, type_name};
use crate::exposition::{ContentType, Text};
use crate::family::order::{Export, View};
use crate::family::{Family, lock};
use crate::index::dense::DenseLive;
#[cfg(feature = "prometheus")]
use crate::labels::key::key_values;
use crate::metric::MetricDesc;
use crate::metric::names::{Escaping, escaped_name, is_metric_name};
use crate::metric::rules::check_const_labels;
use crate::series::Series;
use crate::sync::MutexGuard;

/// A family whose series type is erased: what a set hands its registry.
#[doc(hidden)]
pub trait ErasedFamily: Send + Sync {
    /// The description: the family's catalog entry.
    fn desc(&self) -> &'static MetricDesc;

    /// Identifies the family: clones share it, other families never do.
    fn id(&self) -> usize;

    /// For registration in a `prometheus::Registry`.
    #[cfg(feature = "prometheus")]
    fn prometheus_desc(&self) -> &prometheus::core::Desc;

    /// Writes the family (nothing when it has no series) in `content`'s format, its names
    /// escaped by `content`'s scheme. `const_labels` are the registry's constant labels,
    /// added to every series.
    fn encode(&self, out: &mut Vec<u8>, content: ContentType, prefix: Option<&str>, const_labels: &RegistryParts<'_>);

    /// The family as a `prometheus` protobuf family, series in gather order; `None` when it
    /// has no series.
    #[cfg(feature = "prometheus")]
    fn proto(&self) -> Option<prometheus::proto::MetricFamily>;

    /// Gives the family its set's constant labels (once, before it is registered).
    ///
    /// # Errors
    ///
    /// [`Error::ConstLabelClash`] for a name the metric declares as a label,
    /// [`Error::InvalidMetric`] for a name that cannot be a constant label or is given twice.
    fn set_const_labels(&self, labels: &[(&str, &str)]) -> Result<(), Error>;

    /// The names of the set's constant labels.
    fn const_label_names(&self) -> Vec<&str>;
}

impl<S: Series, const LABELLED: bool> Family<S, LABELLED> {
    /// The steps of a scrape before its series are read: values computed at scrape time
    /// (`#[metric(collect = ..)]`), idle series expired (`expire_after`), the export order
    /// brought up to date. Returns the order and the dense slots in use, locked.
    fn prepare_scrape(&self, escaping: Escaping) -> (MutexGuard<'_, Export<S>>, MutexGuard<'_, Vec<DenseLive>>) {
        self.compute();
        let mut export = lock(&self.inner.export);
        let mut dense = lock(&self.inner.dense_live);
        self.expire_idle(&mut export, &mut dense);
        self.order(&mut export, &dense, escaping);
        (export, dense)
    }

    /// The text formats: `const_labels` are the registry's constant labels, rendered;
    /// `created_lines` asks OpenMetrics for `_created` samples.
    fn encode_text(
        &self,
        out: &mut Vec<u8>,
        (format, escaping): (Text, Escaping),
        prefix: Option<&str>,
        const_labels: &[u8],
        created_lines: bool,
    ) {
        let (mut export, dense) = self.prepare_scrape(escaping);
        if export.order.is_empty() {
            return;
        }
        let Export { order, leased, labels, line, .. } = &mut *export;
        let view = View { dense: &dense, leased };
        let desc = self.inner.desc;
        let name = FamilyName::new(prefix, desc.name, escaping);
        let mut writer =
            FamilyWriter { out, format, prefix: name.prefix, name: &name.name, kind: S::KIND, quoted: name.quoted };
        writer.header(desc.help, type_name(S::KIND, format), desc.unit);
        let bounds = match format {
            Text::Prometheus => &self.inner.le[0],
            Text::OpenMetrics => &self.inner.le[1],
        };
        // Exemplars are written in OpenMetrics only.
        let exemplars = self.inner.exemplars.as_ref().filter(|_| format == Text::OpenMetrics);
        // When each series was created, read for OpenMetrics' `_created` samples alone.
        let created_lines = created_lines && format == Text::OpenMetrics && S::KIND.has_created();
        let guard = created_lines.then(|| self.inner.open.created().read());
        let runs = guard.as_deref();
        // `line` holds each series' rendered labels in turn (each made from the one before),
        // then the registry's constant labels, which the next series' labels cut.
        let mut rendered = labels.reader();
        line.clear();
        for &series_ref in order.iter() {
            if !rendered.next_into(line) {
                break;
            }
            let Some(series) = self.series_at(&view, series_ref) else { continue };
            if !const_labels.is_empty() {
                if !line.is_empty() {
                    line.push(b',');
                }
                line.extend_from_slice(const_labels);
            }
            let pairs = line.as_slice();
            match exemplars {
                Some(exemplars) => exemplars.with_slots(core::ptr::from_ref(series).addr(), |slots| {
                    writer.series(pairs, bounds, slots).write(series.read());
                }),
                None => writer.series(pairs, bounds, &[]).write(series.read()),
            }
            // 0: a time not known (none is, in practice): no sample rather than 1970.
            if let Some(created) =
                runs.map(|runs| self.created(&view, runs, series_ref)).filter(|&created| created != 0)
            {
                writer.created(pairs, created);
            }
        }
    }

    /// The protobuf format: each series' label pairs as its key holds them (the set's constant
    /// labels among them by name), then the registry's `const_labels`, as
    /// `prometheus::Registry::gather` adds them.
    fn encode_protobuf(
        &self,
        out: &mut Vec<u8>,
        escaping: Escaping,
        prefix: Option<&str>,
        const_labels: &[(String, String)],
    ) {
        let (mut export, dense) = self.prepare_scrape(escaping);
        if export.order.is_empty() {
            return;
        }
        // The leases are read through the view while the label pairs are made into `export`.
        let leased = core::mem::take(&mut export.leased);
        let view = View { dense: &dense, leased: &leased };
        self.proto_labels(&mut export, &view, escaping);
        let desc = self.inner.desc;
        // Protobuf needs no quotes: a UTF-8 name under `allow-utf-8` is written as it is.
        let name = FamilyName::new(prefix, desc.name, escaping);
        let mut family =
            ProtoFamily::start(out, name.prefix, &name.name, desc.help, S::KIND, desc.unit, self.inner.shape.bounds);
        // `line` holds each series' label pairs in turn, each made from the one before.
        let Export { order, proto, proto_created, line, .. } = &mut *export;
        let mut pairs = proto.reader();
        line.clear();
        for (&series_ref, &created) in order.iter().zip(proto_created.iter()) {
            if !pairs.next_into(line) {
                break;
            }
            let Some(series) = self.series_at(&view, series_ref) else { continue };
            match self.inner.exemplars.as_ref() {
                Some(exemplars) => exemplars.with_slots(core::ptr::from_ref(series).addr(), |slots| {
                    family.metric(out, line, const_labels, series.read(), slots, created);
                }),
                None => family.metric(out, line, const_labels, series.read(), &[], created),
            }
        }
        family.end(out);
        export.leased = leased;
    }
}

/// A family's name as a scrape writes it: the declared name after the registry's prefix, or,
/// for a name that is not a legacy name, the whole name escaped by the scraper's scheme (as
/// the Go client escapes a family's name) or quoted under `allow-utf-8`.
struct FamilyName<'a> {
    prefix: Option<&'a str>,
    name: std::borrow::Cow<'a, str>,
    quoted: bool,
}

impl<'a> FamilyName<'a> {
    fn new(prefix: Option<&'a str>, name: &'a str, escaping: Escaping) -> Self {
        if is_metric_name(name) {
            return Self { prefix, name: name.into(), quoted: false };
        }
        let full = match prefix {
            Some(prefix) => format!("{prefix}_{name}").into(),
            None => std::borrow::Cow::Borrowed(name),
        };
        match escaping {
            Escaping::AllowUtf8 => Self { prefix: None, name: full, quoted: true },
            _ => Self { prefix: None, name: escaped_name(&full, escaping, false).into(), quoted: false },
        }
    }
}

/// What a registry adds to each family's exposition: its constant labels, in the forms the
/// formats need them, and whether OpenMetrics gets `_created` samples.
#[doc(hidden)]
pub struct RegistryParts<'a> {
    /// Rendered pairs, `a="x",b="y"`, for the text formats.
    pub(crate) rendered: &'a [u8],
    /// Name and value, sorted by name, for the protobuf format.
    pub(crate) pairs: &'a [(String, String)],
    /// OpenMetrics gets a `_created` sample for each counter and histogram series.
    pub(crate) created_lines: bool,
}

impl<S: Series, const LABELLED: bool> ErasedFamily for Family<S, LABELLED> {
    fn desc(&self) -> &'static MetricDesc {
        self.inner.desc
    }

    fn id(&self) -> usize {
        Arc::as_ptr(&self.inner) as *const () as usize
    }

    #[cfg(feature = "prometheus")]
    fn prometheus_desc(&self) -> &prometheus::core::Desc {
        &self.inner.prometheus_desc
    }

    fn encode(&self, out: &mut Vec<u8>, content: ContentType, prefix: Option<&str>, const_labels: &RegistryParts<'_>) {
        match content.format.text() {
            Some(text) => self.encode_text(
                out,
                (text, content.escaping),
                prefix,
                const_labels.rendered,
                const_labels.created_lines,
            ),
            None => self.encode_protobuf(out, content.escaping, prefix, const_labels.pairs),
        }
    }

    fn set_const_labels(&self, labels: &[(&str, &str)]) -> Result<(), Error> {
        check_const_labels(self.inner.desc, labels)?;
        let mut pairs: Vec<(String, String)> =
            labels.iter().map(|&(name, value)| (name.to_owned(), value.to_owned())).collect();
        pairs.sort();
        // A family built for one set takes its labels once; `register_with` builds afresh.
        let _ = self.inner.const_labels.set(pairs.into());
        Ok(())
    }

    fn const_label_names(&self) -> Vec<&str> {
        self.inner
            .const_labels
            .get()
            .map(|pairs| pairs.iter().map(|(name, _)| name.as_str()).collect())
            .unwrap_or_default()
    }

    #[cfg(feature = "prometheus")]
    fn proto(&self) -> Option<prometheus::proto::MetricFamily> {
        let (export, dense) = self.prepare_scrape(Escaping::Underscores);
        if export.order.is_empty() {
            return None;
        }
        let view = View { dense: &dense, leased: &export.leased };
        let metrics = export
            .order
            .iter()
            .filter_map(|&series_ref| {
                let mut metric = proto_metric(self.series_at(&view, series_ref)?.read());
                let key = self.key(&view, series_ref);
                let (values, len) = key_values(key.as_deref().unwrap_or_default());
                let pairs = self
                    .pairs(&values, len, series_ref)
                    .map(|(name, value)| {
                        value.with_text(|text| proto_label(&escaped_name(name, Escaping::Underscores, true), text))
                    })
                    .collect();
                metric.set_label(pairs);
                Some(metric)
            })
            .collect();
        let mut family = prometheus::proto::MetricFamily::default();
        // As declared: `Registry::gather` adds the prefix, then escapes the whole name.
        family.set_name(self.inner.desc.name.to_owned());
        family.set_help(self.inner.desc.help.to_owned());
        family.set_field_type(proto_type(S::KIND));
        family.set_metric(metrics);
        Some(family)
    }
}
