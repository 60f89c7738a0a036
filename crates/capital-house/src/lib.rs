//! A crate's module graph, read from its source with syn: which module names which (through
//! `crate::`, `super::`, `self::` paths and `use` trees), the import cycles among them, and what
//! each file names. `tests/house.rs` holds the workspace to zero cycles and the backend to its
//! layers (the README's map).
//!
//! A module's file and its children's are one house: a module naming its own child, or a child
//! naming its parent (`super::`), is not an import between rooms and is not an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's path inside its crate: `[]` for the root, `["http", "element"]` for `http::element`.
pub type ModulePath = Vec<String>;

/// Every module of one crate (files only: inline `mod tests { … }` belong to their file) and the
/// modules each one names.
#[derive(Debug, Default)]
pub struct ModuleGraph {
    /// The file of each module.
    pub files: BTreeMap<ModulePath, PathBuf>,
    /// Module → the modules it names (ancestors and descendants left out).
    pub edges: BTreeMap<ModulePath, BTreeSet<ModulePath>>,
    /// Module → every identifier its file names in a path or a `use` (types, functions, modules).
    pub names: BTreeMap<ModulePath, BTreeSet<String>>,
    /// Files laid out as `mod.rs` (the house style is `foo.rs` beside `foo/`).
    pub mod_rs_files: Vec<PathBuf>,
}

/// Why a crate's source could not be read.
#[derive(Debug)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ModuleGraph {
    /// Reads the crate whose root file is `root` (`src/lib.rs` or `src/main.rs`), following its
    /// `mod` declarations.
    pub fn read(root: &Path) -> Result<ModuleGraph, ReadError> {
        let mut graph = ModuleGraph::default();
        let mut raw: BTreeMap<ModulePath, Vec<Vec<String>>> = BTreeMap::new();
        let dir = root.parent().unwrap_or(Path::new(".")).to_path_buf();
        graph.read_module(Vec::new(), root, &dir, &mut raw)?;
        let known: BTreeSet<ModulePath> = graph.files.keys().cloned().collect();
        for (module, paths) in raw {
            let mut targets = BTreeSet::new();
            for path in paths {
                if let Some(target) = resolve(&module, &path, &known)
                    && !is_ancestor_or_descendant(&module, &target)
                {
                    targets.insert(target);
                }
            }
            graph.edges.insert(module, targets);
        }
        Ok(graph)
    }

    fn read_module(
        &mut self,
        module: ModulePath,
        file: &Path,
        children_dir: &Path,
        raw: &mut BTreeMap<ModulePath, Vec<Vec<String>>>,
    ) -> Result<(), ReadError> {
        let text = fs::read_to_string(file)
            .map_err(|error| ReadError(format!("{}: {error}", file.display())))?;
        let parsed = syn::parse_file(&text)
            .map_err(|error| ReadError(format!("{}: {error}", file.display())))?;
        if file.file_name().is_some_and(|name| name == "mod.rs") {
            self.mod_rs_files.push(file.to_path_buf());
        }
        let mut paths = PathCollector::default();
        paths.visit_file(&parsed);
        raw.insert(module.clone(), paths.paths);
        self.names.insert(module.clone(), paths.idents);
        self.files.insert(module.clone(), file.to_path_buf());
        for item in &parsed.items {
            let syn::Item::Mod(declared) = item else {
                continue;
            };
            if declared.content.is_some() {
                continue;
            }
            let name = declared.ident.to_string();
            let beside = children_dir.join(format!("{name}.rs"));
            let (child_file, child_dir) = if beside.exists() {
                (beside, children_dir.join(&name))
            } else {
                let nested = children_dir.join(&name).join("mod.rs");
                if !nested.exists() {
                    return Err(ReadError(format!(
                        "{}: `mod {name};` has neither {} nor {}",
                        file.display(),
                        beside.display(),
                        nested.display()
                    )));
                }
                (nested, children_dir.join(&name))
            };
            let mut child = module.clone();
            child.push(name);
            self.read_module(child, &child_file, &child_dir, raw)?;
        }
        Ok(())
    }

    /// The import cycles: each a set of two or more modules that reach one another (Tarjan's
    /// strongly connected components).
    ///
    /// An edge between two modules counts between the rooms they live in: `a::x → b::y` is
    /// `a → b`, and `http::element → http::state` is itself; so `a → b` with `b::inner → a` is a
    /// cycle, one between the houses `a` and `b`.
    pub fn cycles(&self) -> Vec<Vec<ModulePath>> {
        let mut lifted: BTreeMap<&ModulePath, BTreeSet<ModulePath>> = BTreeMap::new();
        for (from, targets) in &self.edges {
            for to in targets {
                let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
                let (room_from, room_to) = (from[..=common].to_vec(), to[..=common].to_vec());
                let room_from = self.files.get_key_value(&room_from).map(|(k, _)| k);
                if let Some(room_from) = room_from {
                    lifted.entry(room_from).or_default().insert(room_to);
                }
            }
        }
        let nodes: Vec<&ModulePath> = self.files.keys().collect();
        let index_of: BTreeMap<&ModulePath, usize> =
            nodes.iter().enumerate().map(|(i, m)| (*m, i)).collect();
        let successors: Vec<Vec<usize>> = nodes
            .iter()
            .map(|m| {
                lifted
                    .get(*m)
                    .into_iter()
                    .flatten()
                    .filter_map(|t| index_of.get(t).copied())
                    .collect()
            })
            .collect();
        let mut tarjan = Tarjan::new(nodes.len());
        for v in 0..nodes.len() {
            if tarjan.index[v].is_none() {
                tarjan.visit(v, &successors);
            }
        }
        tarjan
            .components
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| {
                let mut c: Vec<ModulePath> = c.into_iter().map(|i| nodes[i].clone()).collect();
                c.sort();
                c
            })
            .collect()
    }
}

/// `a::b` for a module path, `crate` for the root.
pub fn display(module: &ModulePath) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

fn is_ancestor_or_descendant(a: &ModulePath, b: &ModulePath) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The deepest known module a path names, from inside `module`.
fn resolve(
    module: &ModulePath,
    path: &[String],
    known: &BTreeSet<ModulePath>,
) -> Option<ModulePath> {
    let (mut base, rest): (ModulePath, &[String]) = match path.first().map(String::as_str)? {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (module.clone(), &path[1..]),
        "super" => {
            let mut base = module.clone();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            (base, rest)
        }
        // A bare path names a child module of this one (or, in the root, a top-level one).
        first => {
            let mut child = module.clone();
            child.push(first.to_owned());
            if !known.contains(&child) {
                return None;
            }
            (module.clone(), path)
        }
    };
    let mut deepest = base.clone();
    for segment in rest {
        base.push(segment.clone());
        if known.contains(&base) {
            deepest = base.clone();
        } else {
            break;
        }
    }
    Some(deepest)
}

/// Every path a file writes (`crate::a::B`, `super::c`, the flattened leaves of each `use` tree),
/// and every identifier in them.
#[derive(Default)]
struct PathCollector {
    paths: Vec<Vec<String>>,
    idents: BTreeSet<String>,
}

impl PathCollector {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.record(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                self.record(full);
            }
            syn::UseTree::Glob(_) => self.record(prefix.clone()),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    fn record(&mut self, path: Vec<String>) {
        self.idents.extend(path.iter().cloned());
        self.paths.push(path);
    }
}

impl<'ast> Visit<'ast> for PathCollector {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.record(segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Paths inside macro calls (`json!`, `view!`, `html!`) are tokens, not syntax: read the
        // `crate::…` and `super::…` runs among them.
        let tokens: Vec<String> = mac
            .tokens
            .clone()
            .into_iter()
            .map(|t| t.to_string())
            .collect();
        let mut i = 0;
        while i < tokens.len() {
            if matches!(tokens[i].as_str(), "crate" | "super") {
                let mut path = vec![tokens[i].clone()];
                let mut j = i + 1;
                while j + 2 < tokens.len() + 1
                    && tokens.get(j).is_some_and(|t| t == ":")
                    && tokens.get(j + 1).is_some_and(|t| t == ":")
                {
                    match tokens.get(j + 2) {
                        Some(next) if next.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                            path.push(next.clone());
                            j += 3;
                        }
                        _ => break,
                    }
                }
                self.record(path);
                i = j;
            } else {
                i += 1;
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

struct Tarjan {
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    components: Vec<Vec<usize>>,
}

impl Tarjan {
    fn new(n: usize) -> Tarjan {
        Tarjan {
            index: vec![None; n],
            low: vec![0; n],
            on_stack: vec![false; n],
            stack: Vec::new(),
            next: 0,
            components: Vec::new(),
        }
    }

    fn visit(&mut self, v: usize, successors: &[Vec<usize>]) {
        self.index[v] = Some(self.next);
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        for &w in &successors[v] {
            match self.index[w] {
                None => {
                    self.visit(w, successors);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> ModuleGraph {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("capital-house-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (path, text) in files {
            let file = dir.join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, text).unwrap();
        }
        let graph = ModuleGraph::read(&dir.join("lib.rs")).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        graph
    }

    fn m(path: &str) -> ModulePath {
        path.split("::").map(str::to_owned).collect()
    }

    #[test]
    fn a_cycle_through_use_trees_and_super_paths_is_found() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b; mod c;"),
            ("a.rs", "use crate::{b::{self, Thing}};"),
            ("b.rs", "mod inner; fn f() { super::c::go() }"),
            ("b/inner.rs", "use super::super::a::X;"),
            ("c.rs", "fn g() { let _ = format!(\"{}\", crate::a::Y); }"),
        ]);
        assert_eq!(g.edges[&m("a")], BTreeSet::from([m("b")]));
        assert_eq!(g.edges[&m("b::inner")], BTreeSet::from([m("a")]));
        assert_eq!(g.cycles(), vec![vec![m("a"), m("b"), m("c")]]);
    }

    #[test]
    fn parents_and_children_naming_each_other_are_no_cycle() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "mod child; use child::Thing; pub struct P;"),
            ("a/child.rs", "use super::P; use crate::b::B;"),
            ("b.rs", "pub struct B;"),
        ]);
        assert!(g.cycles().is_empty());
        assert_eq!(g.edges[&m("a::child")], BTreeSet::from([m("b")]));
        assert!(g.names[&m("a::child")].contains("P"));
    }

    #[test]
    fn a_child_naming_a_sibling_of_its_parent_that_names_the_parent_is_a_cycle() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b::B;"),
            ("b.rs", "mod inner; pub struct B;"),
            ("b/inner.rs", "use crate::a::X;"),
        ]);
        assert_eq!(g.cycles(), vec![vec![m("a"), m("b")]]);
    }

    #[test]
    fn a_mod_rs_file_is_noticed() {
        let g = graph(&[("lib.rs", "mod a;"), ("a/mod.rs", "")]);
        assert_eq!(g.mod_rs_files.len(), 1);
    }
}
