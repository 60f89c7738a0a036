//! The element's `CustomEvent`s (contract section 1, "Events"): `bubbles` and `composed`, so that
//! they reach listeners outside the shadow root.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

pub(crate) use crate::model::interface::{ErrorKind, Event};

/// An event's `detail`: a plain object whose absent values are `null`.
pub(crate) struct Detail(Object);

impl Detail {
    pub(crate) fn new() -> Self {
        Detail(Object::new())
    }

    fn with(self, key: &str, value: JsValue) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value);
        self
    }

    pub(crate) fn text(self, key: &str, value: Option<&str>) -> Self {
        self.with(key, value.map_or(JsValue::NULL, JsValue::from_str))
    }

    /// Numbers are whole (seconds, HTTP statuses), well inside a JS number's exact range.
    pub(crate) fn number(self, key: &str, value: Option<i64>) -> Self {
        self.with(
            key,
            value.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)),
        )
    }

    pub(crate) fn flag(self, key: &str, value: bool) -> Self {
        self.with(key, JsValue::from_bool(value))
    }
}

/// Dispatches `name` on `host` with `detail`; returns `false` when a listener called
/// `preventDefault()` on a cancelable event.
pub(crate) fn dispatch(host: &HtmlElement, name: &str, detail: Detail, cancelable: bool) -> bool {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(cancelable);
    init.set_detail(&detail.0);
    match CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => host.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

/// `capital-offer-error` with `{kind, message, status}`.
pub(crate) fn error(host: &HtmlElement, kind: ErrorKind, message: &str, status: Option<u16>) {
    let detail = Detail::new()
        .text("kind", Some(kind.as_str()))
        .text("message", Some(message))
        .number("status", status.map(i64::from));
    dispatch(host, Event::Error.name(), detail, false);
}
