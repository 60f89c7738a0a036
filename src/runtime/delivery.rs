//! `delivery="auto"`: mark an `undelivered` offer delivered once it has actually been on screen.
//!
//! Marking delivered affirms to Stripe that the offer was marketed to the user, so it waits for
//! an IntersectionObserver to report at least half of the tile visible, and sends the request once
//! per offer per element.

use std::cell::RefCell;
use std::rc::Rc;

use capital_types::FinancingOffer;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use super::api::{ApiError, Backend};

/// Share of the tile that must be visible to count as seen.
const VISIBLE_SHARE: f64 = 0.5;

/// The offers this element has asked the backend to mark delivered (or is asking now).
#[derive(Clone, Default)]
struct Delivered(Rc<RefCell<Vec<String>>>);

impl Delivered {
    fn contains(&self, offer: &str) -> bool {
        self.0.borrow().iter().any(|id| id == offer)
    }

    /// Records `offer`; `false` if it was recorded already.
    fn claim(&self, offer: &str) -> bool {
        let first = !self.contains(offer);
        if first {
            self.0.borrow_mut().push(offer.to_owned());
        }
        first
    }

    fn forget(&self, offer: &str) {
        self.0.borrow_mut().retain(|id| id != offer);
    }
}

/// Observes `tile` while `watched()` (a reactive read) names an undelivered offer; once half of the tile has been
/// visible, asks `backend()` to mark that offer delivered and hands the updated offer to
/// `on_marked`. A failed request is forgotten, so the next load tries again.
pub(crate) fn mark_when_seen(
    tile: NodeRef<Div>,
    watched: impl Fn() -> Option<String> + 'static,
    backend: impl Fn() -> Option<Backend> + Copy + 'static,
    on_marked: impl Fn(FinancingOffer) + Copy + 'static,
) {
    let delivered = Delivered::default();
    Effect::new(move |_| {
        let Some(node) = tile.get() else { return };
        let Some(offer_id) = watched().filter(|id| !delivered.contains(id)) else {
            return;
        };
        let delivered = delivered.clone();
        let on_change = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
            move |entries: js_sys::Array, observer: IntersectionObserver| {
                let seen = entries.iter().any(|entry| {
                    entry
                        .unchecked_into::<IntersectionObserverEntry>()
                        .intersection_ratio()
                        >= VISIBLE_SHARE
                });
                if seen {
                    observer.disconnect();
                    send(&delivered, offer_id.clone(), backend, on_marked);
                }
            },
        );
        let options = IntersectionObserverInit::new();
        options.set_threshold(&JsValue::from_f64(VISIBLE_SHARE));
        let Ok(observer) =
            IntersectionObserver::new_with_options(on_change.as_ref().unchecked_ref(), &options)
        else {
            return;
        };
        observer.observe(&node);
        let held = SendWrapper::new((observer, on_change));
        on_cleanup(move || {
            let (observer, _on_change) = held.take();
            observer.disconnect();
        });
    });
}

fn send(
    delivered: &Delivered,
    offer_id: String,
    backend: impl Fn() -> Option<Backend>,
    on_marked: impl Fn(FinancingOffer) + 'static,
) {
    let Some(backend) = backend().filter(|_| delivered.claim(&offer_id)) else {
        return;
    };
    let delivered = delivered.clone();
    spawn_local(async move {
        match backend.mark_delivered(&offer_id).await {
            Ok(offer) => on_marked(offer),
            Err(ApiError::Aborted) => {}
            // Not something the user sees; forget the attempt so that the next load retries.
            Err(_) => delivered.forget(&offer_id),
        }
    });
}
