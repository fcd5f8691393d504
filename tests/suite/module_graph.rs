//! The library's modules form a pipeline, not a knot: no module uses one
//! that uses it back, neither among the top-level modules (`font`,
//! `layout`, `export` …) nor among the files of one (`export::pdf` and
//! `export::ofd`). Read from the sources' `crate::` and `super::` paths,
//! comments and unit tests left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// Every module of `src/` (a file, or a folder's `mod.rs`) and its code.
fn modules() -> BTreeMap<Module, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<Module, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                // The command line is a crate of its own.
                && path != Path::new("src/main.rs")
            {
                let rel = path.strip_prefix("src").unwrap().with_extension("");
                let mut m: Module = rel
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                if matches!(m.last().map(String::as_str), Some("mod" | "lib")) {
                    m.pop();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
                let code: Vec<&str> = code
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                out.insert(m, code.join("\n"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(Path::new("src"), &mut out);
    out
}

/// The paths a module's code names from `crate::` or `super::`, a
/// `{…}` group spread into one path each.
fn paths(me: &Module, code: &str) -> Vec<Module> {
    let mut out = Vec::new();
    for (start, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut rest = &code[start..];
        let mut base: Module = Vec::new();
        if rest.starts_with("crate::") {
            rest = &rest["crate::".len()..];
        } else {
            base = me.clone();
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        base.extend(
            rest[..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        if rest[end..].starts_with('{') && rest[..end].ends_with("::") {
            let group = &rest[end + 1..rest[end..].find('}').map_or(end + 1, |k| end + k)];
            for item in group.split(',') {
                let mut p = base.clone();
                p.extend(
                    item.trim()
                        .split("::")
                        .take_while(|s| !s.is_empty() && *s != "self" && !s.contains(' '))
                        .map(String::from),
                );
                out.push(p);
            }
        }
        out.push(base);
    }
    out
}

/// The longest module that `path` names, if any.
fn resolve(path: &Module, modules: &BTreeMap<Module, String>) -> Option<Module> {
    (1..=path.len())
        .rev()
        .map(|k| path[..k].to_vec())
        .find(|m| modules.contains_key(m))
}

/// A cycle of the graph, as its modules in order, if there is one.
fn cycle(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        m: &Module,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        done: &mut BTreeSet<Module>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(at) = stack.iter().position(|s| s == m) {
            let mut c = stack[at..].to_vec();
            c.push(m.clone());
            return Some(c);
        }
        if !done.insert(m.clone()) {
            return None;
        }
        stack.push(m.clone());
        for next in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, stack) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut done, &mut Vec::new()))
}

fn shown(c: &[Module]) -> String {
    c.iter()
        .map(|m| m.join("::"))
        .collect::<Vec<_>>()
        .join(" → ")
}

#[test]
fn no_module_uses_one_that_uses_it_back() {
    let modules = modules();
    // Files: a module and the files beside it, not its own parent or
    // children (a folder's mod.rs declares and re-exports its files).
    let mut files: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    // The top-level modules, each folder as one.
    let mut top: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (me, code) in &modules {
        for p in paths(me, code) {
            let Some(to) = resolve(&p, &modules) else {
                continue;
            };
            let kin = to.starts_with(me) || me.starts_with(&to);
            if !kin {
                files.entry(me.clone()).or_default().insert(to.clone());
            }
            if !me.is_empty() && me[..1] != to[..1] {
                top.entry(me[..1].to_vec())
                    .or_default()
                    .insert(to[..1].to_vec());
            }
        }
    }
    // The check sees what it must: the frames' users and the writers.
    assert!(files[&vec!["export".to_string(), "pdf".to_string()]]
        .contains(&vec!["font".to_string(), "subset".to_string()]));
    assert!(top[&vec!["layout".to_string()]].contains(&vec!["font".to_string()]));
    for graph in [&files, &top] {
        if let Some(c) = cycle(graph) {
            panic!(
                "modules that use each other: {}; move what both need into one of them or a module of its own",
                shown(&c)
            );
        }
    }
}

#[test]
fn a_cycle_is_found() {
    let m = |s: &str| s.split("::").map(String::from).collect::<Module>();
    let graph = BTreeMap::from([
        (m("a"), BTreeSet::from([m("b")])),
        (m("b"), BTreeSet::from([m("c")])),
        (m("c"), BTreeSet::from([m("a")])),
    ]);
    assert_eq!(
        cycle(&graph).as_deref().map(shown).as_deref(),
        Some("a → b → c → a")
    );
    let code = "use crate::font::{subset::Subset, FaceId};\nuse super::docx::esc;";
    let found = paths(&m("export::pdf"), code);
    assert!(found.contains(&m("font::subset::Subset")), "{found:?}");
    assert!(found.contains(&m("font::FaceId")), "{found:?}");
    assert!(found.contains(&m("export::docx::esc")), "{found:?}");
}
