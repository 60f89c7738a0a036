//! The element's custom state `collapsed` (`capital-offer-tile:state(collapsed)`), set while
//! nothing is shown, so that the element takes no space and the page can style around it.

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

pub(crate) const COLLAPSED: &str = "collapsed";

/// Keeps the `collapsed` state equal to `collapsed()`, a reactive read (tracked by the effect). Without `ElementInternals` (old engines)
/// there is nothing to reflect to.
pub(crate) fn reflect_collapsed(
    internals: Option<ElementInternals>,
    collapsed: impl Fn() -> bool + 'static,
) {
    let Some(internals) = internals else { return };
    let internals = send_wrapper::SendWrapper::new(internals);
    Effect::new(move |_| {
        let states = internals.states();
        let _ = if collapsed() {
            states.add(COLLAPSED)
        } else {
            states.remove(COLLAPSED).map(drop)
        };
    });
}
