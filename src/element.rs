//! The custom-element glue, above both layers it joins: the JS shim (`src/js/capital-offer-tile.js`)
//! owns the element's lifecycle callbacks and creates one [`TileHandle`] per connected element,
//! which starts a `runtime` controller and mounts the `views` over it; everything else happens in
//! Rust.

use std::any::Any;
use std::sync::Arc;

use capital_types::PlatformCopy;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::model::card::{Card, ghost, heading};
use crate::model::copy::{Key, Wording};
use crate::model::options::{Attribute, Credentials, LinkTarget};
use crate::runtime::api::Prefetched;
use crate::runtime::controller::{Controller, LoadState};
use crate::runtime::custom_states::ElementInternals;
use crate::runtime::launch::LaunchState;
use crate::runtime::page_urls::safe_image_url;
use crate::views::{Shown, Tile, TileSource};

/// One mounted `<capital-offer-tile>`.
#[wasm_bindgen]
pub struct TileHandle {
    mounted: Option<Mounted>,
}

struct Mounted {
    owner: Owner,
    controller: Controller,
    shadow: ShadowRoot,
    /// The Leptos unmount handle; dropping it removes the rendered nodes.
    view: Box<dyn Any>,
}

#[wasm_bindgen]
impl TileHandle {
    /// Renders into `host`'s open shadow root (created on first use), replacing the skeleton the
    /// shim painted there. The shim has adopted the element's stylesheet into that root already.
    /// `internals` is the element's `ElementInternals`, or `undefined` where the browser has none.
    #[wasm_bindgen(constructor)]
    pub fn new(
        host: HtmlElement,
        internals: Option<ElementInternals>,
    ) -> Result<TileHandle, JsValue> {
        let shadow = match host.shadow_root() {
            Some(shadow) => shadow,
            None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
        };
        if let Some(painted) = shadow.query_selector(".root").ok().flatten() {
            painted.remove();
        }
        let document = host
            .owner_document()
            .ok_or_else(|| JsValue::from_str("no document"))?;
        let root: HtmlElement = document.create_element("div")?.unchecked_into();
        root.set_class_name("root");
        shadow.append_child(&root)?;

        // Effects are created before `mount_to` (which would initialise it otherwise); an error
        // only means the executor is already running.
        let _ = any_spawner::Executor::init_wasm_bindgen();
        let owner = Owner::new();
        let (controller, view) = owner.with(|| {
            let controller = Controller::new(host, internals);
            let view = leptos::mount::mount_to(root, move || view! { <Tile source=controller/> });
            (controller, Box::new(view) as Box<dyn Any>)
        });
        Ok(TileHandle {
            mounted: Some(Mounted {
                owner,
                controller,
                shadow,
                view,
            }),
        })
    }

    /// Sets an attribute's effective value (`undefined`/`null` when absent); with the name
    /// `state`, a state from the live stream (`Controller::push_state`); with the name
    /// `strings`, the `strings` property as JSON: the platform's copy, laid over the backend's
    /// and the built-in copy (anything but texts, or languages of texts, is ignored entry by
    /// entry). Other names are ignored.
    pub fn set(&self, name: &str, value: Option<String>) {
        let Some(mounted) = &self.mounted else {
            return;
        };
        if name == "state" {
            if let Some(text) = value {
                mounted.controller.push_state(text);
            }
        } else if name == "strings" {
            let copy = value
                .and_then(|json| capital_types::json::from_str::<PlatformCopy>(&json).ok())
                .filter(|copy| !copy.is_empty())
                .map(Arc::new);
            mounted.controller.strings.set(copy);
        } else if let Some(attribute) = Attribute::from_name(name) {
            mounted.controller.attributes.set(attribute, value);
        }
    }

    /// The shim's authorising `fetch` for `fetchSessionToken` (`undefined` when unset); `reload`
    /// loads again with it (a change after the first load).
    #[wasm_bindgen(js_name = setFetch)]
    pub fn set_fetch(&self, fetch: Option<js_sys::Function>, reload: bool) {
        if let Some(mounted) = &self.mounted {
            mounted.controller.set_session_fetch(fetch, reload);
        }
    }

    /// The `GET {url}` the shim started before the wasm was ready, with `credentials` (`include`
    /// or `same-origin`); `answer` resolves to `[status, text]`. Used by the first load if it
    /// asks for the same.
    #[wasm_bindgen(js_name = firstLoad)]
    pub fn first_load(&self, url: String, credentials: String, answer: js_sys::Promise) {
        if let Some(mounted) = &self.mounted {
            mounted.controller.use_prefetched(Prefetched {
                url,
                credentials: Credentials::parse(Some(&credentials)),
                answer,
            });
        }
    }

    /// Loads the offer state again (exposed as `element.reload()`).
    pub fn reload(&self) {
        if let Some(mounted) = &self.mounted {
            mounted.controller.load();
        }
    }

    /// Releases everything: aborts requests, disconnects observers, removes the rendered nodes.
    pub fn dispose(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            mounted.controller.close();
            drop(mounted.view);
            mounted.owner.cleanup();
            if let Some(root) = mounted.shadow.query_selector(".root").ok().flatten() {
                root.remove();
            }
        }
    }
}

/// The views read the controller's signals, so they follow every change.
impl TileSource for Controller {
    fn shown(&self) -> Shown {
        match self.load.get() {
            LoadState::Loading => Shown::Loading(ghost(self.lang(), &self.formatter.get())),
            LoadState::Failed(_) => Shown::Failed,
            LoadState::Ready(loaded) => Shown::Ready(Card::new(
                &loaded.stage,
                loaded.state.branding.as_ref(),
                &self.words(),
                &self.formatter.get(),
            )),
        }
    }

    fn status(&self) -> String {
        self.load.with(LoadState::data_status)
    }

    fn layout(&self) -> &'static str {
        self.attributes.layout().as_str()
    }

    fn theme(&self) -> &'static str {
        self.attributes.theme().as_str()
    }

    fn locale(&self) -> String {
        self.formatter.get().locale
    }

    fn words(&self) -> Wording {
        Controller::words(self)
    }

    fn announced(&self) -> Option<Key> {
        self.load.with(|load| match load {
            LoadState::Loading => Some(Key::Loading),
            LoadState::Failed(_) => Some(Key::LoadFailed),
            LoadState::Ready(loaded) => heading(&loaded.stage),
        })
    }

    fn busy(&self) -> bool {
        self.launch.get() == LaunchState::Busy
    }

    fn new_tab(&self) -> bool {
        self.attributes.link_target() == LinkTarget::Blank
    }

    fn launch_message(&self) -> Option<String> {
        match self.launch.get() {
            LaunchState::Failed(failure) => Some(Controller::launch_message(self, failure)),
            _ => None,
        }
    }

    fn image_url(&self, url: &str) -> Option<String> {
        safe_image_url(url)
    }

    fn tile(&self) -> NodeRef<leptos::html::Div> {
        self.tile
    }

    fn open_link(&self, link_type: capital_types::AccountLinkType) {
        Controller::open_link(self, link_type);
    }

    fn retry(&self) {
        self.load();
    }
}
