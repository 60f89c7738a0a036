//! The wasm binary Trunk builds into `dist/embed/`. The element is defined by the JS shim
//! `embed/capital-offer-tile.js`, which initialises this module and calls into the library.

fn main() {
    #[cfg(target_arch = "wasm32")]
    capital_offer_tile::start();
}
