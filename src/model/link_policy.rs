//! Which URLs the element may use: Account Links it may open, and icons it may load.
//!
//! The URL itself is parsed by the browser (`new URL(url, document.baseURI)`, in
//! `runtime/page_urls.rs`), the same parser that would navigate to it, so there is no gap between
//! what is checked and what is opened. This module decides on the parsed protocol and origin.

/// The default of `link-origins`.
pub const DEFAULT_LINK_ORIGINS: &str = "https://connect.stripe.com";

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeLink {
    #[error("the link uses the {0} scheme; only https links are opened")]
    Scheme(String),
    #[error("the link points to {0}, which is not in link-origins")]
    Origin(String),
    #[error("the link is not a valid URL")]
    Invalid,
}

/// The allow-list: the page's own origin plus the `link-origins` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPolicy {
    page_origin: String,
    allowed: Vec<String>,
}

impl LinkPolicy {
    /// `link_origins` is the attribute value (space-separated origins); `None` means the default.
    /// Entries that are not `scheme://host[:port]` origins are ignored.
    pub fn new(page_origin: &str, link_origins: Option<&str>) -> Self {
        let allowed = link_origins
            .unwrap_or(DEFAULT_LINK_ORIGINS)
            .split_ascii_whitespace()
            .filter_map(normalise_origin)
            .collect();
        LinkPolicy {
            page_origin: page_origin.to_ascii_lowercase(),
            allowed,
        }
    }

    /// `protocol` as the URL API gives it (`"https:"`), `origin` as `URL.origin` gives it.
    pub fn check(&self, protocol: &str, origin: &str) -> Result<(), UnsafeLink> {
        let origin = origin.to_ascii_lowercase();
        let same_origin = origin != "null" && origin == self.page_origin;
        if same_origin {
            return Ok(());
        }
        if !protocol.eq_ignore_ascii_case("https:") {
            return Err(UnsafeLink::Scheme(
                protocol.trim_end_matches(':').to_owned(),
            ));
        }
        if self.allowed.contains(&origin) {
            Ok(())
        } else {
            Err(UnsafeLink::Origin(origin))
        }
    }
}

/// An icon from the backend's branding is loaded only over `https:` or from the page's own origin:
/// never `http:` (mixed content, tracking), `data:` or `javascript:`.
pub fn image_allowed(protocol: &str, origin: &str, page_origin: &str) -> bool {
    protocol.eq_ignore_ascii_case("https:")
        || (origin != "null" && origin.eq_ignore_ascii_case(page_origin))
}

/// `https://Connect.Stripe.com/` → `https://connect.stripe.com`; anything with a path, query,
/// credentials or no host is not an origin.
fn normalise_origin(entry: &str) -> Option<String> {
    let entry = entry.trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = entry.split_once("://")?;
    let valid_scheme = matches!(scheme, "https" | "http");
    let valid_host = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    // Default ports are dropped by `URL.origin`, so they must be dropped here too.
    let rest = match scheme {
        "https" => rest.strip_suffix(":443").unwrap_or(rest),
        _ => rest.strip_suffix(":80").unwrap_or(rest),
    };
    (valid_scheme && valid_host).then(|| format!("{scheme}://{rest}"))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn images_load_over_https_or_from_the_page_itself() {
        let page = "http://127.0.0.1:3000";
        assert!(image_allowed("https:", "https://cdn.example", page));
        assert!(image_allowed("http:", "http://127.0.0.1:3000", page));
        assert!(!image_allowed("http:", "http://cdn.example", page));
        assert!(!image_allowed("data:", "null", "null"));
        assert!(!image_allowed("javascript:", "null", page));
    }

    fn default_policy() -> LinkPolicy {
        LinkPolicy::new("https://platform.example", None)
    }

    #[test]
    fn stripe_links_pass_by_default() {
        assert_eq!(
            default_policy().check("https:", "https://connect.stripe.com"),
            Ok(())
        );
    }

    #[test]
    fn same_origin_always_passes() {
        assert_eq!(
            default_policy().check("https:", "https://platform.example"),
            Ok(())
        );
        let local = LinkPolicy::new("http://127.0.0.1:8080", Some(""));
        assert_eq!(local.check("http:", "http://127.0.0.1:8080"), Ok(()));
    }

    #[test]
    fn dangerous_schemes_are_refused() {
        let policy = default_policy();
        assert_eq!(
            policy.check("javascript:", "null"),
            Err(UnsafeLink::Scheme("javascript".into()))
        );
        assert_eq!(
            policy.check("data:", "null"),
            Err(UnsafeLink::Scheme("data".into()))
        );
        assert_eq!(
            policy.check("http:", "http://connect.stripe.com"),
            Err(UnsafeLink::Scheme("http".into()))
        );
        assert_eq!(
            policy.check("blob:", "https://platform.example.evil"),
            Err(UnsafeLink::Scheme("blob".into()))
        );
    }

    #[test]
    fn opaque_origins_never_count_as_same_origin() {
        let policy = LinkPolicy::new("null", None);
        assert!(policy.check("data:", "null").is_err());
    }

    #[test]
    fn foreign_origins_are_refused() {
        let policy = default_policy();
        assert_eq!(
            policy.check("https:", "https://connect.stripe.com.evil.example"),
            Err(UnsafeLink::Origin(
                "https://connect.stripe.com.evil.example".into()
            ))
        );
        assert!(policy.check("https:", "https://evil.example").is_err());
    }

    #[test]
    fn link_origins_attribute_is_normalised() {
        let policy = LinkPolicy::new(
            "https://platform.example",
            Some(
                "  https://Connect.Stripe.com/  https://sandbox.example:8443 https://x.example/path javascript:alert(1) https://std.example:443",
            ),
        );
        assert_eq!(policy.check("https:", "https://connect.stripe.com"), Ok(()));
        assert_eq!(
            policy.check("https:", "https://sandbox.example:8443"),
            Ok(())
        );
        assert_eq!(policy.check("https:", "https://std.example"), Ok(()));
        assert!(policy.check("https:", "https://x.example").is_err());
        assert!(policy.check("https:", "https://sandbox.example").is_err());
    }

    #[test]
    fn an_empty_list_allows_only_the_page() {
        let policy = LinkPolicy::new("https://platform.example", Some(""));
        assert!(
            policy
                .check("https:", "https://connect.stripe.com")
                .is_err()
        );
        assert_eq!(policy.check("https:", "https://platform.example"), Ok(()));
    }
}
