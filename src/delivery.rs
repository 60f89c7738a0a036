//! `delivery="auto"`: mark an `undelivered` offer delivered once it has actually been on screen.
//!
//! Marking delivered affirms to Stripe that the offer was marketed to the user, so it waits for
//! an IntersectionObserver to report at least half of the tile visible, and sends the request once
//! per offer per element.

use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use crate::api::ApiError;
use crate::controller::{Controller, Phase};
use crate::settings::Delivery;
use crate::view_model::TileView;

/// Share of the tile that must be visible to count as seen.
const VISIBLE_SHARE: f64 = 0.5;

pub fn mark_when_seen(controller: Controller, tile: NodeRef<Div>) {
    Effect::new(move |_| {
        let Some(node) = tile.get() else { return };
        if controller.settings.delivery() != Delivery::Auto {
            return;
        }
        let Phase::Ready(loaded) = controller.phase.get() else {
            return;
        };
        let TileView::Offer(offer) = &loaded.view else {
            return;
        };
        let offer_id = offer.offer_id.clone();
        let already = controller
            .shared
            .try_with_value(|s| s.delivered.borrow().contains(&offer_id))
            .unwrap_or(true);
        if !offer.undelivered || already {
            return;
        }

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
                    send(controller, offer_id.clone());
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

fn send(controller: Controller, offer_id: String) {
    let first = controller
        .shared
        .try_with_value(|s| {
            let mut delivered = s.delivered.borrow_mut();
            let first = !delivered.contains(&offer_id);
            if first {
                delivered.push(offer_id.clone());
            }
            first
        })
        .unwrap_or(false);
    let Some(backend) = controller.backend().filter(|_| first) else {
        return;
    };
    spawn_local(async move {
        match backend.mark_delivered(&offer_id).await {
            Ok(offer) => controller.update_offer(offer),
            Err(ApiError::Aborted) => {}
            Err(_) => {
                // Not something the user sees; forget the attempt so that the next load retries.
                let _ = controller
                    .shared
                    .try_with_value(|s| s.delivered.borrow_mut().retain(|id| *id != offer_id));
            }
        }
    });
}
