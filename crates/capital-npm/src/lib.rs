//! The npm package of `<capital-offer-tile>`, made from the release embed folder. Everything a
//! bundler and an editor read beside the module is generated here from the element's own
//! description (`capital_offer_tile::model::interface`), so it cannot drift from what the element
//! does: `package.json`, the Custom Elements Manifest, the TypeScript declarations, the JSX
//! types for React 19, the template types for Vue 3 and the markup types for Svelte 5. Angular
//! needs nothing more than the declarations (`HTMLElementTagNameMap` types its templates' events).

mod declarations;
mod manifest;
mod package_json;
mod typescript;

use std::path::{Path, PathBuf};

pub use declarations::{declarations, react_declarations, svelte_declarations, vue_declarations};
pub use manifest::manifest;
pub use package_json::package_json;

/// The npm package's name.
pub const NAME: &str = "capital-offer-tile";

/// The files of the release embed folder the package carries, as they are named there.
pub const EMBED_FILES: [&str; 3] = [
    "capital-offer-tile.js",
    "capital-offer-tile-core.js",
    "capital-offer-tile-core_bg.wasm",
];

/// The React entry point: the element, registered, and its JSX types beside it.
const REACT_MODULE: &str = "// React 19 passes properties and event listeners to custom elements itself: this entry only\n// registers <capital-offer-tile> and brings its JSX types (react.d.ts).\nexport * from './capital-offer-tile.js';\n";

/// The Vue entry point: the element, registered, and its template types (`GlobalComponents`).
const VUE_MODULE: &str = "// Vue 3 sets properties and listens to events on custom elements itself (with the tag marked as a\n// custom element by the app's `isCustomElement`): this entry only registers <capital-offer-tile>\n// and brings its template types (vue.d.ts).\nexport * from './capital-offer-tile.js';\n";

/// The Svelte entry point: the element, registered, and its markup types (`SvelteHTMLElements`).
const SVELTE_MODULE: &str = "// Svelte 5 sets properties and listens to events on custom elements itself: this entry only\n// registers <capital-offer-tile> and brings its markup types (svelte.d.ts).\nexport * from './capital-offer-tile.js';\n";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} is missing: run `trunk build --release` first")]
    Missing(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes the package into `out` (emptied first): the embed folder's files, and the generated
/// `package.json`, `custom-elements.json`, `capital-offer-tile.d.ts`, the framework entries
/// (`react`, `vue`, `svelte`: a `.js` that registers the element and a `.d.ts` with its types)
/// and `README.md`.
pub fn write_package(embed: &Path, out: &Path) -> Result<(), Error> {
    for file in EMBED_FILES {
        let path = embed.join(file);
        if !path.is_file() {
            return Err(Error::Missing(path));
        }
    }
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(io(out))?;
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    for file in EMBED_FILES {
        let target = out.join(file);
        std::fs::copy(embed.join(file), &target).map_err(io(&target))?;
    }
    let json = |value: serde_json::Value| {
        let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialise");
        text.push('\n');
        text
    };
    let generated = [
        ("package.json", json(package_json())),
        ("custom-elements.json", json(manifest())),
        ("capital-offer-tile.d.ts", declarations()),
        ("react.js", REACT_MODULE.to_owned()),
        ("react.d.ts", react_declarations()),
        ("vue.js", VUE_MODULE.to_owned()),
        ("vue.d.ts", vue_declarations()),
        ("svelte.js", SVELTE_MODULE.to_owned()),
        ("svelte.d.ts", svelte_declarations()),
        ("README.md", include_str!("../package/README.md").to_owned()),
    ];
    for (file, text) in generated {
        let target = out.join(file);
        std::fs::write(&target, text).map_err(io(&target))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_embed_folder_says_how_to_make_it() {
        let error = write_package(Path::new("/no/such/embed"), Path::new("/no/such/out"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("trunk build --release"), "{error}");
    }

    #[test]
    fn writes_every_file_the_package_json_names() {
        let root = std::env::temp_dir().join(format!("capital-npm-{}", std::process::id()));
        let embed = root.join("embed");
        std::fs::create_dir_all(&embed).unwrap();
        for file in EMBED_FILES {
            std::fs::write(embed.join(file), file).unwrap();
        }
        let out = root.join("package");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("stale.txt"), "from an earlier run").unwrap();
        write_package(&embed, &out).unwrap();
        assert!(
            !out.join("stale.txt").exists(),
            "the folder is emptied first"
        );
        let package = package_json();
        for file in package["files"].as_array().unwrap() {
            assert!(out.join(file.as_str().unwrap()).is_file(), "{file}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}
