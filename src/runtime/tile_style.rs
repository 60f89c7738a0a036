//! The tile node's private properties: its colours (`--_brand`, `--_on-brand` …) and the share
//! of the financing repaid (`--_progress`, the progress bar's fill), set through the CSSOM
//! (`style.cssText`). A `style` attribute would be refused under a Content-Security-Policy whose
//! `style-src` lacks `'unsafe-inline'`: the call to action would lose its brand and the bar its
//! fill. The CSSOM is never refused.

use leptos::html::Div;
use leptos::prelude::*;

use crate::model::palette::Palette;

/// Keeps `tile`'s colour properties equal to `palette`, and its `--_progress` to `progress`
/// (`0%` without one: there is no bar then), from the moment the node exists.
pub(crate) fn paint(
    tile: NodeRef<Div>,
    palette: Memo<Palette>,
    progress: impl Fn() -> Option<String> + 'static,
) {
    Effect::new(move |_| {
        let Some(tile) = tile.get() else { return };
        let fill = progress();
        let declarations = format!(
            "{};--_progress:{}",
            palette.get().css_vars(),
            fill.as_deref().unwrap_or("0%")
        );
        web_sys::HtmlElement::style(&tile).set_css_text(&declarations);
    });
}
