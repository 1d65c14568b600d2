//! The series of an info metric.

use crate::metric::MetricKind;
use crate::series::{Number, Reading, Series, Shape, sealed};

/// A series of an info metric ([`Info`](crate::Info)): its labels are the facts it states,
/// its value is always 1. Recording its labels through the recorder method creates it.
///
/// ```
/// use solti_metrics::{Format, Info, MetricsSet, Registry};
///
/// #[derive(MetricsSet)]
/// struct Build {
///     /// The version and commit of the running program.
///     #[metric(labels(version, commit))]
///     build_info: Info,
/// }
///
/// let registry = Registry::new();
/// let build = Build::register(&registry)?;
/// build.build_info(env!("CARGO_PKG_VERSION"), "9f3c2e1");
///
/// let mut text = Vec::new();
/// registry.encode(&mut text, Format::OpenMetrics)?;
/// let text = String::from_utf8(text).unwrap();
/// assert!(text.contains("# TYPE build info\n"));
/// assert!(text.contains(&format!("build_info{{commit=\"9f3c2e1\",version=\"{}\"}} 1\n", env!("CARGO_PKG_VERSION"))));
/// # Ok::<(), solti_metrics::Error>(())
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Info;

impl sealed::Sealed for Info {}
impl Series for Info {
    const KIND: MetricKind = MetricKind::Info;
    type Open = Self;

    fn new(_: Shape) -> Self {
        Self
    }

    #[inline]
    fn read(&self) -> Reading<'_> {
        Reading::Gauge(Number::U64(1))
    }

    fn reset(&self) {}

    fn fingerprint(&self) -> u64 {
        // Never changes (the derive refuses `expire_after` on an info metric).
        0
    }
}
