//! The element's public interface as data: what each attribute takes and defaults to, which ones
//! reflect, the events and their `detail` fields, the parts and the custom properties. The npm
//! package's `custom-elements.json` and TypeScript declarations are generated from here
//! (crates/capital-npm), the shim's attribute list is held equal to [`Attribute::ALL`] by a browser
//! test, and the tests below hold the parts and custom properties to the views and the stylesheet.
//! One description, so the package's types cannot drift from what the element does.
//!
//! The runtime uses only the event names and [`ErrorKind`]; the descriptions are compiled away
//! from the wasm.

use capital_types::{AccountLinkType, FinancingType, OfferStatus, ProductType};

use super::options::{Attribute, DEFAULT_API_BASE};

/// The custom element's tag.
pub const TAG: &str = "capital-offer-tile";

/// The element's class, as the module exports it.
pub const CLASS: &str = "CapitalOfferTile";

/// What a value may be, in TypeScript terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueType {
    /// Any text.
    Text,
    /// A whole number.
    Number,
    /// `true` or `false`.
    Flag,
    /// One of these keywords and nothing else.
    OneOf(Vec<&'static str>),
    /// One of these known values, or another text: Stripe adds values without notice, and a
    /// newer backend may send them before the types know them.
    Known(Vec<&'static str>),
}

/// How an attribute is described to users and tools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeSpec {
    /// What the attribute takes. Keywords are read case-insensitively; anything else falls back
    /// to the default.
    pub values: ValueType,
    /// The default, as written in markup; `None` when it comes from elsewhere (the backend's
    /// branding, the browser's language).
    pub default: Option<&'static str>,
    /// Whether setting the property also sets the attribute (for `capital-offer-tile[theme=dark]`).
    pub reflects: bool,
    pub description: &'static str,
}

impl Attribute {
    /// The JS property: the attribute's name in camelCase (`api-base` → `apiBase`).
    pub fn property(self) -> String {
        let mut property = String::new();
        let mut upper = false;
        for c in self.name().chars() {
            if c == '-' {
                upper = true;
            } else if upper {
                property.push(c.to_ascii_uppercase());
                upper = false;
            } else {
                property.push(c);
            }
        }
        property
    }

    pub fn spec(self) -> AttributeSpec {
        let (values, default, reflects, description) = match self {
            Attribute::ApiBase => (
                ValueType::Text,
                Some(DEFAULT_API_BASE),
                false,
                "Base URL of the platform backend's Capital routes (relative or absolute).",
            ),
            Attribute::Layout => (
                ValueType::OneOf(vec!["tile", "banner"]),
                Some("tile"),
                true,
                "`tile` (a card) or `banner` (the top of a page: the heading, the amount and terms on one line, the button and the lender's notice; it stacks below 640 px).",
            ),
            Attribute::BrandColor => (
                ValueType::Text,
                None,
                false,
                "Primary colour (call to action, accents), any CSS colour. Default: the backend's `branding.primary_color`, else a neutral colour.",
            ),
            Attribute::AccentColor => (
                ValueType::Text,
                None,
                false,
                "Secondary colour, any CSS colour. Default: the backend's `branding.secondary_color`.",
            ),
            Attribute::Theme => (
                ValueType::OneOf(vec!["light", "dark", "auto"]),
                Some("auto"),
                true,
                "`light`, `dark`, or `auto` (follows `prefers-color-scheme`).",
            ),
            Attribute::Locale => (
                ValueType::Text,
                None,
                false,
                "BCP 47 tag for numbers, money, dates and copy. Default: the browser's language.",
            ),
            Attribute::LinkTarget => (
                ValueType::OneOf(vec!["_blank", "_self"]),
                Some("_blank"),
                false,
                "Where Stripe's pages open: `_blank` (a new tab, without `opener`) or `_self`.",
            ),
            Attribute::LinkOrigins => (
                ValueType::Text,
                Some("https://connect.stripe.com"),
                false,
                "Space-separated origins an Account Link may point to; the page's own origin is always allowed.",
            ),
            Attribute::Credentials => (
                ValueType::OneOf(vec!["same-origin", "include"]),
                Some("same-origin"),
                false,
                "Fetch credentials mode for the backend's routes: `same-origin` or `include` (a backend on another origin).",
            ),
            Attribute::Delivery => (
                ValueType::OneOf(vec!["auto", "manual"]),
                Some("auto"),
                false,
                "`auto`: mark an `undelivered` offer delivered once it has been on screen; `manual`: never.",
            ),
            Attribute::Live => (
                ValueType::OneOf(vec!["auto", "off"]),
                Some("auto"),
                false,
                "`auto`: follow the backend's live stream (`GET {api-base}/offer/events`) when it has one; `off`: never.",
            ),
        };
        AttributeSpec {
            values,
            default,
            reflects,
            description,
        }
    }
}

/// The element's events: `CustomEvent`s that bubble and cross the shadow boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Loaded,
    Launch,
    Error,
}

/// One field of an event's `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub values: ValueType,
    /// Whether the field may be `null`.
    pub nullable: bool,
    pub description: &'static str,
}

fn field(
    name: &'static str,
    values: ValueType,
    nullable: bool,
    description: &'static str,
) -> Field {
    Field {
        name,
        values,
        nullable,
        description,
    }
}

fn known<T>(values: &'static [T], as_str: fn(&'static T) -> &'static str) -> Vec<&'static str> {
    values.iter().map(as_str).collect()
}

impl Event {
    pub const ALL: [Event; 3] = [Event::Loaded, Event::Launch, Event::Error];

    pub fn name(self) -> &'static str {
        match self {
            Event::Loaded => "capital-offer-loaded",
            Event::Launch => "capital-offer-launch",
            Event::Error => "capital-offer-error",
        }
    }

    /// The TypeScript name of the `detail` type (`CapitalOfferLoadedDetail`).
    pub fn detail_type(self) -> &'static str {
        match self {
            Event::Loaded => "CapitalOfferLoadedDetail",
            Event::Launch => "CapitalOfferLaunchDetail",
            Event::Error => "CapitalOfferErrorDetail",
        }
    }

    /// The TypeScript name of the event type (`CapitalOfferLoadedEvent`).
    pub fn event_type(self) -> &'static str {
        match self {
            Event::Loaded => "CapitalOfferLoadedEvent",
            Event::Launch => "CapitalOfferLaunchEvent",
            Event::Error => "CapitalOfferErrorEvent",
        }
    }

    /// Whether `preventDefault()` means something.
    pub fn cancelable(self) -> bool {
        self == Event::Launch
    }

    pub fn description(self) -> &'static str {
        match self {
            Event::Loaded => {
                "After each successful load, and again when the live stream brings a new status."
            }
            Event::Launch => {
                "A fresh Account Link was obtained, just before it opens. `preventDefault()` keeps the element from opening it."
            }
            Event::Error => "Any failure the user sees.",
        }
    }

    /// The fields of `detail`, in the order the element sets them.
    pub fn detail(self) -> Vec<Field> {
        match self {
            Event::Loaded => {
                let mut statuses = known(OfferStatus::KNOWN, OfferStatus::as_str);
                statuses.push("none");
                vec![
                    field(
                        "status",
                        ValueType::Known(statuses),
                        false,
                        "The offer's status, or `none` when nothing is shown.",
                    ),
                    field(
                        "productType",
                        ValueType::Known(known(ProductType::KNOWN, ProductType::as_str)),
                        true,
                        "The offer's `product_type`.",
                    ),
                    field(
                        "financingType",
                        ValueType::Known(known(FinancingType::KNOWN, FinancingType::as_str)),
                        true,
                        "The offer's `financing_type`.",
                    ),
                    field(
                        "hasActiveFinancing",
                        ValueType::Flag,
                        false,
                        "Whether financing is being paid (the backend sent a financing summary).",
                    ),
                ]
            }
            Event::Launch => vec![
                field(
                    "type",
                    ValueType::OneOf(
                        known(AccountLinkType::KNOWN, AccountLinkType::as_str)
                            .into_iter()
                            .filter(|t| t.starts_with("capital_"))
                            .collect(),
                    ),
                    false,
                    "The Account Link's `type`.",
                ),
                field("url", ValueType::Text, false, "The Account Link's URL."),
                field(
                    "expiresAt",
                    ValueType::Number,
                    true,
                    "When the link expires, in seconds since the Unix epoch.",
                ),
            ],
            Event::Error => vec![
                field(
                    "kind",
                    ValueType::OneOf(ErrorKind::ALL.iter().map(|k| k.as_str()).collect()),
                    false,
                    "`network`, `http` (the backend answered an error), `decode` (its answer could not be read) or `unsafe_link` (a link outside `link-origins` was refused).",
                ),
                field(
                    "message",
                    ValueType::Text,
                    false,
                    "The message the element shows the user.",
                ),
                field(
                    "status",
                    ValueType::Number,
                    true,
                    "The HTTP status, for `http`.",
                ),
            ],
        }
    }
}

/// The `kind` of `capital-offer-error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Network,
    Http,
    Decode,
    UnsafeLink,
    /// `fetchSessionToken` threw or rejected.
    Auth,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 5] = [
        ErrorKind::Network,
        ErrorKind::Http,
        ErrorKind::Decode,
        ErrorKind::UnsafeLink,
        ErrorKind::Auth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Network => "network",
            ErrorKind::Http => "http",
            ErrorKind::Decode => "decode",
            ErrorKind::UnsafeLink => "unsafe_link",
            ErrorKind::Auth => "auth",
        }
    }
}

/// The element's methods and properties beyond its attributes.
pub const RELOAD_DESCRIPTION: &str =
    "Loads the offer state again, e.g. after the user comes back from a Stripe page.";
pub const STRINGS_DESCRIPTION: &str = "The platform's approved copy, replacing the built-in copy key by key: `{\"offer.cta\": \"…\", \"fr\": {…}}`. Text only, never markup; unknown keys are ignored. Assign a new object to change it.";

pub const FETCH_SESSION_TOKEN_DESCRIPTION: &str = "A function returning a promise of a session token from the platform's backend (`--identity token`). When set, every request carries `Authorization: Bearer …`; the token is reused until a `401`, then fetched again once and the request retried once. Elements sharing `api-base` share the token. A function that throws or rejects is an error the user sees (`kind: auth`).";

/// The parts a page can style with `::part(…)`.
pub const PARTS: [(&str, &str); 11] = [
    (
        "tile",
        "The card or banner; `data-status` carries the offer status, or `loading`, `error`, `none`.",
    ),
    ("heading", "The heading."),
    ("amount", "The offered or financed amount."),
    ("fee", "The fixed fee."),
    ("withhold-rate", "The share of sales withheld for payments."),
    ("discount", "A refill's discount on the remaining fee."),
    ("expiry", "When the offer expires."),
    ("progress", "How much of the financing is paid."),
    ("cta", "The call to action, filled with the brand colour."),
    ("message", "A failure's message."),
    ("retry", "A failure's retry button."),
];

/// The element's custom states, one at a time, for `capital-offer-tile:state(…)` in the page's
/// stylesheet: what the element shows, without reading its shadow DOM.
pub const CUSTOM_STATES: [(&str, &str); 8] = [
    ("loading", "The offer is being loaded (the skeleton shows)."),
    (
        "offer",
        "An offer to apply for (`undelivered`, `delivered`).",
    ),
    ("review", "The application is under review (`accepted`)."),
    ("financing", "Financing in progress: repaying (`paid_out`)."),
    (
        "paid",
        "The financing is paid (`fully_repaid`, `completed`).",
    ),
    ("rejected", "The application was not approved (`rejected`)."),
    (
        "error",
        "The offer could not be loaded; a message and a retry show.",
    ),
    (
        "collapsed",
        "Nothing to show: the element takes no space (no offer, or one that ended).",
    ),
];

/// The custom properties the element's stylesheet reads from the page.
pub const CSS_PROPERTIES: [(&str, &str); 9] = [
    (
        "--capital-brand-color",
        "Primary colour (the `brand-color` attribute wins).",
    ),
    (
        "--capital-accent-color",
        "Secondary colour (the `accent-color` attribute wins).",
    ),
    ("--capital-font-family", "Font family."),
    ("--capital-font-size", "Base font size."),
    ("--capital-radius", "Corner radius."),
    ("--capital-background", "Background."),
    ("--capital-text-color", "Text colour."),
    ("--capital-border-color", "Border colour."),
    ("--capital-shadow", "Box shadow."),
];

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::options::{Credentials, Delivery, Layout, LinkTarget, ThemeMode};

    /// What the element makes of `value` for `attribute`, as text to compare.
    fn parsed(attribute: Attribute, value: &str) -> String {
        let value = Some(value);
        match attribute {
            Attribute::Layout => format!("{:?}", Layout::parse(value)),
            Attribute::Theme => format!("{:?}", ThemeMode::parse(value)),
            Attribute::LinkTarget => format!("{:?}", LinkTarget::parse(value)),
            Attribute::Credentials => format!("{:?}", Credentials::parse(value)),
            Attribute::Delivery => format!("{:?}", Delivery::parse(value)),
            // The shim reads `live`: `off` turns it off, anything else is `auto`.
            Attribute::Live => (value == Some("off")).to_string(),
            other => panic!("{other:?} takes text"),
        }
    }

    #[test]
    fn keyword_attributes_list_exactly_the_keywords_the_element_tells_apart() {
        for attribute in Attribute::ALL {
            let spec = attribute.spec();
            let ValueType::OneOf(values) = &spec.values else {
                continue;
            };
            let mut seen: Vec<String> = values.iter().map(|v| parsed(attribute, v)).collect();
            seen.sort();
            seen.dedup();
            assert_eq!(
                seen.len(),
                values.len(),
                "{attribute:?}: two keywords mean the same"
            );
            let default = spec.default.expect("keyword attributes have a default");
            assert!(values.contains(&default), "{attribute:?}");
            assert_eq!(
                parsed(attribute, "no-such-keyword"),
                parsed(attribute, default),
                "{attribute:?}: an unknown keyword falls back to the default"
            );
        }
    }

    #[test]
    fn properties_are_the_attributes_in_camel_case() {
        assert_eq!(Attribute::ApiBase.property(), "apiBase");
        assert_eq!(Attribute::LinkOrigins.property(), "linkOrigins");
        assert_eq!(Attribute::Theme.property(), "theme");
    }

    #[test]
    fn only_presentation_reflects() {
        let reflected: Vec<_> = Attribute::ALL
            .into_iter()
            .filter(|a| a.spec().reflects)
            .map(|a| a.name())
            .collect();
        assert_eq!(reflected, ["layout", "theme"]);
        // The shim's list of reflected properties says the same.
        let shim = include_str!("../js/capital-offer-tile.js");
        assert!(shim.contains("const REFLECTED = ['layout', 'theme'];"));
    }

    #[test]
    fn every_part_is_rendered_and_every_rendered_part_is_listed() {
        let sources = [
            include_str!("../views/card.rs"),
            include_str!("../views/cta.rs"),
            include_str!("../views/failure.rs"),
            include_str!("../views/skeleton.rs"),
            include_str!("card.rs"),
            include_str!("../js/capital-offer-tile.js"),
        ]
        .concat();
        for (part, _) in PARTS {
            assert!(
                sources.contains(&format!("\"{part}\"")) || sources.contains(&format!("'{part}'")),
                "part `{part}` is listed but nothing renders it"
            );
        }
        for rendered in sources.split("part=\"").skip(1) {
            let name = rendered.split('"').next().unwrap();
            assert!(
                PARTS.iter().any(|(part, _)| *part == name),
                "part `{name}` is rendered but not listed"
            );
        }
    }

    #[test]
    fn the_custom_properties_are_the_ones_the_element_reads() {
        // The stylesheet reads most with `var()`; the runtime reads the two colours itself, to
        // compute a readable text colour on them.
        let css = include_str!("../../style/tile.css");
        let runtime = include_str!("../runtime/host_colours.rs");
        let mut read: Vec<&str> = css
            .match_indices("var(--capital-")
            .map(|(at, _)| {
                let name = &css[at + 4..];
                &name[..name.find([',', ')']).unwrap()]
            })
            .chain(runtime.match_indices("value(\"--capital-").map(|(at, _)| {
                let name = &runtime[at + 7..];
                &name[..name.find('"').unwrap()]
            }))
            .collect();
        read.sort();
        read.dedup();
        let mut listed: Vec<&str> = CSS_PROPERTIES.iter().map(|(name, _)| *name).collect();
        listed.sort();
        assert_eq!(read, listed);
    }

    #[test]
    fn details_list_known_values_from_the_types() {
        let loaded = Event::Loaded.detail();
        let ValueType::Known(statuses) = &loaded[0].values else {
            panic!("status is an open set");
        };
        assert!(statuses.contains(&"paid_out") && statuses.contains(&"none"));
        let error = Event::Error.detail();
        assert_eq!(
            error[0].values,
            ValueType::OneOf(vec!["network", "http", "decode", "unsafe_link", "auth"])
        );
        assert!(
            Event::ALL
                .iter()
                .all(|e| e.name().starts_with("capital-offer-"))
        );
    }
}
