//! The element's attributes: their names (the one list the JS shim and the docs are checked
//! against) and their values parsed into small option types. Unknown values fall back to the
//! documented default instead of failing: an attribute typo must not blank the tile.

/// One of the element's attributes (contract section 1). Each is also a camelCase JS property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    ApiBase,
    Layout,
    BrandColor,
    AccentColor,
    Theme,
    Locale,
    LinkTarget,
    LinkOrigins,
    Credentials,
    Delivery,
    /// `auto` or `off`: whether the element follows the backend's live stream. The JS shim
    /// reads it (it holds the page's shared `EventSource`s); Rust only keeps the list whole.
    Live,
}

impl Attribute {
    /// Every attribute, in the contract's order.
    pub const ALL: [Attribute; 11] = [
        Attribute::ApiBase,
        Attribute::Layout,
        Attribute::BrandColor,
        Attribute::AccentColor,
        Attribute::Theme,
        Attribute::Locale,
        Attribute::LinkTarget,
        Attribute::LinkOrigins,
        Attribute::Credentials,
        Attribute::Delivery,
        Attribute::Live,
    ];

    /// The attribute's name in markup.
    pub fn name(self) -> &'static str {
        match self {
            Attribute::ApiBase => "api-base",
            Attribute::Layout => "layout",
            Attribute::BrandColor => "brand-color",
            Attribute::AccentColor => "accent-color",
            Attribute::Theme => "theme",
            Attribute::Locale => "locale",
            Attribute::LinkTarget => "link-target",
            Attribute::LinkOrigins => "link-origins",
            Attribute::Credentials => "credentials",
            Attribute::Delivery => "delivery",
            Attribute::Live => "live",
        }
    }

    /// The attribute called `name`; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Attribute> {
        Attribute::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// `layout`: a card, or a banner for the top of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    #[default]
    Tile,
    Banner,
}

/// `theme`: a fixed scheme or the user's `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeMode {
    Light,
    Dark,
    #[default]
    Auto,
}

/// `link-target`: where an Account Link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkTarget {
    /// A new tab without `opener`.
    #[default]
    Blank,
    SameTab,
}

/// `credentials`: the fetch credentials mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Credentials {
    #[default]
    SameOrigin,
    Include,
}

/// `delivery`: whether the element marks an `undelivered` offer delivered once seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delivery {
    #[default]
    Auto,
    Manual,
}

fn keyword(value: Option<&str>) -> String {
    value
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

impl Layout {
    pub fn parse(value: Option<&str>) -> Self {
        match keyword(value).as_str() {
            "banner" => Layout::Banner,
            _ => Layout::Tile,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Tile => "tile",
            Layout::Banner => "banner",
        }
    }
}

impl ThemeMode {
    pub fn parse(value: Option<&str>) -> Self {
        match keyword(value).as_str() {
            "light" => ThemeMode::Light,
            "dark" => ThemeMode::Dark,
            _ => ThemeMode::Auto,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ThemeMode::Light => "light",
            ThemeMode::Dark => "dark",
            ThemeMode::Auto => "auto",
        }
    }
}

impl LinkTarget {
    pub fn parse(value: Option<&str>) -> Self {
        match keyword(value).as_str() {
            "_self" => LinkTarget::SameTab,
            _ => LinkTarget::Blank,
        }
    }
}

impl Credentials {
    pub fn parse(value: Option<&str>) -> Self {
        match keyword(value).as_str() {
            "include" => Credentials::Include,
            _ => Credentials::SameOrigin,
        }
    }
}

impl Delivery {
    pub fn parse(value: Option<&str>) -> Self {
        match keyword(value).as_str() {
            "manual" => Delivery::Manual,
            _ => Delivery::Auto,
        }
    }
}

/// The default `api-base`.
pub const DEFAULT_API_BASE: &str = "/api/capital";

/// `api-base` with surrounding space and trailing slashes removed; the default when empty.
pub fn api_base(value: Option<&str>) -> String {
    let trimmed = value
        .map(str::trim)
        .unwrap_or_default()
        .trim_end_matches('/');
    if trimmed.is_empty() {
        DEFAULT_API_BASE.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// A route under `api-base`: `route(base, "offer")` is `{base}/offer`.
pub fn route(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_case_and_space_insensitive_with_defaults() {
        assert_eq!(Layout::parse(Some(" Banner ")), Layout::Banner);
        assert_eq!(Layout::parse(Some("grid")), Layout::Tile);
        assert_eq!(Layout::parse(None), Layout::Tile);
        assert_eq!(ThemeMode::parse(Some("DARK")), ThemeMode::Dark);
        assert_eq!(ThemeMode::parse(Some("")), ThemeMode::Auto);
        assert_eq!(LinkTarget::parse(Some("_self")), LinkTarget::SameTab);
        assert_eq!(LinkTarget::parse(Some("_top")), LinkTarget::Blank);
        assert_eq!(Credentials::parse(Some("include")), Credentials::Include);
        assert_eq!(Credentials::parse(Some("omit")), Credentials::SameOrigin);
        assert_eq!(Delivery::parse(Some("manual")), Delivery::Manual);
        assert_eq!(Delivery::parse(Some("never")), Delivery::Auto);
    }

    #[test]
    fn attribute_names_round_trip_and_are_unique() {
        for attribute in Attribute::ALL {
            assert_eq!(Attribute::from_name(attribute.name()), Some(attribute));
        }
        let mut names: Vec<_> = Attribute::ALL.iter().map(|a| a.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Attribute::ALL.len());
        assert_eq!(Attribute::from_name("api_base"), None);
    }

    #[test]
    fn api_base_and_routes() {
        assert_eq!(api_base(None), "/api/capital");
        assert_eq!(api_base(Some("  ")), "/api/capital");
        assert_eq!(
            api_base(Some("https://platform.example/api/capital/")),
            "https://platform.example/api/capital"
        );
        assert_eq!(route("/api/capital", "offer"), "/api/capital/offer");
        assert_eq!(
            route("/api/capital/", "/offer/mark_delivered"),
            "/api/capital/offer/mark_delivered"
        );
    }
}
