//! The element's `CustomEvent`s (contract section 1, "Events"): `bubbles` and `composed`, so that
//! they reach listeners outside the shadow root.

use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

pub const LOADED: &str = "capital-offer-loaded";
pub const LAUNCH: &str = "capital-offer-launch";
pub const ERROR: &str = "capital-offer-error";

/// Dispatches `name` on `host` with `detail`; returns `false` when a listener called
/// `preventDefault()` on a cancelable event.
pub fn dispatch(host: &HtmlElement, name: &str, detail: &Value, cancelable: bool) -> bool {
    let detail = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL);
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(cancelable);
    init.set_detail(&detail);
    match CustomEvent::new_with_event_init_dict(name, &init) {
        Ok(event) => host.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}

/// `capital-offer-error` with `{kind, message, status}`.
pub fn error(host: &HtmlElement, kind: &str, message: &str, status: Option<u16>) {
    dispatch(
        host,
        ERROR,
        &json!({"kind": kind, "message": message, "status": status}),
        false,
    );
}
