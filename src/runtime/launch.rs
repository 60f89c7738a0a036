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

use web_sys::HtmlElement;

use super::api::{ApiError, Backend};
use super::events::{self, ErrorKind};
use super::page_urls::checked_link;
use crate::model::copy::{Key, Wording};
use crate::model::options::LinkTarget;

/// What the call to action is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LaunchState {
    Idle,
    /// A link is being fetched; further clicks send nothing.
    Busy,
    /// The last attempt failed; the message stays until the next attempt or load.
    Failed(LaunchFailure),
}

/// Why the last launch failed, each with its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LaunchFailure {
    /// The backend answered no link (network, HTTP error, unreadable answer).
    Request,
    /// The link failed the link policy and was not opened.
    UnsafeLink,
}

/// What one launch needs from its element.
pub(crate) struct LaunchContext {
    pub backend: Backend,
    /// Where the events go.
    pub host: HtmlElement,
    pub target: LinkTarget,
    /// The `link-origins` attribute.
    pub link_origins: Option<String>,
    /// The words in effect, for the error event's message.
    pub words: Wording,
    /// The call to action's state, set here.
    pub state: RwSignal<LaunchState>,
}

/// Asks for a fresh link of `link_type`, checks it and opens it.
pub(crate) fn launch(context: LaunchContext, link_type: AccountLinkType) {
    let LaunchContext {
        backend,
        host,
        target,
        link_origins,
        words,
        state,
    } = context;
    // A second click while a request is in flight sends nothing.
    if state.get_untracked() == LaunchState::Busy {
        return;
    }
    state.set(LaunchState::Busy);
    let tab = (target == LinkTarget::Blank).then(open_blank_tab).flatten();

    spawn_local(async move {
        let result = backend.create_account_link(link_type.clone()).await;
        if backend.requests.is_closed() {
            close(tab);
            return;
        }
        let outcome = match result {
            Ok(link) => match checked_link(&link.url, link_origins.as_deref()) {
                Ok(url) => {
                    let detail = events::Detail::new()
                        .text("type", Some(link_type.as_str()))
                        .text("url", Some(&url))
                        .number("expiresAt", link.expires_at);
                    if events::dispatch(&host, events::Event::Launch.name(), detail, true) {
                        open(&url, tab, target);
                    } else {
                        close(tab);
                    }
                    LaunchState::Idle
                }
                Err(_) => {
                    close(tab);
                    events::error(
                        &host,
                        ErrorKind::UnsafeLink,
                        words.get(Key::UnsafeLink),
                        None,
                    );
                    LaunchState::Failed(LaunchFailure::UnsafeLink)
                }
            },
            Err(ApiError::Aborted) => {
                close(tab);
                LaunchState::Idle
            }
            Err(error) => {
                close(tab);
                events::error(
                    &host,
                    error.kind(),
                    words.get(Key::LinkFailed),
                    error.status(),
                );
                LaunchState::Failed(LaunchFailure::Request)
            }
        };
        let _ = state.try_set(outcome);
    });
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
