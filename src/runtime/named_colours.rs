//! CSS's named colours (`rebeccapurple`), written as `#rrggbb` by the browser, which knows them:
//! the model's table of them stays out of the wasm (`model::colour`).
//!
//! A canvas's `fillStyle` takes any CSS colour and gives back an opaque one as `#rrggbb`; a text it
//! does not take leaves the previous value. Only names are asked (anything else the model parses
//! itself), and only opaque answers taken, as the model's table has them: `transparent` stays no
//! colour, and `currentcolor` (black on a canvas) is not a colour of the element's palette.

use std::cell::OnceCell;

use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

thread_local! {
    static CANVAS: OnceCell<Option<CanvasRenderingContext2d>> = const { OnceCell::new() };
}

/// `candidate` with a colour name written as `#rrggbb`; any other text as it is, and a name the
/// browser does not know as nothing.
pub(crate) fn in_hex(candidate: Option<String>) -> Option<String> {
    let text = candidate?;
    let name = text.trim().to_ascii_lowercase();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase()) {
        return Some(text);
    }
    if name == "currentcolor" {
        return None;
    }
    CANVAS.with(|canvas| {
        let context = canvas.get_or_init(context).as_ref()?;
        // Written over two different colours: a name the canvas refuses leaves each as it was.
        let mut answers = ["#000000", "#ffffff"].map(|before| {
            context.set_fill_style_str(before);
            context.set_fill_style_str(&name);
            context.fill_style().as_string()
        });
        let [first, second] = &mut answers;
        (first == second && first.as_deref().is_some_and(|hex| hex.starts_with('#')))
            .then(|| first.take())
            .flatten()
    })
}

fn context() -> Option<CanvasRenderingContext2d> {
    web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .unchecked_into::<web_sys::HtmlCanvasElement>()
        .get_context("2d")
        .ok()??
        .dyn_into()
        .ok()
}
