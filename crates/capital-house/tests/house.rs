//! The workspace's layout, held: no crate has an import cycle or a `mod.rs`, and the backend's
//! layers import downwards only (the README's map).

use std::path::{Path, PathBuf};

use capital_house::{ModuleGraph, ModulePath, display};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every crate root of the workspace: each library and each binary.
const CRATE_ROOTS: &[&str] = &[
    "src/lib.rs",
    "src/main.rs",
    "crates/capital-types/src/lib.rs",
    "crates/capital-copy/src/lib.rs",
    "crates/capital-platform/src/lib.rs",
    "crates/capital-platform/src/main.rs",
    "crates/capital-npm/src/lib.rs",
    "crates/capital-npm/src/main.rs",
    "crates/capital-browser-tests/src/lib.rs",
    "crates/capital-house/src/lib.rs",
    "examples/axum-platform/src/main.rs",
];

fn read(root: &str) -> ModuleGraph {
    ModuleGraph::read(&workspace().join(root)).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn no_crate_has_an_import_cycle_or_a_mod_rs() {
    let mut found = Vec::new();
    for root in CRATE_ROOTS {
        if !workspace().join(root).exists() {
            continue;
        }
        let graph = read(root);
        for cycle in graph.cycles() {
            let names: Vec<String> = cycle.iter().map(display).collect();
            found.push(format!("{root}: {}", names.join(", ")));
        }
        for file in &graph.mod_rs_files {
            found.push(format!(
                "{root}: {} (use foo.rs beside foo/)",
                file.display()
            ));
        }
    }
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

/// The backend's layers, bottom up: a module may name its own layer's and those below, never
/// one above. The leaves (`failpoint`, `html`, `metrics`) name nothing of the crate.
const BACKEND_LAYERS: &[&[&str]] = &[
    &["domain", "failpoint", "html", "metrics"],
    &["store"],
    &["stripe"],
    &["sandbox"],
    &["config"],
    &["services"],
    &["workers"],
    &["http"],
    &["startup", "library", "cli", ""],
];

fn layer_of(module: &ModulePath) -> usize {
    let room = module.first().map(String::as_str).unwrap_or("");
    BACKEND_LAYERS
        .iter()
        .position(|layer| layer.contains(&room))
        .unwrap_or_else(|| panic!("{}: in no layer of BACKEND_LAYERS", display(module)))
}

#[test]
fn the_backend_imports_downwards_only() {
    let graph = read("crates/capital-platform/src/lib.rs");
    let mut upwards = Vec::new();
    for (from, targets) in &graph.edges {
        for to in targets {
            if layer_of(to) > layer_of(from) {
                upwards.push(format!("{} → {}", display(from), display(to)));
            }
        }
    }
    assert!(
        upwards.is_empty(),
        "imports upwards:\n{}",
        upwards.join("\n")
    );
}

#[test]
fn only_the_http_layer_and_startup_name_the_app_state() {
    let graph = read("crates/capital-platform/src/lib.rs");
    let naming: Vec<String> = graph
        .names
        .iter()
        .filter(|(module, names)| {
            layer_of(module) < layer_of(&vec!["http".into()]) && names.contains("AppState")
        })
        .map(|(module, _)| display(module))
        .collect();
    assert!(
        naming.is_empty(),
        "below the HTTP layer, naming AppState: {naming:?}"
    );
}
