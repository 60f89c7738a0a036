//! What every server-rendered page shares (maud escapes every value written into it).

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// An English page: `title`, the favicon, `style` (static CSS), then `body`.
pub(crate) fn page(title: &str, style: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                style { (PreEscaped(style)) }
            }
            body { (body) }
        }
    }
}
