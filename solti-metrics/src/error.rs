//! Errors of registration and exposition.

/// Why a set, a collector or a registry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A metric exports a series name that something already in the registry exports.
    AlreadyRegistered {
        /// The series name both export.
        series: String,
        /// The set (or collector) being registered, and its metric.
        new: String,
        /// What already exports it.
        existing: String,
    },
    /// A set's label name is one of the registry's constant labels.
    ConstLabelClash {
        /// The metric that declares the label.
        metric: String,
        /// The label name.
        label: String,
    },
    /// A metric breaks a rule of the exposition format (checked at compile time for derived
    /// sets; reached by hand-built descriptions).
    InvalidMetric {
        /// The metric's name.
        metric: String,
        /// What is wrong.
        reason: String,
    },
    /// A registry's prefix or constant label is not valid.
    InvalidRegistry(String),
    /// The set or collector to unregister is not in the registry.
    NotRegistered(String),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::AlreadyRegistered { series, new, existing } => {
                write!(
                    f,
                    "series `{series}` of {new} is already exported by {existing}; rename one of the metrics with `#[metric(name = \"..\")]` or give the sets different namespaces, and list the sets in `solti_metrics::assert_disjoint!(..)` to find such a clash at compile time"
                )
            }
            Self::ConstLabelClash { metric, label } => {
                write!(f, "metric `{metric}` declares label `{label}`, which is one of the registry's constant labels")
            }
            Self::InvalidMetric { metric, reason } => write!(f, "metric `{metric}`: {reason}"),
            Self::InvalidRegistry(reason) => write!(f, "invalid registry: {reason}"),
            Self::NotRegistered(what) => write!(f, "{what} is not registered"),
        }
    }
}

impl std::error::Error for Error {}
