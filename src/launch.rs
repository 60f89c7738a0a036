//! The call to action: a fresh Account Link per click, checked before it is opened.
//!
//! With `link-target="_blank"` a blank tab is opened synchronously inside the click (so popup
//! blockers see a user gesture), its `opener` is cut, and it is sent to the link once the backend
//! answers, or closed if anything goes wrong.

use capital_types::AccountLinkType;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use web_sys::Window;

use crate::api::ApiError;
use crate::controller::{Controller, Launch};
use crate::events;
use crate::link_policy::{LinkPolicy, UnsafeLink};
use crate::settings::LinkTarget;

pub fn launch(controller: Controller, link_type: AccountLinkType) {
    // A second click while a request is in flight sends nothing.
    if controller.launch.get_untracked() == Launch::Busy {
        return;
    }
    let Some(backend) = controller.backend() else {
        return;
    };
    controller.launch.set(Launch::Busy);
    let target = untrack(|| controller.settings.link_target());
    let tab = (target == LinkTarget::Blank).then(open_blank_tab).flatten();

    spawn_local(async move {
        let result = backend.create_account_link(link_type.clone()).await;
        if controller.is_closed() {
            close(tab);
            return;
        }
        let text = controller.text();
        let outcome = match result {
            Ok(link) => match check_link(
                &link.url,
                untrack(|| controller.settings.link_origins.get()).as_deref(),
            ) {
                Ok(url) => {
                    let detail = events::Detail::new()
                        .text("type", Some(link_type.as_str()))
                        .text("url", Some(&url))
                        .number("expiresAt", link.expires_at);
                    let host = controller.host();
                    let proceed = host
                        .is_some_and(|host| events::dispatch(&host, events::LAUNCH, detail, true));
                    if proceed {
                        open(&url, tab, target);
                    } else {
                        close(tab);
                    }
                    Launch::Idle
                }
                Err(_) => {
                    close(tab);
                    controller.report_error("unsafe_link", text.unsafe_link, None);
                    Launch::Failed { unsafe_link: true }
                }
            },
            Err(ApiError::Aborted) => {
                close(tab);
                Launch::Idle
            }
            Err(error) => {
                close(tab);
                controller.report_error(error.kind(), text.link_failed, error.status());
                Launch::Failed { unsafe_link: false }
            }
        };
        controller.launch.set(outcome);
    });
}

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

/// Checks `url` against the link policy, as the browser parses it. Returns the normalised URL
/// that will be opened.
pub fn check_link(url: &str, link_origins: Option<&str>) -> Result<String, UnsafeLink> {
    let (parsed, page_origin) = parse_against_page(url).ok_or(UnsafeLink::Invalid)?;
    LinkPolicy::new(&page_origin, link_origins).check(&parsed.protocol(), &parsed.origin())?;
    Ok(parsed.href())
}

/// An icon URL from the backend is shown only if it is `https:` or on the page's own origin.
pub fn safe_image_url(url: &str) -> Option<String> {
    let (parsed, page_origin) = parse_against_page(url)?;
    (parsed.protocol() == "https:" || parsed.origin() == page_origin).then(|| parsed.href())
}

fn open_blank_tab() -> Option<Window> {
    let tab = web_sys::window()?
        .open_with_url_and_target("about:blank", "_blank")
        .ok()??;
    // The Account Link must not be able to reach back into the platform's page.
    let _ = tab.set_opener(&JsValue::NULL);
    Some(tab)
}

fn open(url: &str, tab: Option<Window>, target: LinkTarget) {
    let Some(window) = web_sys::window() else {
        return;
    };
    match (target, tab) {
        (LinkTarget::Blank, Some(tab)) => {
            if tab.location().replace(url).is_err() {
                let _ = tab.close();
            }
        }
        (LinkTarget::Blank, None) => {
            // The blank tab was blocked; try once more, without an opener.
            let _ =
                window.open_with_url_and_target_and_features(url, "_blank", "noopener,noreferrer");
        }
        (LinkTarget::SameTab, _) => {
            let _ = window.location().assign(url);
        }
    }
}

fn close(tab: Option<Window>) {
    if let Some(tab) = tab {
        let _ = tab.close();
    }
}
