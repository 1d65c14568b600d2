//! A gauge counted up while something is in progress: [`IntGauge::track`] and
//! [`Gauge::track`].

use crate::series::{Gauge, IntGauge};

/// What a gauge's `track` returns: the gauge went up by one when it was made and goes down by
/// one when it is dropped, however its scope ends (a return, `?`, a panic, a future dropped
/// at an `.await`).
///
/// ```
/// use solti_metrics::{IntGauge, MetricsSet, Registry};
///
/// #[derive(MetricsSet)]
/// struct Jobs {
///     /// Jobs running.
///     jobs_running: IntGauge,
/// }
///
/// let jobs = Jobs::register(&Registry::new())?;
/// {
///     let _running = jobs.jobs_running.track();
///     assert_eq!(jobs.jobs_running.get(), 1);
/// }
/// assert_eq!(jobs.jobs_running.get(), 0);
/// # Ok::<(), solti_metrics::Error>(())
/// ```
#[must_use = "the gauge goes back down when the guard is dropped: bind it, `let _running = gauge.track();`"]
#[derive(Debug)]
pub struct GaugeGuard<'a>(Tracked<'a>);

#[derive(Debug)]
enum Tracked<'a> {
    Int(&'a IntGauge),
    Float(&'a Gauge),
}

impl IntGauge {
    /// Adds one now and subtracts it when the returned guard is dropped.
    pub fn track(&self) -> GaugeGuard<'_> {
        self.inc();
        GaugeGuard(Tracked::Int(self))
    }
}

impl Gauge {
    /// Adds one now and subtracts it when the returned guard is dropped.
    pub fn track(&self) -> GaugeGuard<'_> {
        self.inc();
        GaugeGuard(Tracked::Float(self))
    }
}

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        match self.0 {
            Tracked::Int(gauge) => gauge.dec(),
            Tracked::Float(gauge) => gauge.dec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_go_back_down_however_their_scope_ends() {
        let gauge = IntGauge::default();
        let outer = gauge.track();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _inner = gauge.track();
            assert_eq!(gauge.get(), 2);
            panic!("the scope ends here");
        }));
        assert!(result.is_err());
        assert_eq!(gauge.get(), 1, "the panicking scope's guard went down");
        drop(outer);
        assert_eq!(gauge.get(), 0);
        let float = Gauge::default();
        let guard = float.track();
        assert_eq!(float.get(), 1.0);
        drop(guard);
        assert_eq!(float.get(), 0.0);
    }
}
