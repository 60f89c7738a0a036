//! The element's custom state (`capital-offer-tile:state(financing)`): one of the contract's
//! [`CUSTOM_STATES`](crate::model::interface::CUSTOM_STATES) at a time, what the element shows
//! (`loading`, `offer`, `review`, `financing`, `paid`, `rejected`, `error`), or `collapsed` while
//! it shows nothing and takes no space, so that the page can style or hide around it without
//! reading the shadow DOM.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `ElementInternals`, as created by the JS shim with `attachInternals()`.
    pub type ElementInternals;
    #[wasm_bindgen(method, getter)]
    fn states(this: &ElementInternals) -> CustomStateSet;

    type CustomStateSet;
    #[wasm_bindgen(method, catch)]
    fn add(this: &CustomStateSet, state: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = delete)]
    fn remove(this: &CustomStateSet, state: &str) -> Result<bool, JsValue>;
}

/// Keeps the element's custom state equal to `state()`, a reactive read (tracked by the effect):
/// the previous one removed, the new one added. Without `ElementInternals` (old engines) there is
/// nothing to reflect to.
pub(crate) fn reflect_state(
    internals: Option<ElementInternals>,
    state: impl Fn() -> &'static str + 'static,
) {
    let Some(internals) = internals else { return };
    let internals = send_wrapper::SendWrapper::new(internals);
    Effect::new(move |previous: Option<&'static str>| {
        let current = state();
        if previous != Some(current) {
            let states = internals.states();
            if let Some(previous) = previous {
                let _ = states.remove(previous);
            }
            let _ = states.add(current);
        }
        current
    });
}
