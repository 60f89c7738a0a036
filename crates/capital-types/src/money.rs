//! Currencies and amounts in minor units, as Stripe sends them.

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code as Stripe sends it (lowercase). Kept as given: the synthetic fixtures
/// contain the placeholder string `"currency"`, which must parse even though it cannot be shown as money.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Currency(String);

/// Currencies whose amounts are already in whole units (Stripe's list).
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];
/// Currencies whose amounts are in thousandths (Stripe's list).
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

impl Currency {
    pub fn new(code: impl Into<String>) -> Self {
        Currency(code.into())
    }

    /// The code as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code in upper case when it is three ASCII letters, the form `Intl.NumberFormat` accepts;
    /// `None` for anything else (placeholders, empty strings, injected text).
    pub fn iso_code(&self) -> Option<String> {
        let code = self.0.trim();
        (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| code.to_ascii_uppercase())
    }

    /// How many decimal digits one major unit has: 0, 2 or 3.
    pub fn minor_unit_exponent(&self) -> u32 {
        let code = self.0.trim().to_ascii_lowercase();
        if ZERO_DECIMAL.contains(&code.as_str()) {
            0
        } else if THREE_DECIMAL.contains(&code.as_str()) {
            3
        } else {
            2
        }
    }
}

impl From<&str> for Currency {
    fn from(code: &str) -> Self {
        Currency::new(code)
    }
}

/// An amount in a currency's minor unit, converted to an exact decimal string in major units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinorUnits {
    pub amount: i64,
    pub exponent: u32,
}

impl MinorUnits {
    pub fn new(amount: i64, currency: &Currency) -> Self {
        MinorUnits {
            amount,
            exponent: currency.minor_unit_exponent(),
        }
    }

    /// Whether the amount is a whole number of major units (then it is shown without decimals).
    pub fn is_whole(&self) -> bool {
        self.amount % 10_i64.pow(self.exponent) == 0
    }

    /// The exact amount in major units as a plain decimal string, e.g. `"1234.50"` for 123450 USD
    /// cents or `"1234"` for 1234 JPY. Integer arithmetic only: no float rounding, any `i64`.
    pub fn to_decimal_string(&self) -> String {
        let negative = self.amount < 0;
        let digits = self.amount.unsigned_abs().to_string();
        let exponent = self.exponent as usize;
        let body = if exponent == 0 {
            digits
        } else {
            let padded = format!("{digits:0>width$}", width = exponent + 1);
            let (whole, fraction) = padded
                .split_at_checked(padded.len() - exponent)
                .unwrap_or_default();
            format!("{whole}.{fraction}")
        };
        if negative { format!("-{body}") } else { body }
    }

    /// Decimal digits to show: none for whole amounts, else the currency's own.
    pub fn fraction_digits_to_show(&self) -> u32 {
        if self.is_whole() { 0 } else { self.exponent }
    }
}

/// A decimal string with its whole part grouped in threes by commas: `-1234567.50` →
/// `-1,234,567.50`. The locale-free rendering the element falls back to when `Intl` refuses an
/// input, and the one the sandbox's server-rendered pages use.
pub fn group_thousands(decimal: &str) -> String {
    let (sign, unsigned) = match decimal.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", decimal),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut out = String::with_capacity(decimal.len() + whole.len() / 3);
    out.push_str(sign);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// `1,234.56 USD` from minor units: locale-free, for what the server renders (the sandbox's pages,
/// the offer email). The element formats with `Intl` instead.
pub fn money_text(amount: i64, currency: &str) -> String {
    let units = MinorUnits::new(amount, &currency.into());
    format!(
        "{} {}",
        group_thousands(&units.to_decimal_string()),
        currency.to_ascii_uppercase()
    )
}

/// A rate (a fraction) as a percentage to a hundredth: `0.125` is `12.5%`. Locale-free, like
/// [`money_text`].
pub fn percent_text(rate: f64) -> String {
    format!("{}%", (rate * 10_000.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn money_text_is_in_major_units() {
        assert_eq!(money_text(123_456, "usd"), "1,234.56 USD");
        assert_eq!(money_text(1_500_000, "jpy"), "1,500,000 JPY");
        assert_eq!(money_text(-50, "eur"), "-0.50 EUR");
    }

    #[test]
    fn percent_text_rounds_to_a_hundredth() {
        assert_eq!(percent_text(0.125), "12.5%");
        assert_eq!(percent_text(0.1), "10%");
        assert_eq!(percent_text(0.123456), "12.35%");
    }

    #[test]
    fn thousands_are_grouped_with_sign_and_fraction_kept() {
        assert_eq!(group_thousands("0"), "0");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("1000"), "1,000");
        assert_eq!(group_thousands("1234567.50"), "1,234,567.50");
        assert_eq!(group_thousands("-1234.5"), "-1,234.5");
        assert_eq!(group_thousands("-0.50"), "-0.50");
    }

    fn decimal(amount: i64, currency: &str) -> String {
        MinorUnits::new(amount, &Currency::from(currency)).to_decimal_string()
    }

    #[test]
    fn exponents_follow_stripes_lists() {
        assert_eq!(Currency::from("usd").minor_unit_exponent(), 2);
        assert_eq!(Currency::from("JPY").minor_unit_exponent(), 0);
        assert_eq!(Currency::from("krw").minor_unit_exponent(), 0);
        assert_eq!(Currency::from("kwd").minor_unit_exponent(), 3);
        assert_eq!(Currency::from("currency").minor_unit_exponent(), 2);
    }

    #[test]
    fn decimal_strings_are_exact() {
        assert_eq!(decimal(100000, "usd"), "1000.00");
        assert_eq!(decimal(123456, "usd"), "1234.56");
        assert_eq!(decimal(5, "usd"), "0.05");
        assert_eq!(decimal(0, "usd"), "0.00");
        assert_eq!(decimal(-250, "eur"), "-2.50");
        assert_eq!(decimal(1234, "jpy"), "1234");
        assert_eq!(decimal(12345, "kwd"), "12.345");
        assert_eq!(decimal(i64::MAX, "usd"), "92233720368547758.07");
        assert_eq!(decimal(i64::MIN, "usd"), "-92233720368547758.08");
    }

    #[test]
    fn whole_amounts_show_no_decimals() {
        assert_eq!(
            MinorUnits::new(100000, &"usd".into()).fraction_digits_to_show(),
            0
        );
        assert_eq!(
            MinorUnits::new(100050, &"usd".into()).fraction_digits_to_show(),
            2
        );
        assert_eq!(
            MinorUnits::new(1001, &"jpy".into()).fraction_digits_to_show(),
            0
        );
        assert_eq!(
            MinorUnits::new(12340, &"bhd".into()).fraction_digits_to_show(),
            3
        );
        assert_eq!(
            MinorUnits::new(12000, &"bhd".into()).fraction_digits_to_show(),
            0
        );
    }

    #[test]
    fn iso_codes_only_for_three_letters() {
        assert_eq!(Currency::from("usd").iso_code().as_deref(), Some("USD"));
        assert_eq!(Currency::from("currency").iso_code(), None);
        assert_eq!(Currency::from("<b>").iso_code(), None);
        assert_eq!(Currency::from("").iso_code(), None);
    }

    proptest! {
        #[test]
        fn decimal_string_round_trips(amount in any::<i64>(), exponent in prop::sample::select(vec![0u32, 2, 3])) {
            let text = MinorUnits { amount, exponent }.to_decimal_string();
            let digits: String = text.chars().filter(|c| *c != '.').collect();
            let parsed: i128 = digits.parse().unwrap();
            prop_assert_eq!(parsed, amount as i128);
            let fraction_len = text.split('.').nth(1).map_or(0, str::len);
            prop_assert_eq!(fraction_len as u32, exponent);
        }
    }
}
