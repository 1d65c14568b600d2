//! `assert_disjoint!`: the name check across sets, at compile time.

/// Fails the build when two or more [`MetricsSet`](crate::MetricsSet)s export the same series name (a
/// histogram's `_bucket`, `_sum` and `_count` series included).
///
/// ```
/// use solti_metrics::{IntCounter, MetricsSet};
///
/// #[derive(MetricsSet)]
/// struct Api { /// Requests.
///     requests_total: IntCounter }
/// #[derive(MetricsSet)]
/// struct Jobs { /// Jobs run.
///     jobs_total: IntCounter }
///
/// solti_metrics::assert_disjoint!(Api, Jobs);
/// ```
///
/// ```compile_fail
/// use solti_metrics::{IntCounter, MetricsSet};
///
/// #[derive(MetricsSet)]
/// struct Api { /// Requests.
///     requests_total: IntCounter }
/// #[derive(MetricsSet)]
/// struct Proxy { /// Requests.
///     requests_total: IntCounter }
///
/// solti_metrics::assert_disjoint!(Api, Proxy);
/// ```
#[macro_export]
macro_rules! assert_disjoint {
    ($only:ty $(,)?) => {
        ::core::compile_error!("`assert_disjoint!` compares two or more sets: `assert_disjoint!(A, B)`");
    };
    ($first:ty, $($set:ty),+ $(,)?) => {
        const _: () = {
            let clash = $crate::__private::first_clash(&[
                (::core::stringify!($first), <$first as $crate::MetricsSet>::METRICS),
                $((::core::stringify!($set), <$set as $crate::MetricsSet>::METRICS)),+
            ]);
            if let ::core::option::Option::Some(message) = clash.message() {
                ::core::panic!("{}", message);
            }
        };
    };
}
