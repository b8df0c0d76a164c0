//! The library's modules form layers, and imports only go down. This test reads the sources
//! and fails on any `crate::…` path from a module to one of its own layer or above (outside
//! test code), so a new import circle cannot land unnoticed. The same holds for the binary.
//!
//! It reads text, not the compiler's resolution: it follows `crate::` paths (and the crate
//! root's re-exports), not `super::` or `self::` paths inside one module, so the order of the
//! files within a room is not checked here. Test code is skipped: files named `tests.rs` or
//! `*_tests.rs`, and an inline `#[cfg(test)] mod tests` block, which by convention ends a file.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The library's top-level modules, bottom first. Modules on one line are one layer and may
/// not import each other.
const LIBRARY: &[&[&str]] = &[
    &["text"],
    &["transcript"],
    &["pack"],
    &["engine"],
    &["finding"],
    &["judge"],
    &["score"],
    &["checker"],
    &["session"],
    &["eval"],
    &["replies"],
    &["lint"],
    &["html"],
    &["reference"],
];

/// The binary's modules, bottom first. A file belongs to the longest entry that is a prefix
/// of its module path: `check::input` is lower than `render`, which is lower than `check`.
const BINARY: &[&[&str]] = &[
    &["cli", "exit", "walk", "text_file"],
    &["pack", "config"],
    &[
        "check::input",
        "check::tally",
        "lint::results",
        "lint::files",
    ],
    &["render"],
    &["check", "lint", "eval", "report"],
    &["rules"],
];

#[test]
fn library_imports_only_go_down() {
    let violations = check(Path::new("src"), "lib.rs", LIBRARY, &["bin"]);
    assert!(
        violations.is_empty(),
        "imports that go up or sideways:\n{}",
        violations.join("\n")
    );
}

#[test]
fn binary_imports_only_go_down() {
    let violations = check(Path::new("src/bin/huashu"), "main.rs", BINARY, &[]);
    assert!(
        violations.is_empty(),
        "imports that go up or sideways:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_check_finds_an_upward_import() {
    let layers: &[&[&str]] = &[&["low"], &["high"]];
    let ranks = ranks(layers);
    let found = upward(
        "low",
        "use crate::high::Thing;\nfn f() { crate::low::g(); }",
        &ranks,
        &BTreeMap::new(),
    );
    assert_eq!(found, vec!["high".to_string()]);
    let grouped = upward(
        "low",
        "use crate::{low::a, high::{b, c}};",
        &ranks,
        &BTreeMap::new(),
    );
    assert_eq!(grouped, vec!["high".to_string()]);
    let reexported = BTreeMap::from([("Thing".to_string(), "high".to_string())]);
    assert_eq!(
        upward("low", "use crate::Thing;", &ranks, &reexported),
        vec!["high".to_string()]
    );
    let commented = "// crate::high is mentioned here\nlet s = \"crate::high\";";
    assert!(upward("low", commented, &ranks, &BTreeMap::new()).is_empty());
    let literals = "let q = '\"'; let r = r#\"a \" crate::high\"#; let t = '\\''; crate::low::f();";
    assert!(upward("low", literals, &ranks, &BTreeMap::new()).is_empty());
    let after_literals = "let q = '\"'; use crate::high::X;";
    assert_eq!(
        upward("low", after_literals, &ranks, &BTreeMap::new()),
        vec!["high".to_string()]
    );
    let in_tests = "fn f() {}\n#[cfg(test)]\nmod tests {\n    use crate::high::Thing;\n}\n";
    assert!(upward("low", in_tests, &ranks, &BTreeMap::new()).is_empty());
}

fn ranks(layers: &[&[&str]]) -> BTreeMap<String, usize> {
    let mut ranks = BTreeMap::new();
    for (rank, layer) in layers.iter().enumerate() {
        for module in *layer {
            ranks.insert(module.to_string(), rank);
        }
    }
    ranks
}

/// Every import that goes up or sideways in the crate rooted at `root`, as `file: target`.
fn check(dir: &Path, root: &str, layers: &[&[&str]], skip: &[&str]) -> Vec<String> {
    let ranks = ranks(layers);
    let root_text = fs::read_to_string(dir.join(root)).expect("the crate root reads");
    let reexports = reexports(&strip(&root_text));
    let mut violations = Vec::new();
    let mut files = Vec::new();
    sources(dir, &mut files);
    for file in files {
        let rel = file.strip_prefix(dir).expect("under the crate");
        if rel == Path::new(root) {
            continue;
        }
        let mut path: Vec<String> = rel
            .components()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .collect();
        if path.last().is_some_and(|last| last == "mod") {
            path.pop();
        }
        if skip.contains(&path[0].as_str()) {
            continue;
        }
        let name = file.file_name().expect("a name").to_string_lossy();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let Some(module) = layer_of(&path, &ranks) else {
            panic!(
                "{} belongs to no layer: add `{}` to the list in tests/layers.rs",
                file.display(),
                path[0]
            );
        };
        let text = fs::read_to_string(&file).expect("the source reads");
        for target in upward(&module, &text, &ranks, &reexports) {
            violations.push(format!("{}: {target}", file.display()));
        }
    }
    violations
}

/// The modules of the same layer or above that `text` (in `module`) names with `crate::`.
fn upward(
    module: &str,
    text: &str,
    ranks: &BTreeMap<String, usize>,
    reexports: &BTreeMap<String, String>,
) -> Vec<String> {
    let own = ranks[module];
    let code = strip(text);
    let mut found = Vec::new();
    for mut path in crate_paths(&code) {
        if let Some(module) = reexports.get(&path[0]) {
            path = module.split("::").map(str::to_string).collect();
        }
        let Some(target) = layer_of(&path, ranks) else {
            continue;
        };
        if target == module
            || module.starts_with(&format!("{target}::"))
            || target.starts_with(&format!("{module}::"))
        {
            continue;
        }
        if ranks[&target] >= own && !found.contains(&target) {
            found.push(target);
        }
    }
    found
}

/// The path after each `crate::`, as segments; a group (`crate::a::{b, c::d}`) gives one path
/// per item.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(ident) {
            continue;
        }
        let mut prefix = Vec::new();
        let mut tail = rest;
        loop {
            let name: String = tail.chars().take_while(|&c| ident(c)).collect();
            if name.is_empty() {
                break;
            }
            tail = &tail[name.len()..];
            prefix.push(name);
            match tail.strip_prefix("::") {
                Some(t) if t.starts_with(|c: char| ident(c)) => tail = t,
                Some(t) if t.starts_with('{') => {
                    tail = t;
                    break;
                }
                _ => break,
            }
        }
        if let Some(group) = tail.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let mut path = prefix.clone();
                path.extend(
                    item.trim()
                        .split("::")
                        .map(|s| s.chars().take_while(|&c| ident(c)).collect::<String>())
                        .filter(|s| !s.is_empty() && s != "self"),
                );
                if !path.is_empty() {
                    out.push(path);
                }
            }
        } else if !prefix.is_empty() {
            out.push(prefix);
        }
    }
    out
}

/// The longest prefix of `path` that names a layer's module, as `a::b`.
fn layer_of(path: &[String], ranks: &BTreeMap<String, usize>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| ranks.contains_key(m))
}

/// What the crate root re-exports, by name, with the module it comes from.
fn reexports(root: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for statement in root.split(';') {
        let Some(at) = statement.find("pub use ") else {
            continue;
        };
        let path = statement[at + "pub use ".len()..].trim();
        let module: String = path
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let names = match (path.find('{'), path.rfind('}')) {
            (Some(a), Some(b)) => path[a + 1..b].to_string(),
            _ => path.rsplit("::").next().unwrap_or("").to_string(),
        };
        for name in names.split([',', '{', '}']) {
            let name = name.trim().rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.clone());
            }
        }
    }
    out
}

/// The code without comments, string and character literals, and the inline test module that
/// ends a file by convention.
fn strip(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &text[..at],
        None => text,
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (i == 0 || !ident(chars[i - 1]))
            && matches!(next, Some('"') | Some('#'))
        {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            j += 1;
            while j < chars.len() {
                if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next == Some('\\') {
            // A character literal with an escape: '\n', '\'', '\u{…}'.
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("the source directory reads")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
