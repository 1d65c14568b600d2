//! Helpers for tests of code that records metrics.
//!
//! Read one series without creating it with [`Family::get`](crate::Family::get); compare a
//! registry's exposition with the text a test expects, whatever the order of its families,
//! with [`assert_exposition_eq`].

use crate::exposition::Format;
use crate::registry::Registry;

/// The families of an exposition, each as its lines (`# HELP`, `# TYPE`, `# UNIT`, samples),
/// sorted by family name; OpenMetrics' `# EOF` is left out. Blank lines are ignored.
pub fn families(text: &str) -> Vec<String> {
    let mut families: Vec<(&str, String)> = Vec::new();
    let mut current: Option<&str> = None;
    for line in text.lines().filter(|line| !line.trim().is_empty() && *line != "# EOF") {
        let descriptor = ["# HELP ", "# TYPE ", "# UNIT "].iter().find_map(|prefix| line.strip_prefix(prefix));
        let name = descriptor.and_then(|rest| rest.split(' ').next());
        let starts_family = name.is_some_and(|name| Some(name) != current) || families.is_empty();
        if starts_family {
            current = name;
            families.push((name.unwrap_or(""), String::new()));
        }
        if let Some((_, family)) = families.last_mut() {
            family.push_str(line);
            family.push('\n');
        }
    }
    families.sort();
    families.into_iter().map(|(_, family)| family).collect()
}

/// Fails the test unless `registry`'s exposition in `format` (a text format) has the families
/// of `expected`, each with the same lines in the same order, in any order of families.
///
/// ```
/// use solti_metrics::testing::assert_exposition_eq;
/// use solti_metrics::{Format, IntCounter, IntGauge, MetricsSet, Registry};
///
/// #[derive(MetricsSet)]
/// struct Pool {
///     /// Open connections.
///     connections: IntGauge,
///     /// Connections opened.
///     opened_total: IntCounter,
/// }
///
/// let registry = Registry::new();
/// let pool = Pool::register(&registry)?;
/// pool.opened_total().inc();
/// pool.connections().set(1);
/// assert_exposition_eq(&registry, Format::Prometheus, "\
/// ## HELP opened_total Connections opened.
/// ## TYPE opened_total counter
/// opened_total 1
/// ## HELP connections Open connections.
/// ## TYPE connections gauge
/// connections 1
/// ");
/// # Ok::<(), solti_metrics::Error>(())
/// ```
///
/// # Panics
///
/// When the expositions differ, with both, family by family.
#[track_caller]
pub fn assert_exposition_eq(registry: &Registry, format: Format, expected: &str) {
    let mut body = Vec::new();
    // Encoding into a `Vec` has no failure of its own.
    let _ = registry.encode(&mut body, format);
    let actual = String::from_utf8_lossy(&body);
    let (actual_families, expected_families) = (families(&actual), families(expected));
    if actual_families != expected_families {
        panic!(
            "the exposition differs from the expected one (families sorted):\n----- actual -----\n{}----- expected -----\n{}",
            actual_families.concat(),
            expected_families.concat()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_split_at_each_new_name() {
        let text = "# HELP b B.\n# TYPE b counter\nb_total 1\n# TYPE a gauge\n# UNIT a x\na 2\n\n# EOF\n";
        assert_eq!(families(text), ["# TYPE a gauge\n# UNIT a x\na 2\n", "# HELP b B.\n# TYPE b counter\nb_total 1\n"]);
        assert_eq!(families("x 1\n"), ["x 1\n"], "samples before any descriptor are one family");
    }

    #[test]
    #[should_panic(expected = "the exposition differs")]
    fn a_different_value_fails() {
        assert_exposition_eq(&Registry::new(), Format::Prometheus, "# TYPE a gauge\na 1\n");
    }
}
