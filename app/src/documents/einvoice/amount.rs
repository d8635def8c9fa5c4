//! Exact decimal amounts as written in e-invoices (`xs:decimal`).
//!
//! Money never goes through floating point here: the text is kept as an
//! integer mantissa plus the number of fraction digits, so "19.90" stays
//! exactly 1990 × 10⁻².

use std::fmt;

/// Most significant digits accepted; keeps the mantissa far inside `i128`
/// (10³⁰ < 2¹²⁷) so arithmetic on it can never overflow.
pub const MAX_AMOUNT_DIGITS: usize = 30;

/// A decimal number `units × 10^-scale`.
///
/// Equality is by representation: `1.5` and `1.50` are different values of
/// this type (an invoice that writes "1.50" is displayed as "1.50"). Compare
/// [`Amount::cents`] when the value is what matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount {
    units: i128,
    scale: u8,
}

/// Why a text is not an `xs:decimal` this module accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    /// Anything but an optional sign, digits and at most one '.', including
    /// exponents ("1e3") and thousands separators ("1,000").
    Syntax,
    /// More than [`MAX_AMOUNT_DIGITS`] significant or fraction digits.
    TooManyDigits,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AmountError::Empty => "empty number",
            AmountError::Syntax => "not a decimal number",
            AmountError::TooManyDigits => "too many digits",
        })
    }
}

impl Amount {
    /// `units × 10^-scale`, if it stays within [`MAX_AMOUNT_DIGITS`] digits.
    pub fn from_parts(units: i128, scale: u8) -> Option<Amount> {
        let limit = 10u128.pow(MAX_AMOUNT_DIGITS as u32);
        (usize::from(scale) <= MAX_AMOUNT_DIGITS && units.unsigned_abs() < limit)
            .then_some(Amount { units, scale })
    }

    /// Parses the `xs:decimal` lexical form: `[+-]digits[.digits]`, where
    /// either side of the '.' may be empty but not both. Surrounding XML
    /// whitespace is the caller's business (the XML reader trims it).
    pub fn parse(text: &str) -> Result<Amount, AmountError> {
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        let (negative, body) = match text.as_bytes()[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int_part.is_empty() && frac_part.is_empty())
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return Err(AmountError::Syntax);
        }
        if frac_part.len() > MAX_AMOUNT_DIGITS {
            return Err(AmountError::TooManyDigits);
        }
        // Leading zeros carry no information; counting them would reject
        // harmless input such as "0000001.00".
        let significant = int_part
            .bytes()
            .chain(frac_part.bytes())
            .skip_while(|&b| b == b'0')
            .count();
        if significant > MAX_AMOUNT_DIGITS {
            return Err(AmountError::TooManyDigits);
        }
        let mut units: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            // Cannot overflow: at most 30 significant digits, checked above.
            units = units * 10 + i128::from(b - b'0');
        }
        if negative {
            units = -units;
        }
        // frac_part.len() <= 30, so the cast is lossless.
        Ok(Amount {
            units,
            scale: frac_part.len() as u8,
        })
    }

    pub fn units(&self) -> i128 {
        self.units
    }

    pub fn scale(&self) -> u8 {
        self.scale
    }

    pub fn is_negative(&self) -> bool {
        self.units < 0
    }

    /// The value in hundredths (cents), only when that is exact: "12.3" →
    /// 1230, "12.345" → `None`, "12.340" → 1234. Rounding is left to the
    /// caller on purpose: an invoice total that is not a whole number of
    /// cents is suspicious, and silently rounding it would hide that.
    /// Also `None` when the result does not fit an `i64`.
    pub fn cents(&self) -> Option<i64> {
        let cents = if self.scale <= 2 {
            self.units
                .checked_mul(10i128.pow(u32::from(2 - self.scale)))?
        } else {
            let divisor = 10i128.pow(u32::from(self.scale - 2));
            if self.units % divisor != 0 {
                return None;
            }
            self.units / divisor
        };
        i64::try_from(cents).ok()
    }
}

impl fmt::Display for Amount {
    /// Canonical form: optional '-', no '+', no superfluous leading zeros, and
    /// exactly `scale` fraction digits ("1234.50", "-0.05", "7").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let scale = usize::from(self.scale);
        let sign = if self.units < 0 { "-" } else { "" };
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int_part}.{frac_part}")
    }
}

impl std::str::FromStr for Amount {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amount::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s).expect(s)
    }

    #[test]
    fn parses_xs_decimal_forms() {
        assert_eq!(a("1234.50"), Amount::from_parts(123450, 2).unwrap());
        assert_eq!(a("-0.05"), Amount::from_parts(-5, 2).unwrap());
        assert_eq!(a("+7"), Amount::from_parts(7, 0).unwrap());
        assert_eq!(a("5."), Amount::from_parts(5, 0).unwrap());
        assert_eq!(a(".5"), Amount::from_parts(5, 1).unwrap());
        assert_eq!(a("000001.00"), Amount::from_parts(100, 2).unwrap());
        assert_eq!(a("-0"), Amount::from_parts(0, 0).unwrap());
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "1e3", "1E3", "1,000.00", "1.000,00", " 1", "1 ", "--1", "+-1", ".", "-", "+", "1.2.3",
            "0x10", "NaN", "inf", "١٢", "12€", "1_000",
        ] {
            assert_eq!(Amount::parse(bad), Err(AmountError::Syntax), "{bad:?}");
        }
        assert_eq!(Amount::parse(""), Err(AmountError::Empty));
    }

    #[test]
    fn digit_limits() {
        let thirty = "9".repeat(30);
        assert!(Amount::parse(&thirty).is_ok());
        assert!(Amount::parse(&format!("-{thirty}")).is_ok());
        assert_eq!(
            Amount::parse(&"9".repeat(31)),
            Err(AmountError::TooManyDigits)
        );
        assert_eq!(
            Amount::parse(&format!("0.{}", "1".repeat(31))),
            Err(AmountError::TooManyDigits)
        );
        // Leading zeros are free, fraction digits are not.
        assert!(Amount::parse(&format!("{}1", "0".repeat(500))).is_ok());
        assert!(Amount::parse(&format!("0.{}1", "0".repeat(29))).is_ok());
        assert!(Amount::from_parts(10i128.pow(30), 0).is_none());
        assert!(Amount::from_parts(1, 31).is_none());
        assert!(Amount::from_parts(i128::MIN, 0).is_none());
        assert!(Amount::from_parts(i128::MAX, 0).is_none());
    }

    #[test]
    fn canonical_display() {
        assert_eq!(a("1234.50").to_string(), "1234.50");
        assert_eq!(a("+001.5").to_string(), "1.5");
        assert_eq!(a("-.05").to_string(), "-0.05");
        assert_eq!(a("0.000").to_string(), "0.000");
        assert_eq!(a("-0.00").to_string(), "0.00");
        assert_eq!(a("42").to_string(), "42");
    }

    #[test]
    fn cents_is_exact_or_none() {
        assert_eq!(a("12.3").cents(), Some(1230));
        assert_eq!(a("12").cents(), Some(1200));
        assert_eq!(a("-12.34").cents(), Some(-1234));
        assert_eq!(a("12.340").cents(), Some(1234));
        assert_eq!(a("12.345").cents(), None);
        assert_eq!(a(&"9".repeat(30)).cents(), None);
        assert_eq!(a("92233720368547758.07").cents(), Some(i64::MAX));
        assert_eq!(a("92233720368547758.08").cents(), None);
    }

    proptest! {
        #![proptest_config(crate::documents::einvoice::fixtures::property_config())]

        #[test]
        fn display_parse_round_trip(
            units in -(10i128.pow(30) - 1)..10i128.pow(30),
            scale in 0u8..=30,
        ) {
            let amount = Amount::from_parts(units, scale).unwrap();
            let text = amount.to_string();
            prop_assert_eq!(Amount::parse(&text), Ok(amount));
            prop_assert_eq!(Amount::parse(&text).unwrap().to_string(), text);
        }

        #[test]
        fn parse_never_panics(text in "[-+.0-9eE, ]{0,40}") {
            if let Ok(amount) = Amount::parse(&text) {
                prop_assert_eq!(Amount::parse(&amount.to_string()), Ok(amount));
            }
        }
    }
}
