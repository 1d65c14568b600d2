//! Numbers as each format writes them.
//!
//! The Prometheus text writes numbers as Rust's `Display` formats an `f64` (so `inf`, `-inf`
//! and `NaN`, and no exponent), as `prometheus::TextEncoder` does; OpenMetrics as the Go
//! client does.

use std::io::Write as _;

use crate::exposition::Text;
use crate::series::Number;

/// Integers up to this magnitude are exact in an `f64`, which prints them without a fraction.
const EXACT: u64 = 1 << 53;

pub(crate) fn write_number(out: &mut Vec<u8>, format: Text, number: Number) {
    let mut buffer = itoa::Buffer::new();
    match (format, number) {
        (Text::OpenMetrics, Number::U64(value)) => out.extend_from_slice(buffer.format(value).as_bytes()),
        (Text::OpenMetrics, Number::I64(value)) => out.extend_from_slice(buffer.format(value).as_bytes()),
        // The Prometheus text holds every value as an `f64`: a large integer is rounded first.
        (Text::Prometheus, Number::U64(value)) if value <= EXACT => {
            out.extend_from_slice(buffer.format(value).as_bytes());
        }
        (Text::Prometheus, Number::I64(value)) if value.unsigned_abs() <= EXACT => {
            out.extend_from_slice(buffer.format(value).as_bytes());
        }
        (_, number) => write_f64(out, format, number.as_f64()),
    }
}

/// `value` as `Display` writes it (Prometheus) or as OpenMetrics spells it (`+Inf`, `-Inf`,
/// `NaN`, and a fraction on whole numbers, as the Go client writes them).
pub(crate) fn write_f64(out: &mut Vec<u8>, format: Text, value: f64) {
    if value.fract() == 0.0 && value.abs() < 1e15 && !(value == 0.0 && value.is_sign_negative()) {
        // Whole numbers, the common case (counts, integer gauges), without `core::fmt`.
        out.extend_from_slice(itoa::Buffer::new().format(value as i64).as_bytes());
        if format == Text::OpenMetrics {
            out.extend_from_slice(b".0");
        }
        return;
    }
    match format {
        Text::OpenMetrics if value.is_nan() => out.extend_from_slice(b"NaN"),
        Text::OpenMetrics if value == f64::INFINITY => out.extend_from_slice(b"+Inf"),
        Text::OpenMetrics if value == f64::NEG_INFINITY => out.extend_from_slice(b"-Inf"),
        _ => {
            // Writing into a `Vec` cannot fail.
            let _ = write!(out, "{value}");
            if format == Text::OpenMetrics && value.fract() == 0.0 {
                out.extend_from_slice(b".0");
            }
        }
    }
}

/// The `le` label value of a bucket bound, in each format.
pub(crate) fn bound_text(format: Text, bound: f64) -> String {
    let mut text = Vec::new();
    write_f64(&mut text, format, bound);
    String::from_utf8(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(format: Text, number: Number) -> String {
        let mut out = Vec::new();
        write_number(&mut out, format, number);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn prometheus_numbers_are_display_of_f64() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1e15,
            1e16,
            1e21,
            1e300,
            1e-7,
            123456.789,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
            f64::MIN_POSITIVE,
            9007199254740993.0,
            -999999999999999.0,
        ];
        for value in values {
            assert_eq!(text(Text::Prometheus, Number::F64(value)), value.to_string(), "{value}");
        }
        for value in [0, 1, EXACT - 1, EXACT, EXACT + 1, u64::MAX] {
            assert_eq!(text(Text::Prometheus, Number::U64(value)), (value as f64).to_string(), "{value}");
        }
        for value in [0, -1, i64::MIN, i64::MAX, -(EXACT as i64) - 1] {
            assert_eq!(text(Text::Prometheus, Number::I64(value)), (value as f64).to_string(), "{value}");
        }
    }

    #[test]
    fn openmetrics_numbers() {
        assert_eq!(text(Text::OpenMetrics, Number::U64(u64::MAX)), u64::MAX.to_string());
        assert_eq!(text(Text::OpenMetrics, Number::I64(-5)), "-5");
        assert_eq!(text(Text::OpenMetrics, Number::F64(1.0)), "1.0");
        assert_eq!(text(Text::OpenMetrics, Number::F64(0.25)), "0.25");
        assert_eq!(text(Text::OpenMetrics, Number::F64(-0.0)), "-0.0");
        assert_eq!(text(Text::OpenMetrics, Number::F64(1e300)).len(), 303);
        assert_eq!(text(Text::OpenMetrics, Number::F64(f64::INFINITY)), "+Inf");
        assert_eq!(text(Text::OpenMetrics, Number::F64(f64::NEG_INFINITY)), "-Inf");
        assert_eq!(text(Text::OpenMetrics, Number::F64(f64::NAN)), "NaN");
    }
}
