//! One element's state: its settings (attributes and properties), the load lifecycle of
//! `GET /offer`, and the events it reports. Views read it from context.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use capital_types::{FinancingOffer, OfferState, OfferStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlElement;

use crate::api::{ApiError, Backend, LatestLoad, Requests};
use crate::events;
use crate::host_state::ElementInternals;
use crate::i18n::{Lang, Text};
use crate::intl::{Formatter, resolve_locale};
use crate::settings::{self, Credentials, Delivery, Layout, LinkTarget, ThemeMode};
use crate::theme_style::HostColours;
use crate::view_model::{TileView, shown_status};

/// The element's attributes, each a signal holding the raw value (`None` when absent). A property
/// set from JS lands here too; the shim decides which of the two wins.
#[derive(Clone, Copy)]
pub struct Settings {
    pub api_base: RwSignal<Option<String>>,
    pub layout: RwSignal<Option<String>>,
    pub brand_color: RwSignal<Option<String>>,
    pub accent_color: RwSignal<Option<String>>,
    pub theme: RwSignal<Option<String>>,
    pub locale: RwSignal<Option<String>>,
    pub link_target: RwSignal<Option<String>>,
    pub link_origins: RwSignal<Option<String>>,
    pub credentials: RwSignal<Option<String>>,
    pub delivery: RwSignal<Option<String>>,
}

impl Settings {
    fn new() -> Self {
        Settings {
            api_base: RwSignal::new(None),
            layout: RwSignal::new(None),
            brand_color: RwSignal::new(None),
            accent_color: RwSignal::new(None),
            theme: RwSignal::new(None),
            locale: RwSignal::new(None),
            link_target: RwSignal::new(None),
            link_origins: RwSignal::new(None),
            credentials: RwSignal::new(None),
            delivery: RwSignal::new(None),
        }
    }

    /// The names of the element's attributes, as the JS shim observes them.
    pub const NAMES: [&'static str; 10] = [
        "api-base",
        "layout",
        "brand-color",
        "accent-color",
        "theme",
        "locale",
        "link-target",
        "link-origins",
        "credentials",
        "delivery",
    ];

    fn signal(&self, name: &str) -> Option<RwSignal<Option<String>>> {
        Some(match name {
            "api-base" => self.api_base,
            "layout" => self.layout,
            "brand-color" => self.brand_color,
            "accent-color" => self.accent_color,
            "theme" => self.theme,
            "locale" => self.locale,
            "link-target" => self.link_target,
            "link-origins" => self.link_origins,
            "credentials" => self.credentials,
            "delivery" => self.delivery,
            _ => return None,
        })
    }

    /// Sets one attribute; unchanged values notify nobody, so re-setting an attribute to the same
    /// value neither re-renders nor re-fetches.
    pub fn set(&self, name: &str, value: Option<String>) {
        if let Some(signal) = self.signal(name)
            && signal.get_untracked() != value
        {
            signal.set(value);
        }
    }

    pub fn layout(&self) -> Layout {
        Layout::parse(self.layout.get().as_deref())
    }

    pub fn theme(&self) -> ThemeMode {
        ThemeMode::parse(self.theme.get().as_deref())
    }

    pub fn link_target(&self) -> LinkTarget {
        LinkTarget::parse(self.link_target.get().as_deref())
    }

    pub fn delivery(&self) -> Delivery {
        Delivery::parse(self.delivery.get().as_deref())
    }
}

/// A successful load, with its view worked out once.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub state: OfferState,
    pub view: TileView,
}

impl Loaded {
    fn new(state: OfferState) -> Self {
        let view = TileView::from_state(&state);
        Loaded { state, view }
    }

    /// `data-status` and the `status` of `capital-offer-loaded`.
    pub fn status(&self) -> String {
        shown_status(&self.state, &self.view)
    }
}

/// Where the element is in loading its offer.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Loading,
    Failed(ApiError),
    Ready(Arc<Loaded>),
}

impl Phase {
    /// The value of `data-status` on the `tile` part.
    pub fn data_status(&self) -> String {
        match self {
            Phase::Loading => "loading".to_owned(),
            Phase::Failed(_) => "error".to_owned(),
            Phase::Ready(loaded) => loaded.status(),
        }
    }
}

/// What the launch button is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Launch {
    Idle,
    Busy,
    /// The last attempt failed; the message stays until the next attempt.
    Failed {
        unsafe_link: bool,
    },
}

/// Things that are not `Send` and live as long as the element.
pub struct Shared {
    pub host: HtmlElement,
    /// The element's `ElementInternals`, for custom states; absent where unsupported.
    pub internals: Option<ElementInternals>,
    pub requests: Requests,
    latest_load: LatestLoad,
    generation: Cell<u64>,
    /// Offers this element has already asked the backend to mark delivered.
    pub delivered: RefCell<Vec<String>>,
}

/// The element's state, cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct Controller {
    pub settings: Settings,
    pub phase: RwSignal<Phase>,
    pub launch: RwSignal<Launch>,
    pub formatter: Memo<Formatter>,
    /// The host's `--capital-brand-color` and `--capital-accent-color`, read once at start.
    pub host_colours: RwSignal<HostColours>,
    pub shared: StoredValue<Shared, LocalStorage>,
}

impl Controller {
    /// Creates the state under the current reactive owner and starts loading whenever
    /// `api-base` or `credentials` change.
    pub fn new(host: HtmlElement, internals: Option<ElementInternals>) -> Self {
        let settings = Settings::new();
        let formatter =
            Memo::new(move |_| Formatter::new(resolve_locale(settings.locale.get().as_deref())));
        let controller = Controller {
            settings,
            phase: RwSignal::new(Phase::Loading),
            launch: RwSignal::new(Launch::Idle),
            formatter,
            host_colours: RwSignal::new((None, None)),
            shared: StoredValue::new_local(Shared {
                host: host.clone(),
                internals,
                requests: Requests::default(),
                latest_load: LatestLoad::default(),
                generation: Cell::new(0),
                delivered: RefCell::new(Vec::new()),
            }),
        };
        crate::theme_style::read_host_colours(host, controller.host_colours);
        Effect::new(move |_| {
            settings.api_base.track();
            settings.credentials.track();
            controller.load();
        });
        controller
    }

    /// The copy for the current locale.
    pub fn text(&self) -> &'static Text {
        Lang::from_locale(&self.formatter.get().locale).text()
    }

    pub fn host(&self) -> Option<HtmlElement> {
        self.shared.try_with_value(|shared| shared.host.clone())
    }

    pub fn backend(&self) -> Option<Backend> {
        let requests = self
            .shared
            .try_with_value(|shared| shared.requests.clone())?;
        Some(Backend {
            base: settings::api_base(self.settings.api_base.get_untracked().as_deref()),
            credentials: Credentials::parse(self.settings.credentials.get_untracked().as_deref()),
            requests,
        })
    }

    /// Whether the element has been removed (everything it held is released).
    pub fn is_closed(&self) -> bool {
        self.shared
            .try_with_value(|shared| shared.requests.is_closed())
            .unwrap_or(true)
    }

    /// (Re)loads the offer state. A newer load aborts and supersedes an older one.
    pub fn load(&self) {
        let Some(backend) = self.backend() else {
            return;
        };
        let Some((latest, generation)) = self.shared.try_with_value(|shared| {
            shared.generation.set(shared.generation.get() + 1);
            (shared.latest_load.clone(), shared.generation.get())
        }) else {
            return;
        };
        self.phase.set(Phase::Loading);
        // A stale launch failure goes; a launch in flight keeps its button disabled.
        if matches!(self.launch.get_untracked(), Launch::Failed { .. }) {
            self.launch.set(Launch::Idle);
        }
        let this = *self;
        spawn_local(async move {
            let result = backend.fetch_offer(&latest).await;
            let current =
                this.shared.try_with_value(|shared| shared.generation.get()) == Some(generation);
            if this.is_closed() || !current {
                return;
            }
            match result {
                Ok(state) => this.show(Loaded::new(state)),
                Err(ApiError::Aborted) => {}
                Err(error) => {
                    let message = this.text().load_failed;
                    this.phase.set(Phase::Failed(error.clone()));
                    this.report_error(error.kind(), message, error.status());
                }
            }
        });
    }

    fn show(&self, loaded: Loaded) {
        let detail = loaded_detail(&loaded);
        self.phase.set(Phase::Ready(Arc::new(loaded)));
        if let Some(host) = self.host() {
            events::dispatch(&host, events::LOADED, detail, false);
        }
    }

    /// Replaces the shown offer with an updated copy (after `mark_delivered`), if it is still the
    /// one on screen.
    pub fn update_offer(&self, offer: FinancingOffer) {
        let Phase::Ready(loaded) = self.phase.get_untracked() else {
            return;
        };
        if loaded.state.offer.as_ref().map(|o| &o.id) != Some(&offer.id) {
            return;
        }
        let mut state = loaded.state.clone();
        state.offer = Some(offer);
        self.phase.set(Phase::Ready(Arc::new(Loaded::new(state))));
    }

    /// `capital-offer-error`.
    pub fn report_error(&self, kind: &str, message: &str, status: Option<u16>) {
        if let Some(host) = self.host() {
            events::error(&host, kind, message, status);
        }
    }

    /// Aborts everything in flight; nothing is reported after this.
    pub fn close(&self) {
        let _ = self.shared.try_with_value(|shared| shared.requests.close());
    }
}

fn loaded_detail(loaded: &Loaded) -> events::Detail {
    let offer = loaded
        .state
        .offer
        .as_ref()
        .filter(|_| !loaded.view.is_hidden());
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
