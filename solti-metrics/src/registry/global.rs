//! The process-wide registry, and sets declared as `static`s that register themselves in it on
//! first use.

use std::sync::OnceLock;

use crate::error::Error;
use crate::registry::{MetricsSet, Registry};

/// The process-wide registry that [`Global`] sets register in; serve it like any other
/// (`solti_metrics::axum::router(default_registry().clone())`).
pub fn default_registry() -> &'static Registry {
    static DEFAULT: OnceLock<Registry> = OnceLock::new();
    DEFAULT.get_or_init(Registry::new)
}

/// A set declared as a `static`, usable from any module: created and registered in
/// [`default_registry`] on first use.
///
/// ```
/// use solti_metrics::{Global, IntCounterVec, MetricsSet};
///
/// #[derive(MetricsSet)]
/// #[metrics(namespace = "jobs")]
/// pub struct JobMetrics {
///     /// Jobs run.
///     #[metric(labels(queue))]
///     pub runs_total: IntCounterVec,
/// }
///
/// pub static JOBS: Global<JobMetrics> = Global::new();
///
/// fn run(queue: &str) {
///     JOBS.runs_total(queue).inc();
/// }
///
/// run("mail");
/// let mut body = Vec::new();
/// solti_metrics::default_registry().encode(&mut body, solti_metrics::Format::Prometheus)?;
/// assert!(String::from_utf8(body).unwrap().contains("jobs_runs_total{queue=\"mail\"} 1\n"));
/// assert!(JOBS.registration_error().is_none());
/// # Ok::<(), solti_metrics::Error>(())
/// ```
///
/// Registration can fail only when something else in the default registry exports one of the
/// set's names. The set then still records, unexported, and
/// [`registration_error`](Self::registration_error) says why; recording never panics.
pub struct Global<S> {
    set: OnceLock<(S, Option<Error>)>,
}

impl<S> Global<S> {
    /// A set not created yet.
    pub const fn new() -> Self {
        Self { set: OnceLock::new() }
    }
}

impl<S> Default for Global<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: MetricsSet> Global<S> {
    fn get(&self) -> &(S, Option<Error>) {
        self.set.get_or_init(|| match S::register(default_registry()) {
            Ok(set) => (set, None),
            // A derived set builds whenever its declaration compiles: the derive checks every
            // rule that building it checks again.
            Err(error) => match S::build() {
                Ok(set) => (set, Some(error)),
                Err(build) => panic!("`{}` cannot be built: {build}", core::any::type_name::<S>()),
            },
        })
    }

    /// Why the set is not in [`default_registry`], if it is not (after its first use).
    pub fn registration_error(&self) -> Option<&Error> {
        self.get().1.as_ref()
    }
}

impl<S: MetricsSet> core::ops::Deref for Global<S> {
    type Target = S;

    #[inline]
    fn deref(&self) -> &S {
        &self.get().0
    }
}

impl<S: MetricsSet + core::fmt::Debug> core::fmt::Debug for Global<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Global").field(&self.set.get().map(|(set, _)| set)).finish()
    }
}
