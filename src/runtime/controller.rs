//! One element's state: its attributes, the load of `GET /offer`, the launch state, and the
//! effects that follow them (loading on `api-base`/`credentials` changes, the delivery observer,
//! the `collapsed` state, the host colours). The views read it; they start nothing themselves.

use std::cell::RefCell;
use std::sync::Arc;

use capital_types::{FinancingOffer, OfferState, OfferStatus, PlatformCopy};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlElement;

use super::api::{ApiError, Backend, LatestLoad, Prefetched, Requests, decode};
use super::attributes::Attributes;
use super::custom_states::{ElementInternals, reflect_state};
use super::delivery::mark_when_seen;
use super::events::{self, ErrorKind};
use super::host_colours::{HostColours, read_host_colours};
use super::intl::{Formatter, resolve_locale};
use super::launch::{self, LaunchContext, LaunchFailure, LaunchState};
use super::named_colours::in_hex;
use super::tile_style;
use crate::model::copy::{Key, Lang, Wording};
use crate::model::options::{Attribute, Delivery};
use crate::model::palette::Palette;
use crate::model::stage::{Stage, shown_status};

/// A successful load, with its stage worked out once.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Loaded {
    pub state: OfferState,
    pub stage: Stage,
    /// The backend's `copy`, shared with every [`Wording`] made while this is shown.
    pub copy: Option<Arc<PlatformCopy>>,
    /// The answer's text as the backend sent it (empty when changed here since): the live
    /// stream's next state is compared with it, not decoded, when it is the same.
    pub text: String,
}

impl Loaded {
    fn new(mut state: OfferState, text: String) -> Self {
        let stage = Stage::from_state(&state);
        let copy = state.copy.take().map(Arc::new);
        Loaded {
            state,
            stage,
            copy,
            text,
        }
    }

    /// `data-status` and the `status` of `capital-offer-loaded`.
    pub(crate) fn status(&self) -> String {
        shown_status(&self.state, &self.stage)
    }
}

/// Where the element is in loading its offer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LoadState {
    Loading,
    Failed(ApiError),
    Ready(Arc<Loaded>),
}

impl LoadState {
    /// The value of `data-status` on the `tile` part.
    pub(crate) fn data_status(&self) -> String {
        match self {
            LoadState::Loading => "loading".to_owned(),
            LoadState::Failed(_) => "error".to_owned(),
            LoadState::Ready(loaded) => loaded.status(),
        }
    }

    /// The element's custom state (`runtime/custom_states.rs`): the load's own while loading or
    /// failed, else the stage's (`collapsed` when there is nothing to show).
    pub(crate) fn custom_state(&self) -> &'static str {
        match self {
            LoadState::Loading => "loading",
            LoadState::Failed(_) => "error",
            LoadState::Ready(loaded) => loaded.stage.custom_state(),
        }
    }
}

/// Things that are not `Send` and live as long as the element.
struct Shared {
    host: HtmlElement,
    requests: Requests,
    latest_load: LatestLoad,
    /// The shim's `GET /offer`, for the first load.
    prefetched: RefCell<Option<Prefetched>>,
    /// The shim's authorising `fetch` while `fetchSessionToken` is set (`api.rs`).
    session_fetch: RefCell<Option<js_sys::Function>>,
}

/// The element's state, cheap to copy into closures.
#[derive(Clone, Copy)]
pub(crate) struct Controller {
    pub attributes: Attributes,
    pub load: RwSignal<LoadState>,
    pub launch: RwSignal<LaunchState>,
    pub formatter: Memo<Formatter>,
    /// The `strings` property: the platform's copy set on the page.
    pub strings: RwSignal<Option<Arc<PlatformCopy>>>,
    /// The `tile` part, for the delivery observer and the colours (`tile_style.rs`).
    pub tile: NodeRef<Div>,
    shared: StoredValue<Shared, LocalStorage>,
}

impl Controller {
    /// Creates the state under the current reactive owner and starts its effects: loading
    /// whenever `api-base` or `credentials` change, delivery once the offer is seen, the
    /// `collapsed` state.
    pub(crate) fn new(host: HtmlElement, internals: Option<ElementInternals>) -> Self {
        let attributes = Attributes::new();
        let load = RwSignal::new(LoadState::Loading);
        let host_colours = RwSignal::new(HostColours::default());
        read_host_colours(host.clone(), host_colours);
        let formatter = Memo::new(move |_| {
            Formatter::new(resolve_locale(
                attributes.raw(Attribute::Locale).get().as_deref(),
            ))
        });
        // The colours in effect: attribute, then host CSS variable, then backend branding.
        let palette = Memo::new(move |_| {
            let branding = load.with(|load| match load {
                LoadState::Ready(loaded) => loaded.state.branding.clone(),
                _ => None,
            });
            let branding = branding.unwrap_or_default();
            let (css_brand, css_accent) = host_colours.get();
            let brand = [
                attributes.raw(Attribute::BrandColor).get(),
                css_brand,
                branding.primary_color,
            ]
            .map(in_hex);
            let accent = [
                attributes.raw(Attribute::AccentColor).get(),
                css_accent,
                branding.secondary_color,
            ]
            .map(in_hex);
            Palette::resolve(
                brand.each_ref().map(Option::as_deref),
                accent.each_ref().map(Option::as_deref),
            )
        });
        let controller = Controller {
            attributes,
            load,
            launch: RwSignal::new(LaunchState::Idle),
            formatter,
            strings: RwSignal::new(None),
            tile: NodeRef::new(),
            shared: StoredValue::new_local(Shared {
                host,
                requests: Requests::default(),
                latest_load: LatestLoad::default(),
                prefetched: RefCell::new(None),
                session_fetch: RefCell::new(None),
            }),
        };
        Effect::new(move |_| {
            attributes.raw(Attribute::ApiBase).track();
            attributes.raw(Attribute::Credentials).track();
            controller.load();
        });
        reflect_state(internals, move || load.with(LoadState::custom_state));
        tile_style::paint(controller.tile, palette, move || {
            load.with(|load| match load {
                LoadState::Ready(loaded) => loaded.stage.progress_fill(),
                _ => None,
            })
        });
        let undelivered_on_screen = move || {
            if attributes.delivery() != Delivery::Auto {
                return None;
            }
            load.with(|load| match load {
                LoadState::Ready(loaded) => match &loaded.stage {
                    Stage::Offer(offer) if offer.undelivered => Some(offer.offer_id.clone()),
                    _ => None,
                },
                _ => None,
            })
        };
        mark_when_seen(
            controller.tile,
            undelivered_on_screen,
            move || controller.backend(),
            move |offer| controller.update_offer(offer),
        );
        controller
    }

    /// The language of the current locale.
    pub(crate) fn lang(&self) -> Lang {
        Lang::from_locale(&self.formatter.get().locale)
    }

    /// The words in effect: the `strings` property, then the backend's `copy`, then the
    /// built-in copy of the current locale.
    pub(crate) fn words(&self) -> Wording {
        let copy = self.load.with(|load| match load {
            LoadState::Ready(loaded) => loaded.copy.clone(),
            _ => None,
        });
        Wording::new(&self.formatter.get().locale, [self.strings.get(), copy])
    }

    pub(crate) fn host(&self) -> Option<HtmlElement> {
        self.shared.try_with_value(|shared| shared.host.clone())
    }

    pub(crate) fn backend(&self) -> Option<Backend> {
        let (requests, fetch) = self.shared.try_with_value(|shared| {
            (
                shared.requests.clone(),
                shared.session_fetch.borrow().clone(),
            )
        })?;
        untrack(|| {
            Some(Backend {
                base: self.attributes.api_base(),
                credentials: self.attributes.credentials(),
                requests,
                fetch,
            })
        })
    }

    /// Whether the element has been removed (everything it held is released).
    pub(crate) fn is_closed(&self) -> bool {
        self.shared
            .try_with_value(|shared| shared.requests.is_closed())
            .unwrap_or(true)
    }

    /// (Re)loads the offer state. A newer load aborts the older one, whose answer is then
    /// dropped (`ApiError::Aborted`).
    pub(crate) fn load(&self) {
        let Some(backend) = self.backend() else {
            return;
        };
        let Some((latest, prefetched)) = self.shared.try_with_value(|shared| {
            (
                shared.latest_load.clone(),
                shared.prefetched.borrow_mut().take(),
            )
        }) else {
            return;
        };
        self.load.set(LoadState::Loading);
        // A stale launch failure goes; a launch in flight keeps its button busy.
        if matches!(self.launch.get_untracked(), LaunchState::Failed(_)) {
            self.launch.set(LaunchState::Idle);
        }
        let this = *self;
        spawn_local(async move {
            let result = backend.fetch_offer(&latest, prefetched).await;
            if this.is_closed() {
                return;
            }
            match result {
                Ok((state, text)) => this.show(Loaded::new(state, text)),
                Err(ApiError::Aborted) => {}
                Err(error) => {
                    this.load.set(LoadState::Failed(error.clone()));
                    let words = untrack(|| this.words());
                    this.report_error(error.kind(), words.get(Key::LoadFailed), error.status());
                }
            }
        });
    }

    fn show(&self, loaded: Loaded) {
        let detail = loaded_detail(&loaded);
        self.load.set(LoadState::Ready(Arc::new(loaded)));
        if let Some(host) = self.host() {
            events::dispatch(&host, events::Event::Loaded.name(), detail, false);
        }
    }

    /// A state from the live stream (the JS shim's shared `EventSource`, the same JSON as
    /// `GET /offer`). Shown if it differs from what is shown, without re-rendering otherwise;
    /// `capital-offer-loaded` again when the status changed. A load in flight is dropped: this is
    /// newer than its answer.
    pub(crate) fn push_state(&self, text: String) {
        let _ = self
            .shared
            .try_with_value(|shared| shared.latest_load.abort());
        let shown = self.load.with_untracked(|load| match load {
            LoadState::Ready(current) if current.text == text => None,
            LoadState::Ready(current) => Some(Some(current.status())),
            _ => Some(None),
        });
        let Some(shown_status) = shown else {
            return;
        };
        let Ok(state) = decode::<OfferState>(&text) else {
            return;
        };
        let loaded = Loaded::new(state, text);
        if shown_status == Some(loaded.status()) {
            self.load.set(LoadState::Ready(Arc::new(loaded)));
        } else {
            self.show(loaded);
        }
    }

    /// Replaces the shown offer with an updated copy (after `mark_delivered`), if it is still the
    /// one on screen.
    pub(crate) fn update_offer(&self, offer: FinancingOffer) {
        let LoadState::Ready(loaded) = self.load.get_untracked() else {
            return;
        };
        if loaded.state.offer.as_ref().map(|o| &o.id) != Some(&offer.id) {
            return;
        }
        let mut state = loaded.state.clone();
        state.offer = Some(offer);
        self.load.set(LoadState::Ready(Arc::new(Loaded::new(
            state,
            String::new(),
        ))));
    }

    /// The call to action: a fresh link of `link_type`, checked, then opened.
    pub(crate) fn open_link(&self, link_type: capital_types::AccountLinkType) {
        let (Some(backend), Some(host)) = (self.backend(), self.host()) else {
            return;
        };
        let context = untrack(|| LaunchContext {
            backend,
            host,
            target: self.attributes.link_target(),
            link_origins: self.attributes.raw(Attribute::LinkOrigins).get(),
            words: self.words(),
            state: self.launch,
        });
        launch::launch(context, link_type);
    }

    /// Sends requests through `fetch` (the shim's, adding the session token), or the window's
    /// when `None`; loads again when it changed after the first load (`reload`).
    pub(crate) fn set_session_fetch(&self, fetch: Option<js_sys::Function>, reload: bool) {
        let changed = self
            .shared
            .try_with_value(|shared| shared.session_fetch.replace(fetch.clone()) != fetch)
            .unwrap_or(false);
        if changed && reload {
            self.load();
        }
    }

    /// Gives the first load the answer the JS shim already asked for (used only if the URL and
    /// credentials still match when the load starts).
    pub(crate) fn use_prefetched(&self, prefetched: Prefetched) {
        let _ = self
            .shared
            .try_with_value(|shared| shared.prefetched.replace(Some(prefetched)));
    }

    /// The message for a failed launch, in the words in effect.
    pub(crate) fn launch_message(&self, failure: LaunchFailure) -> String {
        let key = match failure {
            LaunchFailure::UnsafeLink => Key::UnsafeLink,
            LaunchFailure::Request => Key::LinkFailed,
        };
        self.words().get(key).to_owned()
    }

    /// `capital-offer-error`.
    pub(crate) fn report_error(&self, kind: ErrorKind, message: &str, status: Option<u16>) {
        if let Some(host) = self.host() {
            events::error(&host, kind, message, status);
        }
    }

    /// Aborts everything in flight; nothing is reported after this.
    pub(crate) fn close(&self) {
        let _ = self.shared.try_with_value(|shared| shared.requests.close());
    }
}

fn loaded_detail(loaded: &Loaded) -> events::Detail {
    let offer = loaded
        .state
        .offer
        .as_ref()
        .filter(|_| !loaded.stage.is_hidden());
    let has_active_financing = loaded
        .state
        .summary
        .as_ref()
        .is_some_and(|s| s.details.is_some())
        || loaded
            .state
            .offer
            .as_ref()
            .is_some_and(|o| o.status == OfferStatus::PaidOut);
    events::Detail::new()
        .text("status", Some(&loaded.status()))
        .text(
            "productType",
            offer
                .and_then(|o| o.product_type.as_ref())
                .map(|t| t.as_str()),
        )
        .text(
            "financingType",
            offer
                .and_then(|o| o.effective_financing_type())
                .map(|t| t.as_str()),
        )
        .flag("hasActiveFinancing", has_active_financing)
}
