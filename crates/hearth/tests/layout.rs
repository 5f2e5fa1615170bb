//! The workspace's layout rules, checked on its sources: no file under a
//! crate's `src/` is over 400 lines, and no two modules of a crate import
//! each other, directly or around a longer circle (`crate::` paths outside
//! comments; a parent and its own child modules aside).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 400;

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every crate's `src/` files, keyed by crate name then module path (`a::b`).
fn modules() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut crates = BTreeMap::new();
    for entry in std::fs::read_dir(crates_dir()).unwrap() {
        let src = entry.unwrap().path().join("src");
        if !src.is_dir() {
            continue;
        }
        let name = src
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut mods = BTreeMap::new();
        for f in files {
            let rel = f.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            mods.insert(parts.join("::"), f);
        }
        crates.insert(name, mods);
    }
    crates
}

fn code_without_comments(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules a file names through `crate::`, as `use` paths or inline paths.
fn imports(code: &str, mods: &BTreeMap<String, PathBuf>, reexports: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let head = item.trim().split("::").next().unwrap_or("").to_string();
                out.extend(resolve(&[head], mods, reexports));
            }
            continue;
        }
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segs: Vec<String> = path.split("::").filter(|s| !s.is_empty()).map(String::from).collect();
        out.extend(resolve(&segs, mods, reexports));
    }
    out
}

/// The longest prefix of `segs` that is a module, or the module a root re-export comes from.
fn resolve(segs: &[String], mods: &BTreeMap<String, PathBuf>, reexports: &BTreeMap<String, String>) -> Option<String> {
    (1..=segs.len())
        .rev()
        .map(|i| segs[..i].join("::"))
        .find(|m| mods.contains_key(m))
        .or_else(|| segs.first().and_then(|s| reexports.get(s).cloned()))
}

/// `pub use module::{A, B};` and `pub use module::A;` in the crate root.
fn root_reexports(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let root = ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).find(|p| p.exists());
    let Some(root) = root else { return out };
    let code = code_without_comments(&root).replace('\n', " ");
    for stmt in code.split(';') {
        let Some(path) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = path.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.split(" as ").last().unwrap_or("").trim();
            let name = name.rsplit("::").next().unwrap_or(name);
            if !name.is_empty() {
                out.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    out
}

fn related(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
}

/// A circle through `start` in `graph`, if any (depth-first search).
fn circle(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                return Some(path.clone());
            }
            if seen.insert(next.clone()) {
                let mut p = path.clone();
                p.push(next.clone());
                stack.push((next.clone(), p));
            }
        }
    }
    None
}

#[test]
fn no_source_file_is_over_400_lines() {
    let mut long = Vec::new();
    for (krate, mods) in modules() {
        for path in mods.values() {
            let lines = std::fs::read_to_string(path).unwrap().lines().count();
            if lines > MAX_LINES {
                let rel = path.strip_prefix(crates_dir()).unwrap_or(path).display().to_string();
                long.push(format!("{krate}: {rel} has {lines} lines"));
            }
        }
    }
    assert!(long.is_empty(), "split these by subject:\n{}", long.join("\n"));
}

#[test]
fn no_modules_import_each_other() {
    let mut circles = BTreeSet::new();
    for (krate, mods) in modules() {
        let src = crates_dir().join(&krate).join("src");
        let reexports = root_reexports(&src);
        let mut graph = BTreeMap::new();
        for (name, path) in &mods {
            let uses = imports(&code_without_comments(path), &mods, &reexports);
            let uses: BTreeSet<String> = uses
                .into_iter()
                .filter(|m| !related(m, name) && !m.is_empty())
                .collect();
            graph.insert(name.clone(), uses);
        }
        for name in mods.keys().filter(|n| !n.is_empty()) {
            if let Some(mut c) = circle(&graph, name) {
                c.sort();
                circles.insert(format!("{krate}: {}", c.join(" → ")));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "modules that import each other:\n{}",
        circles.iter().cloned().collect::<Vec<_>>().join("\n")
    );
}
