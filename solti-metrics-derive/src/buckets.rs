//! The bounds of `buckets = linear(..)` and `buckets = exponential(..)`, computed in decimal
//! from the arguments' digits, so that each bound prints as a person would write it:
//! `linear(0.05, 0.05, 3)` gives `0.05`, `0.1`, `0.15`, where adding `f64`s gives
//! `0.15000000000000002`, which a PromQL filter on `le="0.15"` misses.
//!
//! A bound is the exact decimal result rounded to [`DIGITS`] significant digits, then the
//! `f64` nearest to it, whose shortest text (Rust's `{}`, prometheus' `le`) is that decimal.

/// The significant digits a bound keeps: the nearest `f64` to a decimal of at most 15
/// significant digits prints as that decimal.
const DIGITS: u32 = 15;

/// The significant digits kept between the steps of `exponential`, far more than [`DIGITS`],
/// so rounding at each step never shows in the bound.
const WORKING_DIGITS: u32 = 30;

/// `count` bounds, `start`, `start + width`, ...; the arguments are decimal digits as
/// written (`0.05`, `-1`, `2.5e-1`).
pub fn linear(start: &str, width: &str, count: usize) -> Vec<f64> {
    let exact = || {
        let (start, width) = (Decimal::parse(start)?, Decimal::parse(width)?);
        let scale = start.scale.max(width.scale);
        let (start, width) = (start.rescale(scale)?, width.rescale(scale)?);
        (0..count)
            .map(|step| {
                let mantissa = width.mantissa.checked_mul(i128::try_from(step).ok()?)?.checked_add(start.mantissa)?;
                Some(Decimal { mantissa, scale }.to_f64())
            })
            .collect::<Option<Vec<f64>>>()
    };
    exact().unwrap_or_else(|| {
        let (start, width) = (parse_f64(start), parse_f64(width));
        (0..count).map(|step| round_f64(start + width * step as f64)).collect()
    })
}

/// `count` bounds, `start`, `start * factor`, ...; the arguments are decimal digits as written.
pub fn exponential(start: &str, factor: &str, count: usize) -> Vec<f64> {
    let exact = || {
        let factor = Decimal::parse(factor)?;
        let mut bound = Decimal::parse(start)?;
        let mut bounds = Vec::with_capacity(count);
        for _ in 0..count {
            bounds.push(bound.to_f64());
            bound = bound.checked_mul(factor)?.round(WORKING_DIGITS);
        }
        Some(bounds)
    };
    exact().unwrap_or_else(|| {
        let (mut bound, factor) = (parse_f64(start), parse_f64(factor));
        let mut bounds = Vec::with_capacity(count);
        for _ in 0..count {
            bounds.push(round_f64(bound));
            bound *= factor;
        }
        bounds
    })
}

fn parse_f64(digits: &str) -> f64 {
    digits.parse().unwrap_or(f64::NAN)
}

/// `value` rounded to [`DIGITS`] significant digits, for arguments too long for [`Decimal`].
fn round_f64(value: f64) -> f64 {
    if value.is_finite() { parse_f64(&format!("{value:.prec$e}", prec = DIGITS as usize - 1)) } else { value }
}

/// `mantissa * 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decimal {
    mantissa: i128,
    scale: i32,
}

impl Decimal {
    /// Reads decimal digits as `syn` gives them: `10`, `0.05`, `-1.5`, `2.`, `1e-3`, `2.5E+2`.
    /// `None` when they do not fit.
    fn parse(digits: &str) -> Option<Self> {
        let (negative, digits) = match digits.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, digits),
        };
        let (significand, exponent) = match digits.find(['e', 'E']) {
            Some(at) => (&digits[..at], digits[at + 1..].parse::<i32>().ok()?),
            None => (digits, 0),
        };
        let (whole, fraction) = significand.split_once('.').unwrap_or((significand, ""));
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        let mut mantissa: i128 = 0;
        for c in whole.chars().chain(fraction.chars()) {
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(c.to_digit(10)?))?;
        }
        let scale = i32::try_from(fraction.len()).ok()?.checked_sub(exponent)?;
        Some(Decimal { mantissa: if negative { -mantissa } else { mantissa }, scale })
    }

    /// The same number with `scale` digits after the point, `scale` not below `self.scale`.
    fn rescale(self, scale: i32) -> Option<Self> {
        let shift = u32::try_from(scale.checked_sub(self.scale)?).ok()?;
        Some(Decimal { mantissa: self.mantissa.checked_mul(10i128.checked_pow(shift)?)?, scale })
    }

    fn checked_mul(self, other: Self) -> Option<Self> {
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(other.mantissa)?,
            scale: self.scale.checked_add(other.scale)?,
        })
    }

    /// Rounded to `digits` significant digits, half away from zero.
    fn round(self, digits: u32) -> Self {
        let length = self.mantissa.unsigned_abs().checked_ilog10().map_or(1, |log| log + 1);
        let Some(drop) = length.checked_sub(digits).filter(|&drop| drop > 0) else { return self };
        let divisor = 10i128.pow(drop);
        let (quotient, remainder) = (self.mantissa / divisor, self.mantissa % divisor);
        let mantissa = if remainder.unsigned_abs() >= divisor.unsigned_abs() / 2 {
            quotient + self.mantissa.signum()
        } else {
            quotient
        };
        // The scale only saturates for a number far beyond what an `f64` holds.
        Decimal { mantissa, scale: self.scale.saturating_sub(drop as i32) }
    }

    /// The `f64` nearest to the number rounded to [`DIGITS`] significant digits.
    fn to_f64(self) -> f64 {
        let Decimal { mantissa, scale } = self.round(DIGITS);
        parse_f64(&format!("{mantissa}e{}", -i64::from(scale)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bounds as `{}` prints them, which is how prometheus writes `le`.
    fn text(bounds: Vec<f64>) -> Vec<String> {
        bounds.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn linear_bounds_print_as_written() {
        assert_eq!(
            text(linear("0.05", "0.05", 10)),
            ["0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.45", "0.5"]
        );
        assert_eq!(
            text(linear("0.1", "0.1", 10)),
            ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"]
        );
        assert_eq!(text(linear("-0.3", "0.1", 7)), ["-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3"]);
        assert_eq!(text(linear("0.5", "0.25", 4)), ["0.5", "0.75", "1", "1.25"]);
        assert_eq!(text(linear("1", "2.5e-1", 3)), ["1", "1.25", "1.5"]);
        assert_eq!(text(linear("100", "1e3", 3)), ["100", "1100", "2100"]);
        assert_eq!(text(linear("0.001", "0.003", 4)), ["0.001", "0.004", "0.007", "0.01"]);
    }

    #[test]
    fn exponential_bounds_print_as_written() {
        assert_eq!(
            text(exponential("0.001", "2", 12)),
            [
                "0.001", "0.002", "0.004", "0.008", "0.016", "0.032", "0.064", "0.128", "0.256", "0.512", "1.024",
                "2.048"
            ]
        );
        assert_eq!(text(exponential("0.1", "1.5", 5)), ["0.1", "0.15", "0.225", "0.3375", "0.50625"]);
        assert_eq!(text(exponential("0.005", "10", 5)), ["0.005", "0.05", "0.5", "5", "50"]);
        assert_eq!(text(exponential("1", "1.1", 4)), ["1", "1.1", "1.21", "1.331"]);
        // Beyond 15 significant digits the exact decimal is rounded: 1.1^30 = 17.449402268886407...
        assert_eq!(text(exponential("1", "1.1", 31)).last().unwrap(), "17.4494022688864");
    }

    #[test]
    fn bounds_equal_the_f64_of_their_text() {
        // What prometheus' helpers give where their arithmetic is exact.
        assert_eq!(linear("0.5", "0.25", 4), [0.5, 0.75, 1.0, 1.25]);
        assert_eq!(exponential("0.001", "2.0", 4), [0.001, 0.002, 0.004, 0.008]);
        assert_eq!(linear("0.05", "0.05", 3), [0.05, 0.1, 0.15]);
    }

    #[test]
    fn arguments_too_long_for_a_decimal_are_rounded_as_f64() {
        // 40 digits do not fit an i128; the f64 path rounds to 15 significant digits.
        let long = "0.1000000000000000000000000000000000000000";
        assert_eq!(text(linear(long, "0.05", 3)), ["0.1", "0.15", "0.2"]);
        assert_eq!(text(exponential(long, "3", 3)), ["0.1", "0.3", "0.9"]);
    }

    #[test]
    fn huge_growth_overflows_to_infinity_without_panicking() {
        let bounds = exponential("1e300", "1e10", 3);
        assert_eq!(bounds[0], 1e300);
        assert!(bounds[2].is_infinite());
        let bounds = linear("1e308", "1e308", 3);
        assert!(bounds[2].is_infinite());
    }

    #[test]
    fn decimals_parse_every_literal_form() {
        let parse = |digits| Decimal::parse(digits).map(|d| (d.mantissa, d.scale));
        assert_eq!(parse("10"), Some((10, 0)));
        assert_eq!(parse("0.05"), Some((5, 2)));
        assert_eq!(parse("-1.5"), Some((-15, 1)));
        assert_eq!(parse("2."), Some((2, 0)));
        assert_eq!(parse("1e-3"), Some((1, 3)));
        assert_eq!(parse("2.5E+2"), Some((25, -1)));
        assert_eq!(parse("."), None);
        assert_eq!(parse("1x"), None);
    }
}
