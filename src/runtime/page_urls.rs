//! URLs as the browser parses them against the page (`new URL(url, document.baseURI)`), checked
//! by the model's [`link_policy`](crate::model::link_policy): the parser that checks a URL is the
//! one that will navigate to it or load it.

use crate::model::link_policy::{LinkPolicy, UnsafeLink, image_allowed};

/// `url` parsed by the browser against the page's base URI, with the page's origin.
fn parse_against_page(url: &str) -> Option<(web_sys::Url, String)> {
    let window = web_sys::window()?;
    let page_origin = window.location().origin().ok()?;
    let base = window.document()?.base_uri().ok()??;
    Some((
        web_sys::Url::new_with_base(url.trim(), &base).ok()?,
        page_origin,
    ))
}

/// Checks an Account Link against `link-origins`. Returns the normalised URL that will be opened.
pub(crate) fn checked_link(url: &str, link_origins: Option<&str>) -> Result<String, UnsafeLink> {
    let (parsed, page_origin) = parse_against_page(url).ok_or(UnsafeLink::Invalid)?;
    LinkPolicy::new(&page_origin, link_origins).check(&parsed.protocol(), &parsed.origin())?;
    Ok(parsed.href())
}

/// An icon URL from the backend, if the policy lets the element load it.
pub(crate) fn safe_image_url(url: &str) -> Option<String> {
    let (parsed, page_origin) = parse_against_page(url)?;
    image_allowed(&parsed.protocol(), &parsed.origin(), &page_origin).then(|| parsed.href())
}
