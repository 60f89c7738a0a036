//! The element's custom state `collapsed` (`capital-offer-tile:state(collapsed)`), set while
//! nothing is shown, so that the element takes no space and the page can style around it.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::controller::{Controller, Phase};

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

pub const COLLAPSED: &str = "collapsed";

pub fn reflect_collapsed(controller: Controller) {
    Effect::new(move |_| {
        let collapsed = controller
            .phase
            .with(|phase| matches!(phase, Phase::Ready(loaded) if loaded.view.is_hidden()));
        let _ = controller.shared.try_with_value(|shared| {
            if let Some(internals) = &shared.internals {
                let states = internals.states();
                let _ = if collapsed {
                    states.add(COLLAPSED)
                } else {
                    states.remove(COLLAPSED).map(drop)
                };
            }
        });
    });
}
