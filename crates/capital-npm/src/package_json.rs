//! `package.json`: versioned with the crate; `exports` for the module, the wasm (an asset a
//! bundler resolves through `new URL(…, import.meta.url)`) and the React, Vue and Svelte entries; `types`;
//! `customElements`.

use capital_offer_tile::VERSION;
use serde_json::{Value, json};

use crate::{EMBED_FILES, NAME};

pub fn package_json() -> Value {
    let [module, glue, wasm] = EMBED_FILES;
    let at = |file: &str| format!("./{file}");
    let mut files: Vec<&str> = EMBED_FILES.to_vec();
    files.extend([
        "capital-offer-tile.d.ts",
        "react.js",
        "react.d.ts",
        "vue.js",
        "vue.d.ts",
        "svelte.js",
        "svelte.d.ts",
        "custom-elements.json",
        "README.md",
    ]);
    json!({
        "name": NAME,
        "version": VERSION,
        "description": "<capital-offer-tile>: a Stripe Capital offer, its application and its financing, for platforms on Stripe Connect. One custom element, no framework, no iframe.",
        "license": env!("CARGO_PKG_LICENSE"),
        "repository": {"type": "git", "url": format!("git+{}.git", env!("CARGO_PKG_REPOSITORY"))},
        "keywords": ["stripe", "stripe-capital", "stripe-connect", "custom-element", "web-component", "webassembly"],
        "type": "module",
        "main": at(module),
        "module": at(module),
        "types": "./capital-offer-tile.d.ts",
        "exports": {
            ".": {"types": "./capital-offer-tile.d.ts", "default": at(module)},
            "./react": {"types": "./react.d.ts", "default": "./react.js"},
            "./vue": {"types": "./vue.d.ts", "default": "./vue.js"},
            "./svelte": {"types": "./svelte.d.ts", "default": "./svelte.js"},
            (at(wasm)): at(wasm),
            "./custom-elements.json": "./custom-elements.json",
            "./package.json": "./package.json",
        },
        "customElements": "custom-elements.json",
        // Importing the module registers the element: a bundler must never drop it as unused.
        "sideEffects": [at(module), at(glue), "./react.js", "./vue.js", "./svelte.js"],
        "files": files,
        // Only for the types in react.d.ts, vue.d.ts and svelte.d.ts; nothing at run time needs a
        // framework.
        "peerDependencies": {"@types/react": ">=19", "vue": ">=3.5", "svelte": ">=5"},
        "peerDependenciesMeta": {
            "@types/react": {"optional": true},
            "vue": {"optional": true},
            "svelte": {"optional": true},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_with_the_crate_and_exports_the_module_types_and_wasm() {
        let package = package_json();
        assert_eq!(package["version"], VERSION);
        assert_eq!(
            package["exports"]["."]["default"],
            "./capital-offer-tile.js"
        );
        assert_eq!(
            package["exports"]["."]["types"],
            "./capital-offer-tile.d.ts"
        );
        assert_eq!(
            package["exports"]["./capital-offer-tile-core_bg.wasm"],
            "./capital-offer-tile-core_bg.wasm"
        );
        assert_eq!(package["customElements"], "custom-elements.json");
        assert_eq!(package["type"], "module");
    }
}
