//! A histogram's bucket bounds.

/// The buckets of a histogram declared without any: the `prometheus` crate's and the Go
/// client's defaults, in seconds.
pub const DEFAULT_BUCKETS: &[f64; 11] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Buckets declared on a metric that is not a histogram.
pub const NOT_A_HISTOGRAM: &str =
    "`buckets` only apply to `Histogram` and `HistogramVec`; remove them, or make the field a histogram";

/// `buckets()` with no bound.
pub const EMPTY: &str = "`buckets()` is empty; give at least one bound";

/// Every bound of `bounds` that breaks a rule, by its position, with what is wrong: each is
/// finite (`+Inf` is always added), and each is above the one before.
pub fn bounds(bounds: &[f64]) -> Vec<(usize, String)> {
    let mut wrong = Vec::new();
    for (i, pair) in bounds.windows(2).enumerate() {
        if pair[1] <= pair[0] {
            wrong
                .push((i + 1, format!("buckets must be strictly increasing: `{:?}` follows `{:?}`", pair[1], pair[0])));
        }
    }
    for (i, bound) in bounds.iter().enumerate() {
        if !bound.is_finite() {
            wrong.push((i, "a bucket bound must be a finite number; the `+Inf` bucket is always added".to_owned()));
        }
    }
    wrong
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_increase_and_are_finite() {
        assert!(bounds(&[0.1, 1.0]).is_empty());
        assert!(bounds(DEFAULT_BUCKETS).is_empty());
        assert_eq!(bounds(&[1.0, 0.5])[0], (1, "buckets must be strictly increasing: `0.5` follows `1.0`".to_owned()));
        assert_eq!(bounds(&[1.0, f64::INFINITY]).len(), 1, "+Inf is added, never declared");
        assert_eq!(bounds(&[f64::NAN]).len(), 1);
    }
}
