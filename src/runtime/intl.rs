//! Locale-aware rendering with the browser's `Intl`, falling back to the plain renderings of
//! `model/format.rs` whenever `Intl` refuses an input (an invalid locale tag, a placeholder currency):
//! a bad attribute or a synthetic fixture must never break the tile.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::model::format::{Formats, Money, Progress, Rate};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
    #[derive(Clone)]
    type NumberFormat;
    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "NumberFormat")]
    fn new(locale: &str, options: &Object) -> Result<NumberFormat, JsValue>;
    /// `format` accepts a decimal string and formats it exactly (no float on the way).
    #[wasm_bindgen(method, catch, js_class = "NumberFormat")]
    fn format(this: &NumberFormat, value: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    #[derive(Clone)]
    type DateTimeFormat;
    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locale: &str, options: &Object) -> Result<DateTimeFormat, JsValue>;
    #[wasm_bindgen(method, catch, js_class = "DateTimeFormat", js_name = format)]
    fn format_date(this: &DateTimeFormat, date: &js_sys::Date) -> Result<String, JsValue>;
}

thread_local! {
    /// Constructed formatters by locale and options: building an `Intl` formatter costs far more
    /// than formatting with one, and every tile on a page formats the same few ways.
    /// A page uses a handful of them, so a list beats a hash map (and its code) here.
    static NUMBER_FORMATS: std::cell::RefCell<Vec<(String, NumberFormat)>> = Default::default();
    static DATE_FORMATS: std::cell::RefCell<Vec<(String, DateTimeFormat)>> = Default::default();
}

/// A cached `Intl.NumberFormat` for `locale` and option `pairs`; `None` if `Intl` refuses them.
/// Option values are strings even for numbers: `Intl` converts them (`"2"` is 2 fraction digits).
fn number_format(locale: &str, pairs: &[(&str, &str)]) -> Option<NumberFormat> {
    let mut key = locale.to_owned();
    for (name, value) in pairs {
        key.extend(["|", name, "=", value]);
    }
    cached(&NUMBER_FORMATS, key, || {
        NumberFormat::new(locale, &options(pairs)).ok()
    })
}

/// The formatter cached under `key`, else the one `make` builds (cached if there is one).
fn cached<T: Clone>(
    cache: &'static std::thread::LocalKey<std::cell::RefCell<Vec<(String, T)>>>,
    key: String,
    make: impl FnOnce() -> Option<T>,
) -> Option<T> {
    let found = cache.with(|cache| {
        cache
            .borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    });
    found.or_else(|| {
        let made = make()?;
        cache.with(|cache| cache.borrow_mut().push((key, made.clone())));
        Some(made)
    })
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

/// The locale the tile formats with: the attribute when `Intl` accepts it, else the browser's
/// language, else English. The check goes through the formatter cache, so a page of elements
/// validates a locale once.
pub(crate) fn resolve_locale(requested: Option<&str>) -> String {
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    [requested.map(str::to_owned), browser]
        .into_iter()
        .flatten()
        .map(|tag| tag.trim().to_owned())
        .find(|tag| !tag.is_empty() && tag.len() <= 64 && number_format(tag, &[]).is_some())
        .unwrap_or_else(|| "en".to_owned())
}

/// Formats numbers, money, rates and dates for one locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Formatter {
    pub locale: String,
}

impl Formatter {
    pub(crate) fn new(locale: String) -> Self {
        Formatter { locale }
    }
}

impl Formats for Formatter {
    /// `$1,000`, `1 000 €`, `￥1,500,000`; a dash when there is no amount.
    fn money(&self, money: Option<&Money>) -> String {
        let Some(money) = money else {
            return "—".to_owned();
        };
        let Some(code) = money.iso_code() else {
            return money.plain();
        };
        let digits = money.fraction_digits().to_string();
        let pairs = [
            ("style", "currency"),
            ("currency", &code),
            ("minimumFractionDigits", &digits),
            ("maximumFractionDigits", &digits),
        ];
        number_format(&self.locale, &pairs)
            .and_then(|f| f.format(&money.decimal()).ok())
            .unwrap_or_else(|| money.plain())
    }

    /// `15%`, `12.5 %`, `15 %`; a dash when there is no valid rate.
    fn rate(&self, rate: Option<&Rate>) -> String {
        let Some(rate) = rate else {
            return "—".to_owned();
        };
        let digits = rate.percent_fraction_digits().to_string();
        let pairs = [
            ("style", "percent"),
            ("minimumFractionDigits", &digits),
            ("maximumFractionDigits", &digits),
        ];
        number_format(&self.locale, &pairs)
            .and_then(|f| f.format(&rate.fraction_decimal()).ok())
            .unwrap_or_else(|| rate.plain())
    }

    /// Repayment progress in whole percent: `27%`, `27 %`.
    fn progress(&self, progress: Progress) -> String {
        let pairs = [("style", "percent"), ("maximumFractionDigits", "0")];
        number_format(&self.locale, &pairs)
            .and_then(|f| f.format(&progress.fraction_decimal()).ok())
            .unwrap_or_else(|| format!("{}%", progress.whole_percent()))
    }

    /// A whole number with the locale's grouping.
    fn integer(&self, value: i64) -> String {
        number_format(&self.locale, &[])
            .and_then(|f| f.format(&value.to_string()).ok())
            .unwrap_or_else(|| value.to_string())
    }

    /// `Aug 2, 2023`, `2 août 2023`, `02.08.2023` (the locale's medium date).
    fn date(&self, epoch_millis: Option<f64>) -> String {
        let Some(millis) = epoch_millis else {
            return "—".to_owned();
        };
        let date = js_sys::Date::new(&JsValue::from_f64(millis));
        cached(&DATE_FORMATS, self.locale.clone(), || {
            DateTimeFormat::new(&self.locale, &options(&[("dateStyle", "medium")])).ok()
        })
        .and_then(|f| f.format_date(&date).ok())
        .unwrap_or_else(|| {
            date.to_iso_string()
                .as_string()
                .unwrap_or_default()
                .chars()
                .take(10)
                .collect()
        })
    }

    fn machine_date(&self, epoch_millis: f64) -> String {
        js_sys::Date::new(&JsValue::from_f64(epoch_millis))
            .to_iso_string()
            .as_string()
            .unwrap_or_default()
    }
}
