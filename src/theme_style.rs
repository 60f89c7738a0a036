//! The tile's inline custom properties: the palette resolved from the `brand-color` /
//! `accent-color` attributes, the host's `--capital-brand-color` / `--capital-accent-color`, and
//! the backend's branding, in that order.

use leptos::prelude::*;

use crate::controller::{Controller, Phase};
use crate::theme::Palette;

pub fn tile_style(controller: Controller) -> String {
    let settings = controller.settings;
    let (brand_attr, accent_attr) = (settings.brand_color.get(), settings.accent_color.get());
    let branding = controller.phase.with(|phase| match phase {
        Phase::Ready(loaded) => loaded.state.branding.clone(),
        _ => None,
    });
    let (css_brand, css_accent) = host_css_colours(controller);
    let branding = branding.unwrap_or_default();
    Palette::resolve(
        [
            brand_attr.as_deref(),
            css_brand.as_deref(),
            branding.primary_color.as_deref(),
        ],
        [
            accent_attr.as_deref(),
            css_accent.as_deref(),
            branding.secondary_color.as_deref(),
        ],
    )
    .css_vars()
}

/// `--capital-brand-color` and `--capital-accent-color` as the page's CSS sets them on the host.
fn host_css_colours(controller: Controller) -> (Option<String>, Option<String>) {
    let read = || {
        let host = controller.host()?;
        let style = web_sys::window()?.get_computed_style(&host).ok()??;
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
