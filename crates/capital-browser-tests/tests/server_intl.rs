//! The element's text written natively (`capital_offer_tile::model::server_intl`), held to
//! Chromium's `Intl`, string for string: the rules it writes with (`src/model/server_intl/
//! table.rs`) are read off Chromium here, and everything the tile formats (money in USD, EUR,
//! GBP, AUD, CAD and JPY, rates, repayment progress, whole numbers, medium dates) is compared in
//! every locale of the table, with the options `src/runtime/intl.rs` uses.
//!
//! `UPDATE_SERVER_INTL=1` writes the table from this Chromium; without it, a table that differs
//! from what Chromium says fails.
#![cfg(not(target_arch = "wasm32"))]

use capital_browser_tests as harness;

use capital_offer_tile::model::format::{Formats, Money, Progress, Rate, repayment_progress};
use capital_offer_tile::model::server_intl::ServerIntl;
use capital_types::Currency;
use harness::{Bench, root};
use serde_json::{Value, json};

/// The locales the element has copy for, and their common regions.
const LOCALES: [&str; 15] = [
    "en", "en-US", "en-GB", "en-AU", "en-CA", "en-IE", "fr", "fr-FR", "fr-CA", "fr-BE", "fr-CH",
    "de", "de-DE", "de-AT", "de-CH",
];
const CURRENCIES: [&str; 6] = ["USD", "EUR", "GBP", "AUD", "CAD", "JPY"];

/// Reads, for each locale, what `Intl` puts around and between the digits.
const READ_TABLE: &str = r#"
const [locales, currencies] = arguments;
const isNumber = (p) => ['integer', 'group', 'decimal', 'fraction'].includes(p.type);
const affixes = (parts) => {
  const first = parts.findIndex(isNumber);
  let last = parts.length - 1;
  while (!isNumber(parts[last])) last--;
  return [parts.slice(0, first).map((p) => p.value).join(''), parts.slice(last + 1).map((p) => p.value).join('')];
};
return locales.map((tag) => {
  const plain = new Intl.NumberFormat(tag);
  const date = new Intl.DateTimeFormat(tag, {dateStyle: 'medium', timeZone: 'UTC'});
  const january = date.formatToParts(Date.UTC(2026, 0, 7, 12));
  return {
    tag,
    group: plain.formatToParts(1234567.5).find((p) => p.type === 'group')?.value ?? '',
    minGrouping: plain.formatToParts(1234).some((p) => p.type === 'group') ? 1 : 2,
    decimal: plain.formatToParts(1.5).find((p) => p.type === 'decimal').value,
    minus: plain.formatToParts(-1).find((p) => p.type === 'minusSign').value,
    percent: affixes(new Intl.NumberFormat(tag, {style: 'percent'}).formatToParts(0.12)),
    currencies: currencies.map((c) => {
      const parts = new Intl.NumberFormat(tag, {style: 'currency', currency: c, minimumFractionDigits: 1}).formatToParts(1234567.5);
      const separator = (type) => parts.find((p) => p.type === type)?.value ?? '';
      return [c, ...affixes(parts), separator('group'), separator('decimal')];
    }),
    parts: january.map((p) => p.type === 'literal' ? ['literal', p.value] : [p.type]),
    months: [...Array(12).keys()].map((m) => date.formatToParts(Date.UTC(2026, m, 7, 12)).find((p) => p.type === 'month').value),
    dayTwoDigits: january.find((p) => p.type === 'day').value === '07',
  };
});
"#;

/// A Rust string literal, with invisible characters (no-break spaces, marks) escaped so that a
/// reader sees them.
fn literal(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' ' => out.push(' '),
            c if c.is_whitespace()
                || c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}') =>
            {
                out += &format!("\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn table_source(table: &Value) -> String {
    let text = |v: &Value| literal(v.as_str().unwrap());
    let mut out = String::from(
        "// Generated from Chromium's Intl by crates/capital-browser-tests/tests/server_intl.rs\n// (`UPDATE_SERVER_INTL=1`): edit that test, not this file.\n\nuse super::{CurrencyTable, DatePart, DateTable, LocaleTable};\n\npub(super) const LOCALES: &[LocaleTable] = &[\n",
    );
    for locale in table.as_array().unwrap() {
        out += "    LocaleTable {\n";
        out += &format!("        tag: {},\n", text(&locale["tag"]));
        out += &format!("        group: {},\n", text(&locale["group"]));
        out += &format!("        min_grouping: {},\n", locale["minGrouping"]);
        out += &format!("        decimal: {},\n", text(&locale["decimal"]));
        out += &format!("        minus: {},\n", text(&locale["minus"]));
        out += &format!(
            "        percent: ({}, {}),\n",
            text(&locale["percent"][0]),
            text(&locale["percent"][1])
        );
        out += "        currencies: &[\n";
        for currency in locale["currencies"].as_array().unwrap() {
            out += &format!(
                "            CurrencyTable {{ code: {}, prefix: {}, suffix: {}, group: {}, decimal: {} }},\n",
                text(&currency[0]),
                text(&currency[1]),
                text(&currency[2]),
                text(&currency[3]),
                text(&currency[4])
            );
        }
        out += "        ],\n        date: DateTable {\n            parts: &[\n";
        for part in locale["parts"].as_array().unwrap() {
            out += &match part[0].as_str().unwrap() {
                "literal" => format!("                DatePart::Literal({}),\n", text(&part[1])),
                "day" => "                DatePart::Day,\n".to_owned(),
                "month" => "                DatePart::Month,\n".to_owned(),
                "year" => "                DatePart::Year,\n".to_owned(),
                other => panic!("a date part the table cannot hold: {other}"),
            };
        }
        out += "            ],\n            months: [\n";
        for month in locale["months"].as_array().unwrap() {
            out += &format!("                {},\n", text(month));
        }
        out += &format!(
            "            ],\n            day_two_digits: {},\n        }},\n    }},\n",
            locale["dayTwoDigits"]
        );
    }
    out += "];\n";
    out
}

#[tokio::test]
async fn the_table_is_what_chromium_says() {
    let bench = Bench::start().await;
    bench.open("<p>Intl</p>").await;
    let table = bench
        .client
        .execute(READ_TABLE, vec![json!(LOCALES), json!(CURRENCIES)])
        .await
        .unwrap();
    let source = table_source(&table);
    let path = root().join("src/model/server_intl/table.rs");
    if std::env::var_os("UPDATE_SERVER_INTL").is_some() {
        std::fs::write(&path, &source).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        source,
        "src/model/server_intl/table.rs is not what this Chromium's Intl says: run `UPDATE_SERVER_INTL=1 cargo test -p capital-browser-tests --test server_intl`"
    );
    bench.finish().await;
}

/// Everything the tile formats, in `locale`, natively and by Chromium with the element's options.
#[tokio::test]
async fn every_string_is_chromiums() {
    let bench = Bench::start().await;
    bench.open("<p>Intl</p>").await;
    let amounts: [i64; 7] = [0, 5, 99, 123_456, 1_500_000, 1_500_050, 123_456_789];
    let rates = [0.12, 0.125, 0.1225, 0.05, 0.005, 1.0];
    let progress: Vec<Progress> = [(2_750, 7_250), (1, 999), (999, 1), (5, 995), (0, 10)]
        .into_iter()
        .filter_map(|(paid, remaining)| repayment_progress(Some(paid), Some(remaining)))
        .collect();
    // Noon UTC on the 1st and the 28th of every month of 2026, and two days of other years.
    let mut dates: Vec<f64> = (0..12)
        .flat_map(|month| [1, 28].map(|day| (2026, month, day)))
        .chain([(1999, 11, 31), (2031, 1, 29)])
        .map(|(year, month, day)| {
            let days = days_from_civil(year, month + 1, day);
            days as f64 * 86_400_000.0 + 43_200_000.0
        })
        .collect();
    dates.push(0.0);

    let mut compared = 0;
    for locale in ServerIntl::locales() {
        let native = ServerIntl::for_locale(locale).unwrap();
        let mut ours: Vec<String> = Vec::new();
        let mut theirs_requests: Vec<Value> = Vec::new();
        for currency in CURRENCIES {
            for amount in amounts {
                let money = Money::new(Some(amount), Some(&Currency::from(currency))).unwrap();
                let digits = money.fraction_digits();
                ours.push(native.money(Some(&money)));
                theirs_requests.push(json!(["number", {"style": "currency", "currency": currency, "minimumFractionDigits": digits, "maximumFractionDigits": digits}, money.decimal()]));
            }
        }
        for fraction in rates {
            let rate = Rate::new(Some(fraction)).unwrap();
            let digits = rate.percent_fraction_digits();
            ours.push(native.rate(Some(&rate)));
            theirs_requests.push(json!(["number", {"style": "percent", "minimumFractionDigits": digits, "maximumFractionDigits": digits}, rate.fraction_decimal()]));
        }
        for p in &progress {
            ours.push(native.progress(*p));
            theirs_requests.push(
                json!(["number", {"style": "percent", "maximumFractionDigits": 0}, p.fraction_decimal()]),
            );
        }
        for value in [0, 7, 1_234, 12_345, 1_234_567] {
            ours.push(native.integer(value));
            theirs_requests.push(json!(["number", {}, value.to_string()]));
        }
        for ms in &dates {
            ours.push(native.date(Some(*ms)));
            theirs_requests.push(json!(["date", {"dateStyle": "medium", "timeZone": "UTC"}, ms]));
        }
        let theirs = bench
            .client
            .execute(
                "const [locale, requests] = arguments;
                 return requests.map(([kind, options, value]) => kind === 'date'
                   ? new Intl.DateTimeFormat(locale, options).format(new Date(value))
                   : new Intl.NumberFormat(locale, options).format(value));",
                vec![json!(locale), json!(theirs_requests)],
            )
            .await
            .unwrap();
        let theirs: Vec<String> = serde_json::from_value(theirs).unwrap();
        for ((ours, theirs), request) in ours.iter().zip(&theirs).zip(&theirs_requests) {
            assert_eq!(ours, theirs, "{locale}: {request}");
            compared += 1;
        }
    }
    println!("{compared} strings compared");
    assert!(compared > 15 * 80, "{compared}");
    bench.finish().await;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
