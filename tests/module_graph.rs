//! The shape of both crates, checked: no import circle between their modules (files, and the
//! runtime's rooms, its top-level folders), and no source file over 600 lines.
//!
//! The edges are the `use` items of each file (test modules left out), resolved to the file
//! that defines what they name: a name a module re-exports (`use crate::Registry`,
//! `use crate::series::Counter`) is followed to where the re-export takes it from. A module
//! and its own submodules are one room (a folder's `mod.rs` lists and re-exports its files),
//! so edges between them are not counted; every other edge is.
//!
//! `cargo test --test module_graph` prints every edge with `-- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The most lines a source file may have.
const MAX_LINES: usize = 600;

/// A crate's modules: module path (`family::order`) to its file, and each file's edges.
struct Crate {
    /// `family::order` -> `family/order.rs`, `` (the root) -> `lib.rs`.
    modules: BTreeMap<String, PathBuf>,
    /// What each module re-exports: (`registry`, `MetricsSet`) -> `crate::registry::set::MetricsSet`.
    reexports: BTreeMap<(String, String), String>,
}

fn source_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, into);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            into.push(path);
        }
    }
}

/// The module path of a file under `src`: `family/mod.rs` -> `family`, `lib.rs` -> ``.
fn module_path(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|last| last == "mod" || last == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// The text of a file without its inline test module (`#[cfg(test)]` followed by `mod tests`).
fn code_of(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests {").map_or(text, |end| &text[..end])
}

/// Every `use crate::..;` and `pub use ..;` item of `code`, as written (several lines joined).
fn use_items(code: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current: Option<String> = None;
    for line in code.lines() {
        let line = line.trim();
        if let Some(item) = current.as_mut() {
            item.push_str(line);
        } else if line.starts_with("use ") || line.starts_with("pub use ") || line.starts_with("pub(crate) use ") {
            current = Some(line.to_owned());
        }
        if current.as_ref().is_some_and(|item| item.ends_with(';')) {
            items.push(current.take().unwrap());
        }
    }
    items
}

/// The paths an item names, braces expanded: `crate::a::{b, c::{d, e}}` -> `crate::a::b`,
/// `crate::a::c::d`, `crate::a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let path = path.trim();
    let Some(open) = path.find('{') else { return vec![path.to_owned()] };
    let prefix = &path[..open];
    let inner = &path[open + 1..path.rfind('}').unwrap()];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .flat_map(|part| expand(&format!("{prefix}{}", part.trim())))
        .collect()
}

/// The path an item names without `use`, visibility, `as` and `;`.
fn item_path(item: &str) -> &str {
    let item = item.trim_end_matches(';');
    let item = item.trim_start_matches("pub(crate) ").trim_start_matches("pub ");
    item.trim_start_matches("use ").trim()
}

impl Crate {
    fn read(src: &Path) -> (Self, Vec<PathBuf>) {
        let mut files = Vec::new();
        source_files(src, &mut files);
        files.sort();
        let modules: BTreeMap<String, PathBuf> =
            files.iter().map(|file| (module_path(src, file), file.clone())).collect();
        let mut reexports = BTreeMap::new();
        for (module, file) in &modules {
            let text = fs::read_to_string(file).unwrap();
            for item in use_items(code_of(&text)) {
                if !item.starts_with("pub") {
                    continue;
                }
                for path in expand(item_path(&item)) {
                    let (path, name) = match path.split_once(" as ") {
                        Some((path, name)) => (path.trim().to_owned(), name.trim().to_owned()),
                        None => (path.clone(), path.rsplit("::").next().unwrap().to_owned()),
                    };
                    if let Some(absolute) = absolute(module, &path, &modules) {
                        reexports.insert((module.clone(), name), absolute);
                    }
                }
            }
        }
        (Self { modules, reexports }, files)
    }

    /// The module that defines what a `crate::..` path names: its longest prefix that is a
    /// module, or where that module's re-export of the name leads.
    fn module_of(&self, path: &str) -> Option<String> {
        let mut path = path.to_owned();
        // A re-export of a re-export: followed a few steps.
        for _ in 0..8 {
            let relative = path.trim_start_matches("crate::");
            let module = self.longest_module(relative);
            let rest = relative.strip_prefix(&module).unwrap_or(relative).trim_start_matches("::");
            let Some(name) = rest.split("::").next().filter(|name| !name.is_empty()) else {
                return Some(module);
            };
            match self.reexports.get(&(module.clone(), name.to_owned())) {
                Some(target) if *target != path => path = target.clone(),
                _ => return Some(module),
            }
        }
        None
    }

    fn longest_module(&self, path: &str) -> String {
        let mut segments: Vec<&str> = path.split("::").collect();
        while !segments.is_empty() {
            let candidate = segments.join("::");
            if self.modules.contains_key(&candidate) {
                return candidate;
            }
            segments.pop();
        }
        String::new()
    }

    /// Each module's imports of modules outside its own room and ancestors: the modules that
    /// define what it uses (the root and `__private`, the generated code's door, left out:
    /// they only re-export).
    fn edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, file) in &self.modules {
            if module.is_empty() || module == "__private" || file.ends_with("tests.rs") {
                continue;
            }
            let text = fs::read_to_string(file).unwrap();
            let targets = edges.entry(module.clone()).or_default();
            for item in use_items(code_of(&text)) {
                if item.starts_with("pub") {
                    // A re-export: followed where it is used.
                    continue;
                }
                for path in expand(item_path(&item)) {
                    let path = path.split(" as ").next().unwrap().trim();
                    let Some(absolute) = absolute(module, path, &self.modules) else { continue };
                    let Some(target) = self.module_of(&absolute) else { continue };
                    if !target.is_empty() && target != "__private" && !related(module, &target) {
                        targets.insert(target);
                    }
                }
            }
        }
        edges
    }
}

/// Whether one of two modules is the other or contains it.
fn related(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| inner == outer || inner.starts_with(&format!("{outer}::"));
    within(a, b) || within(b, a)
}

/// `path` as used in `module`, from the crate root (`crate::a::b`); `None` for a path out of
/// the crate.
fn absolute(module: &str, path: &str, modules: &BTreeMap<String, PathBuf>) -> Option<String> {
    let parent = module.rsplit_once("::").map_or("", |(parent, _)| parent);
    let join = |base: &str, rest: &str| {
        if base.is_empty() { format!("crate::{rest}") } else { format!("crate::{base}::{rest}") }
    };
    if path.starts_with("crate::") {
        Some(path.to_owned())
    } else if let Some(rest) = path.strip_prefix("super::") {
        Some(join(parent, rest))
    } else if let Some(rest) = path.strip_prefix("self::") {
        Some(join(module, rest))
    } else {
        // A submodule of `module`, named as in `use child::Item`.
        let first = path.split("::").next()?;
        let child = if module.is_empty() { first.to_owned() } else { format!("{module}::{first}") };
        modules.contains_key(&child).then(|| join(module, path))
    }
}

/// A circle in `edges`, if there is one, as the modules along it.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|seen| seen == node) {
            let mut circle = path[start..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, done, path) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| visit(node, edges, &mut done, &mut Vec::new()))
}

/// The edges between rooms: the first segment of each module's path.
fn rooms(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let room = |module: &str| module.split("::").next().unwrap().to_owned();
    let mut rooms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in edges {
        for to in targets {
            if room(from) != room(to) {
                rooms.entry(room(from)).or_default().insert(room(to));
            }
        }
    }
    rooms
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name).join("src")
}

/// Each crate of the workspace, by name, read.
fn crates() -> impl Iterator<Item = (&'static str, Crate, Vec<PathBuf>)> {
    ["solti-metrics", "solti-metrics-derive", "solti-metrics-rules"].into_iter().filter_map(|name| {
        let src = crate_src(name);
        let (krate, files) = src.exists().then(|| Crate::read(&src))?;
        Some((name, krate, files))
    })
}

fn print(what: &str, edges: &BTreeMap<String, BTreeSet<String>>) {
    println!("{what}:");
    for (from, targets) in edges {
        println!("  {from} -> {}", targets.iter().cloned().collect::<Vec<_>>().join(", "));
    }
}

#[test]
fn no_import_circle() {
    for (name, krate, _) in crates() {
        let edges = krate.edges();
        print(name, &edges);
        assert!(edges.values().any(|targets| !targets.is_empty()) || edges.len() < 3, "{name}: no edge read");
        if let Some(circle) = circle(&edges) {
            panic!("{name}: modules import each other in a circle: {}", circle.join(" -> "));
        }
        let rooms = rooms(&edges);
        print(&format!("{name}, rooms"), &rooms);
        if let Some(circle) = circle(&rooms) {
            panic!("{name}: rooms import each other in a circle: {}", circle.join(" -> "));
        }
    }
}

/// The runtime's rooms bottom-up: each imports only from rooms before it.
const RUNTIME_ROOMS: [&str; 11] = [
    "sync",
    "error",
    "metric",
    "labels",
    "series",
    "index",
    "exposition",
    "family",
    "registry",
    "integrations",
    "testing",
];

#[test]
fn the_runtimes_rooms_import_only_downwards() {
    let (_, krate, _) = crates().find(|(name, _, _)| *name == "solti-metrics").unwrap();
    let rooms = rooms(&krate.edges());
    let place = |room: &str| RUNTIME_ROOMS.iter().position(|known| *known == room);
    for (from, targets) in &rooms {
        let Some(from_place) = place(from) else { panic!("room `{from}` is not in RUNTIME_ROOMS") };
        for to in targets {
            let to_place = place(to).unwrap_or_else(|| panic!("room `{to}` is not in RUNTIME_ROOMS"));
            assert!(to_place < from_place, "`{from}` imports `{to}`, a room above it");
        }
    }
    assert!(rooms.len() >= 6, "the rooms' edges were read: {rooms:?}");
}

#[test]
fn no_source_file_over_the_limit() {
    for (_, _, files) in crates() {
        for file in files {
            let lines = fs::read_to_string(&file).unwrap().lines().count();
            assert!(lines <= MAX_LINES, "{} has {lines} lines, over {MAX_LINES}: split it by idea", file.display());
        }
    }
}

/// The reader itself: braces, `super::` and root re-exports resolve to modules, and a circle
/// is found.
#[test]
fn the_reader_finds_edges_and_circles() {
    assert_eq!(expand("crate::a::{b, c::{d, e}}"), ["crate::a::b", "crate::a::c::d", "crate::a::c::e"]);
    assert_eq!(item_path("pub(crate) use crate::x::Y;"), "crate::x::Y");
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]
    .into();
    assert_eq!(circle(&edges).unwrap(), ["a", "b", "c", "a"]);
    let line: BTreeMap<String, BTreeSet<String>> =
        [("a".to_owned(), BTreeSet::from(["b".to_owned()])), ("b".to_owned(), BTreeSet::new())].into();
    assert!(circle(&line).is_none());
    assert!(related("family", "family::order") && related("family::order", "family"));
    assert!(!related("family", "familyx") && !related("index::open", "index::removable"));
    let (krate, _) = Crate::read(&crate_src("solti-metrics"));
    assert_eq!(krate.module_of("crate::Registry").as_deref(), Some("registry"));
    assert_eq!(krate.module_of("crate::MetricsSet").as_deref(), Some("registry::set"), "a re-export of a re-export");
    assert_eq!(krate.module_of("crate::series::Counter").as_deref(), Some("series::scalar"));
    assert_eq!(krate.module_of("crate::family::order::Export").as_deref(), Some("family::order"));
    let edges = krate.edges();
    assert!(edges["family::order"].contains("labels::key"), "{:?}", edges["family::order"]);
    assert!(edges["family::erased"].contains("family::order"), "a sibling through `use crate::family::order`");
}
