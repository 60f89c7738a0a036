//! Pure number logic behind what the tile shows. The browser's `Intl` does the locale-specific
//! rendering (see `runtime/intl.rs`); this module decides *what* to render, exactly and without panics.

use capital_types::money::group_thousands;
use capital_types::{Currency, MinorUnits};

/// How numbers and dates are written: `Intl` in the element (`runtime/intl.rs`), `Intl`'s rules
/// natively (`server_intl.rs`), plain renderings in native tests.
pub trait Formats {
    fn money(&self, money: Option<&Money>) -> String;
    fn rate(&self, rate: Option<&Rate>) -> String;
    fn progress(&self, progress: Progress) -> String;
    fn integer(&self, value: i64) -> String;
    /// The locale's medium date, or a dash.
    fn date(&self, epoch_millis: Option<f64>) -> String;
    /// The `datetime` attribute of a `<time>`.
    fn machine_date(&self, epoch_millis: f64) -> String;
}

/// An amount of money that can be shown: non-negative, with a currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub minor: MinorUnits,
    pub currency: Currency,
}

impl Money {
    /// `None` when the amount is missing or negative (nonsense for an offer) or the currency is
    /// missing: the view then shows a dash instead of a made-up number.
    pub fn new(amount: Option<i64>, currency: Option<&Currency>) -> Option<Money> {
        let (amount, currency) = (amount?, currency?);
        (amount >= 0).then(|| Money {
            minor: MinorUnits::new(amount, currency),
            currency: currency.clone(),
        })
    }

    /// Exact major-unit decimal, e.g. `"1000.00"`; `Intl.NumberFormat` accepts it as a string
    /// without going through a float.
    pub fn decimal(&self) -> String {
        self.minor.to_decimal_string()
    }

    /// Fraction digits to show: none for whole amounts, else the currency's own.
    pub fn fraction_digits(&self) -> u32 {
        self.minor.fraction_digits_to_show()
    }

    /// Upper-case ISO code, or `None` when the currency is not three letters (then `Intl` cannot
    /// be used and [`Money::plain`] is shown).
    pub fn iso_code(&self) -> Option<String> {
        self.currency.iso_code()
    }

    /// Locale-free rendering for when `Intl` refuses the currency: `"1,234.56 XYZ"`, with the code
    /// shown only when it is a plausible one.
    pub fn plain(&self) -> String {
        let decimal = self.decimal();
        let (whole, fraction) = decimal.split_once('.').unwrap_or((&decimal, ""));
        let grouped = group_thousands(whole);
        let shown_fraction = if self.fraction_digits() == 0 {
            String::new()
        } else {
            format!(".{fraction}")
        };
        match self.iso_code() {
            Some(code) => format!("{grouped}{shown_fraction} {code}"),
            None => format!("{grouped}{shown_fraction}"),
        }
    }
}

/// A rate (`withhold_rate`, discount rates) as a fraction between 0 and 1, rounded to a hundredth
/// of a percent so float artifacts never show (0.07 is 7%, not 7.000000000000001%).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Hundredths of a percent (basis points): 0.07 → 700.
    pub basis_points: u32,
}

impl Rate {
    /// `None` for missing, non-finite or out-of-range values (Stripe's synthetic fixtures carry
    /// `withhold_rate: 65076826`); the view shows a dash rather than a nonsense percentage.
    pub fn new(fraction: Option<f64>) -> Option<Rate> {
        let fraction = fraction?;
        if !fraction.is_finite() || !(0.0..=1.0).contains(&fraction) {
            return None;
        }
        Some(Rate {
            basis_points: (fraction * 10_000.0).round() as u32,
        })
    }

    /// The fraction as an exact decimal string for `Intl` percent formatting: 700 → `"0.07"`.
    pub fn fraction_decimal(&self) -> String {
        let text = format!(
            "{}.{:04}",
            self.basis_points / 10_000,
            self.basis_points % 10_000
        );
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }

    /// Decimal digits of the percentage (0, 1 or 2): 7% → 0, 12.5% → 1, 0.25% → 2.
    pub fn percent_fraction_digits(&self) -> u32 {
        match self.basis_points % 100 {
            0 => 0,
            rest if rest % 10 == 0 => 1,
            _ => 2,
        }
    }

    /// Locale-free percentage: `"7%"`, `"12.5%"`.
    pub fn plain(&self) -> String {
        let whole = self.basis_points / 100;
        match self.percent_fraction_digits() {
            0 => format!("{whole}%"),
            1 => format!("{whole}.{}%", (self.basis_points % 100) / 10),
            _ => format!("{whole}.{:02}%", self.basis_points % 100),
        }
    }
}

/// A point in time in milliseconds since the epoch, for `Date`, from Stripe's seconds. `None` for
/// non-finite values and anything outside the years 1970–9999 (synthetic or corrupt timestamps).
pub fn epoch_millis_from_seconds(seconds: Option<f64>) -> Option<f64> {
    const YEAR_10000: f64 = 253_402_300_800.0;
    let seconds = seconds?;
    (seconds.is_finite() && (0.0..YEAR_10000).contains(&seconds)).then_some(seconds * 1000.0)
}

/// Repayment progress, in hundredths of a percent (0–10,000), worked out in integers so that no
/// float formatting is needed to show it (and none is compiled into the element).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub basis_points: u32,
}

impl Progress {
    /// Whole percent, rounded down: a bar never looks further along than the account is.
    pub fn whole_percent(&self) -> u32 {
        self.basis_points / 100
    }

    /// The whole percent as a fraction for `Intl` percent formatting: 25 → `"0.25"`.
    pub fn fraction_decimal(&self) -> String {
        Rate {
            basis_points: self.whole_percent() * 100,
        }
        .fraction_decimal()
    }

    /// The fill's CSS length with two decimals: `"27.50%"`.
    pub fn css_length(&self) -> String {
        format!(
            "{}.{:02}%",
            self.basis_points / 100,
            self.basis_points % 100
        )
    }
}

/// Repayment progress from paid and remaining amounts; `None` when it cannot be known (missing or
/// negative amounts, nothing owed at all).
pub fn repayment_progress(paid: Option<i64>, remaining: Option<i64>) -> Option<Progress> {
    let (paid, remaining) = (paid?, remaining?);
    if paid < 0 || remaining < 0 || paid.checked_add(remaining) == Some(0) {
        return None;
    }
    let (paid, total) = (paid as u64, paid as u64 + remaining as u64);
    // Exact in integers for any real amount; beyond 10^15 minor units a float is close enough.
    let basis_points = match paid.checked_mul(10_000) {
        Some(scaled) => scaled / total,
        None => (paid as f64 / total as f64 * 10_000.0) as u64,
    };
    Some(Progress {
        basis_points: basis_points.min(10_000) as u32,
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(amount: i64, currency: &str) -> Money {
        Money::new(Some(amount), Some(&Currency::from(currency))).unwrap()
    }

    #[test]
    fn money_refuses_missing_and_negative() {
        assert_eq!(Money::new(None, Some(&Currency::from("usd"))), None);
        assert_eq!(Money::new(Some(5), None), None);
        assert_eq!(Money::new(Some(-1), Some(&Currency::from("usd"))), None);
        assert!(Money::new(Some(0), Some(&Currency::from("usd"))).is_some());
    }

    #[test]
    fn money_plain_rendering() {
        assert_eq!(money(100000, "usd").plain(), "1,000 USD");
        assert_eq!(money(123456, "usd").plain(), "1,234.56 USD");
        assert_eq!(money(1500000, "jpy").plain(), "1,500,000 JPY");
        assert_eq!(money(12345, "kwd").plain(), "12.345 KWD");
        assert_eq!(money(99, "currency").plain(), "0.99");
        assert_eq!(money(0, "usd").plain(), "0 USD");
        assert_eq!(
            money(i64::MAX, "usd").plain(),
            "92,233,720,368,547,758.07 USD"
        );
    }

    #[test]
    fn money_decimals_for_intl() {
        assert_eq!(money(100000, "usd").decimal(), "1000.00");
        assert_eq!(money(100000, "usd").fraction_digits(), 0);
        assert_eq!(money(100050, "usd").fraction_digits(), 2);
        assert_eq!(money(1500000, "jpy").decimal(), "1500000");
    }

    #[test]
    fn rates_without_float_artifacts() {
        assert_eq!(Rate::new(Some(0.07)).unwrap().plain(), "7%");
        assert_eq!(Rate::new(Some(0.07)).unwrap().fraction_decimal(), "0.07");
        assert_eq!(Rate::new(Some(0.1 + 0.2)).unwrap().plain(), "30%");
        assert_eq!(Rate::new(Some(0.125)).unwrap().plain(), "12.5%");
        assert_eq!(Rate::new(Some(0.125)).unwrap().percent_fraction_digits(), 1);
        assert_eq!(Rate::new(Some(0.0025)).unwrap().plain(), "0.25%");
        assert_eq!(
            Rate::new(Some(0.0025)).unwrap().fraction_decimal(),
            "0.0025"
        );
        assert_eq!(Rate::new(Some(1.0)).unwrap().plain(), "100%");
        assert_eq!(Rate::new(Some(1.0)).unwrap().fraction_decimal(), "1");
        assert_eq!(Rate::new(Some(0.0)).unwrap().plain(), "0%");
        assert_eq!(Rate::new(Some(0.0)).unwrap().fraction_decimal(), "0");
    }

    #[test]
    fn rates_out_of_range_are_refused() {
        for bad in [
            None,
            Some(-0.01),
            Some(1.5),
            Some(65076826.0),
            Some(f64::NAN),
            Some(f64::INFINITY),
        ] {
            assert_eq!(Rate::new(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn timestamps_are_bounded() {
        assert_eq!(
            epoch_millis_from_seconds(Some(1690934400.0)),
            Some(1690934400000.0)
        );
        assert_eq!(epoch_millis_from_seconds(Some(f64::NAN)), None);
        assert_eq!(epoch_millis_from_seconds(Some(-1.0)), None);
        assert_eq!(epoch_millis_from_seconds(Some(1e15)), None);
        assert_eq!(epoch_millis_from_seconds(None), None);
    }

    #[test]
    fn progress_from_paid_and_remaining() {
        let progress =
            |paid, remaining| repayment_progress(paid, remaining).map(|p| p.basis_points);
        assert_eq!(progress(Some(25), Some(75)), Some(2_500));
        assert_eq!(progress(Some(0), Some(100)), Some(0));
        assert_eq!(progress(Some(100), Some(0)), Some(10_000));
        assert_eq!(progress(Some(1), Some(2)), Some(3_333));
        assert_eq!(progress(Some(0), Some(0)), None);
        assert_eq!(progress(Some(-5), Some(10)), None);
        assert_eq!(progress(None, Some(10)), None);
        assert_eq!(progress(Some(i64::MAX), Some(i64::MAX)), Some(5_000));
    }

    #[test]
    fn progress_renderings() {
        let progress = Progress {
            basis_points: 2_750,
        };
        assert_eq!(progress.whole_percent(), 27);
        assert_eq!(progress.fraction_decimal(), "0.27");
        assert_eq!(progress.css_length(), "27.50%");
        assert_eq!(Progress { basis_points: 5 }.css_length(), "0.05%");
        assert_eq!(
            Progress {
                basis_points: 10_000
            }
            .fraction_decimal(),
            "1"
        );
        assert_eq!(Progress { basis_points: 99 }.fraction_decimal(), "0");
    }

    proptest! {
        #[test]
        fn rate_fraction_decimal_round_trips(bp in 0u32..=10_000) {
            let rate = Rate { basis_points: bp };
            let parsed: f64 = rate.fraction_decimal().parse().unwrap();
            prop_assert_eq!(Rate::new(Some(parsed)), Some(rate));
        }

        #[test]
        fn plain_money_keeps_every_digit(amount in 0i64..=i64::MAX) {
            let text = money(amount, "usd").plain();
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            let expected = if amount % 100 == 0 { (amount / 100).to_string() } else { format!("{}{:02}", amount / 100, amount % 100) };
            prop_assert_eq!(digits, expected);
        }

        #[test]
        fn progress_stays_in_range(paid in any::<i64>(), remaining in any::<i64>()) {
            if let Some(progress) = repayment_progress(Some(paid), Some(remaining)) {
                prop_assert!(progress.basis_points <= 10_000);
                let exact = paid as f64 / (paid as f64 + remaining as f64) * 10_000.0;
                prop_assert!((exact - f64::from(progress.basis_points)).abs() <= 1.0);
            }
        }
    }
}
