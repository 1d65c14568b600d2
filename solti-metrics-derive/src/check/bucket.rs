//! A histogram's buckets: a list of bounds, or `linear` and `exponential`, computed in decimal
//! so that each bound prints as written (see `crate::buckets`).

use solti_metrics_rules::buckets as rules;

use crate::attr::{BucketForm, Buckets, Number};
use crate::buckets;
use crate::ctxt::Errors;

/// The most buckets `linear` and `exponential` may generate.
const MAX_GENERATED_BUCKETS: f64 = 1000.0;

/// Computes a histogram's bounds, recording what is wrong with them. The bounds of `linear`
/// and `exponential` are computed in decimal, so each prints as written (see `buckets`).
pub(super) fn bucket_values(buckets: &Buckets, errors: &mut Errors) -> Vec<f64> {
    let values = match &buckets.form {
        BucketForm::List(list) => {
            if list.is_empty() {
                errors.error(buckets.span, rules::EMPTY);
            }
            let values: Vec<f64> = list.iter().map(|bound| bound.value).collect();
            for (position, message) in rules::bounds(&values) {
                errors.error(list[position].span, message);
            }
            return values;
        }
        BucketForm::Linear { start, width, count } => {
            let valid = finite(start, "`start`", errors) & finite(width, "`width`", errors) & count_ok(count, errors);
            if width.value <= 0.0 {
                errors.error(width.span, format_args!("`linear` needs a positive width, found `{:?}`", width.value));
                return Vec::new();
            }
            if !valid {
                return Vec::new();
            }
            buckets::linear(&start.digits, &width.digits, count.value as usize)
        }
        BucketForm::Exponential { start, factor, count } => {
            let valid = finite(start, "`start`", errors) & finite(factor, "`factor`", errors) & count_ok(count, errors);
            if start.value <= 0.0 {
                errors
                    .error(start.span, format_args!("`exponential` needs a positive start, found `{:?}`", start.value));
                return Vec::new();
            }
            if factor.value <= 1.0 {
                errors.error(
                    factor.span,
                    format_args!("`exponential` needs a factor greater than 1, found `{:?}`", factor.value),
                );
                return Vec::new();
            }
            if !valid {
                return Vec::new();
            }
            buckets::exponential(&start.digits, &factor.digits, count.value as usize)
        }
    };
    if let Some(last) = values.last().filter(|last| !last.is_finite()) {
        errors.error(
            buckets.span,
            format_args!("the generated buckets overflow to `{last:?}`; use fewer or smaller steps"),
        );
    } else if let Some(pair) = values.windows(2).find(|pair| pair[1] <= pair[0]) {
        errors.error(
            buckets.span,
            format_args!(
                "the generated buckets are not strictly increasing: `{:?}` follows `{:?}`; the step is too small for `f64` at this magnitude",
                pair[1], pair[0]
            ),
        );
    }
    values
}

fn finite(number: &Number, what: &str, errors: &mut Errors) -> bool {
    let ok = number.value.is_finite();
    if !ok {
        errors.error(number.span, format_args!("{what} must be a finite number"));
    }
    ok
}

fn count_ok(count: &Number, errors: &mut Errors) -> bool {
    let ok = count.value.fract() == 0.0 && count.value >= 1.0 && count.value <= MAX_GENERATED_BUCKETS;
    if !ok {
        errors.error(
            count.span,
            format_args!("`count` must be a whole number from 1 to {MAX_GENERATED_BUCKETS}, found `{}`", count.value),
        );
    }
    ok
}
