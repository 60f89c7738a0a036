//! The host's `--capital-brand-color` and `--capital-accent-color`, as the page's CSS sets them,
//! read once when the element starts (one batched read for every element that starts together).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The host colours of elements waiting for the next batched read.
type Pending = Vec<(web_sys::HtmlElement, RwSignal<HostColours>)>;

/// `--capital-brand-color` and `--capital-accent-color` as the page's CSS sets them on a host.
pub(crate) type HostColours = (Option<String>, Option<String>);

thread_local! {
    static PENDING: std::cell::RefCell<Pending> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads `host`'s colour custom properties into `into` right after the current task.
///
/// Reading computed style forces a style recalculation. Done per element while mounting, that
/// cost 2 ms an element on a page of 100 (BENCHMARKS.md). So all elements that start in the same
/// task are read together: every read first, then every signal set, one recalculation in all.
/// (A zero-delay timeout rather than an animation frame: frames do not run in background tabs.)
pub(crate) fn read_host_colours(host: web_sys::HtmlElement, into: RwSignal<HostColours>) {
    let first = PENDING.with(|pending| {
        let mut pending = pending.borrow_mut();
        pending.push((host, into));
        pending.len() == 1
    });
    if !first {
        return;
    }
    let flush = wasm_bindgen::closure::Closure::once_into_js(|| {
        let batch = PENDING.with(|pending| std::mem::take(&mut *pending.borrow_mut()));
        let read: Vec<(RwSignal<HostColours>, HostColours)> = batch
            .into_iter()
            .map(|(host, into)| (into, host_css_colours(&host)))
            .collect();
        for (into, colours) in read {
            if colours != (None, None) {
                let _ = into.try_set(colours);
            }
        }
    });
    if let Some(window) = web_sys::window() {
        let _ =
            window.set_timeout_with_callback_and_timeout_and_arguments_0(flush.unchecked_ref(), 0);
    }
}

fn host_css_colours(host: &web_sys::HtmlElement) -> HostColours {
    let read = || {
        let style = web_sys::window()?.get_computed_style(host).ok()??;
        let value = |name: &str| {
            style
                .get_property_value(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Some((
            value("--capital-brand-color"),
            value("--capital-accent-color"),
        ))
    };
    read().unwrap_or_default()
}
