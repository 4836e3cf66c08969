//! The layering of `src/` (docs/architecture.md): every `crate::…` path in the code — in `use` lines,
//! brace groups included, and inline (`crate::engine::run(…)`) — is an edge from the module that writes
//! it to the module it names, and each module may import only the modules its rule lists. Comments and
//! string literals are not code; `#[cfg(test)]` modules are held to the same rules (no exemption).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each module (by path under `crate::`, longest match wins) and the modules it may import. The order
/// reads bottom-up: the vocabulary first, then the leaves, the engine, the policy, the reporters, the
/// pipeline, the gates and the wiring. `docs/architecture.md` shows the same table.
const RULES: &[(&str, &[&str])] = &[
    // The vocabulary: imports nothing of ours.
    ("model", &[]),
    // Leaves: the vocabulary at most.
    ("redact", &["model"]),
    ("lang", &["model"]),
    ("shell", &["model"]),
    ("manifest", &["model"]),
    // Sources yield a ChangeSet; they never import the engine.
    ("source", &["model", "manifest"]),
    // The check catalogue; never the engine or the gates.
    ("checks", &["model", "lang"]),
    // The fixture verifier runs the checks as the gates run them (the engine, and the agent gate's
    // verdict on a command): it sits above them, the one part of `checks` that does.
    (
        "checks::fixtures",
        &["model", "checks", "source", "engine", "policy", "gate"],
    ),
    // The engine never imports the policy, the reporters or the gates. Its command stage parses
    // command lines with the shell leaf.
    (
        "engine",
        &["model", "lang", "shell", "manifest", "checks", "source"],
    ),
    // The whole `.review-gate.yml` schema; never the gates.
    ("policy", &["model", "checks", "source"]),
    // Reporters read the model (and the check catalogue's metadata for SARIF rules); never git or sources.
    ("report", &["model", "checks", "redact"]),
    // One pipeline: sources → engine → policy → reporters.
    (
        "pipeline",
        &[
            "model", "checks", "source", "engine", "policy", "report", "redact",
        ],
    ),
    // Gates return an outcome; they never import `app`.
    (
        "gate",
        &[
            "model", "checks", "source", "engine", "policy", "report", "pipeline", "redact", "cli",
        ],
    ),
    // Installers: the git hook and the agents' settings.
    ("setup", &["source", "gate"]),
    // The command line's types.
    ("cli", &["policy", "report", "gate", "setup"]),
    // The wiring, and the fuzzing entry points: everything.
    ("app", &["*"]),
    ("fuzz_targets", &["*"]),
    ("main", &["*"]),
    ("lib", &["*"]),
];

/// Edges that break a rule today and belong to another engineer's work in progress; each names why.
/// An exception that no longer occurs fails the test, so the list only shrinks.
const TEMPORARY: &[(&str, &str, &str)] = &[];

/// The module a `src/` file is (`src/gate/agent/judge.rs` → `gate::agent::judge`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|p| p != "mod")
        .collect();
    parts.join("::")
}

/// The rule that governs a module path: the longest rule that is the path or a prefix of it.
fn rule_of(module: &str) -> Option<&'static str> {
    RULES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| module == *name || module.starts_with(&format!("{name}::")))
        .max_by_key(|name| name.len())
}

/// The text with comments, string literals and character literals blanked (lines kept).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if c == b'r'
            && matches!(b.get(i + 1), Some(b'#' | b'"'))
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            let hashes = b[i + 1..].iter().take_while(|&&h| h == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            i += 2 + hashes;
            out.extend(std::iter::repeat_n(b' ', 2 + hashes));
            while i < b.len() && !b[i..].starts_with(&close) {
                blank(&mut out, b[i]);
                i += 1;
            }
            out.extend(std::iter::repeat_n(b' ', close.len().min(b.len() - i)));
            i += close.len();
        } else if c == b'"' {
            out.push(b' ');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    blank(&mut out, b[i]);
                    i += 1;
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            out.push(b' ');
            i += 1;
        } else if c == b'\'' {
            // A character literal ('x', '\n', '\''), not a lifetime ('a).
            let len = if b.get(i + 1) == Some(&b'\\') {
                b[i + 2..].iter().position(|&x| x == b'\'').map(|p| p + 3)
            } else {
                let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + ch) == Some(&b'\'')).then_some(ch + 2)
            };
            match len {
                Some(len) => {
                    out.extend(std::iter::repeat_n(b' ', len));
                    i += len;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Every module path a `crate::…` path in `code` names, brace groups expanded (`crate::{a, b::c}`
/// → `a`, `b::c`), with the line it is on.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at;
        from = start + 7;
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        collect_tree(&code[from..], String::new(), line, &mut found);
    }
    found
}

/// Reads one path tree (`a::b`, `a::{b, c::d}`, `{a, b}`) at the start of `rest`, pushing each leaf
/// path joined to `prefix`.
fn collect_tree(rest: &str, prefix: String, line: usize, found: &mut Vec<(usize, String)>) {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut item_start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    collect_tree(&group[item_start..i], prefix.clone(), line, found);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    collect_tree(&group[item_start..i], prefix.clone(), line, found);
                    item_start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let ident: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if ident.is_empty() || ident == "self" {
        if !prefix.is_empty() {
            found.push((line, prefix));
        }
        return;
    }
    let path = if prefix.is_empty() {
        ident.clone()
    } else {
        format!("{prefix}::{ident}")
    };
    match rest[ident.len()..].trim_start().strip_prefix("::") {
        Some(tail) => collect_tree(tail, path, line, found),
        None => found.push((line, path)),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every import edge that breaks a rule, as `file:line: from → to (crate::path)`.
fn broken_edges(src: &Path) -> (Vec<String>, BTreeSet<(String, String)>) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    let mut excepted = BTreeSet::new();
    for file in files {
        let module = module_of(src, &file);
        let from = rule_of(&module).unwrap_or_else(|| {
            panic!(
                "{}: module `{module}` has no layering rule in tests/layering.rs",
                file.display()
            )
        });
        let allowed = RULES.iter().find(|(n, _)| *n == from).unwrap().1;
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, path) in crate_paths(&code_only(&text)) {
            let Some(to) = rule_of(&path) else {
                broken.push(format!(
                    "{}:{line}: `crate::{path}` names a module without a rule",
                    file.display()
                ));
                continue;
            };
            let top = |m: &str| m.split("::").next().unwrap_or(m).to_string();
            if top(to) == top(from) && !(from == "checks" && to == "checks::fixtures") {
                continue;
            }
            if allowed.contains(&"*")
                || allowed.contains(&to)
                || allowed.contains(&top(to).as_str())
            {
                continue;
            }
            if TEMPORARY.iter().any(|(f, t, _)| *f == from && *t == to) {
                excepted.insert((from.to_string(), to.to_string()));
                continue;
            }
            broken.push(format!(
                "{}:{line}: `{from}` may not import `{to}` (crate::{path}); it may import: {}",
                file.display(),
                if allowed.is_empty() {
                    "nothing of ours".to_string()
                } else {
                    allowed.join(", ")
                }
            ));
        }
    }
    (broken, excepted)
}

#[test]
fn every_import_follows_the_layering() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (broken, excepted) = broken_edges(&src);
    assert!(
        broken.is_empty(),
        "imports that break the layering (docs/architecture.md):\n{}",
        broken.join("\n")
    );
    let stale: Vec<String> = TEMPORARY
        .iter()
        .filter(|(f, t, _)| !excepted.contains(&(f.to_string(), t.to_string())))
        .map(|(f, t, why)| format!("{f} → {t} ({why})"))
        .collect();
    assert!(
        stale.is_empty(),
        "temporary exceptions that no longer occur (remove them):\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_scanner_finds_use_groups_inline_paths_and_skips_comments_and_strings() {
    let code = code_only(
        "use crate::model::{Finding, Severity};\n\
         use crate::{engine::run, report::{json, text}};\n\
         // crate::gate::agent in a comment\n\
         let s = \"crate::app in a string\"; let c = '\"'; let r = r#\"crate::app\"#;\n\
         let x = crate::pipeline::analyze(&y);\n\
         fn f<'a>(x: &'a str) -> &'a str { crate::shell::parse(x) }\n",
    );
    let paths: Vec<String> = crate_paths(&code).into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        paths,
        [
            "model::Finding",
            "model::Severity",
            "engine::run",
            "report::json",
            "report::text",
            "pipeline::analyze",
            "shell::parse",
        ]
    );
    assert_eq!(rule_of("gate::agent::judge"), Some("gate"));
    assert_eq!(
        rule_of("checks::fixtures::commands"),
        Some("checks::fixtures")
    );
    assert_eq!(rule_of("checks::compile"), Some("checks"));
    assert_eq!(rule_of("nowhere"), None);
}

#[test]
fn a_broken_rule_is_reported_with_its_file_and_edge() {
    let dir = std::env::temp_dir().join(format!("layering-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("model")).unwrap();
    std::fs::write(
        dir.join("model/mod.rs"),
        "use crate::engine::run;\nuse crate::model::Finding;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("report.rs"),
        "fn f() { crate::source::git::open(p); }\n",
    )
    .unwrap();
    let (broken, _) = broken_edges(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(broken.len(), 2, "{broken:#?}");
    assert!(broken[0].contains("model/mod.rs:1: `model` may not import `engine`"));
    assert!(broken[1].contains("report.rs:1: `report` may not import `source`"));
}

/// The "may import" table of `docs/architecture.md`, as (module, allowed) rows.
fn documented_rules() -> Vec<(String, Vec<String>)> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .unwrap();
    let table = doc
        .split("| module | may import |")
        .nth(1)
        .expect("docs/architecture.md has the `| module | may import |` table");
    let names = |cell: &str| -> Vec<String> {
        cell.split(',')
            .map(|n| n.trim().trim_matches('`').to_string())
            .filter(|n| !n.is_empty())
            .collect()
    };
    let mut rows = Vec::new();
    for line in table.lines().skip(2) {
        let cells: Vec<&str> = line.split('|').collect();
        if cells.len() < 4 {
            break;
        }
        let allowed = match cells[2].trim() {
            "nothing of ours" => Vec::new(),
            "everything" => vec!["*".to_string()],
            other => names(other),
        };
        for module in names(cells[1]) {
            rows.push((module, allowed.clone()));
        }
    }
    rows
}

#[test]
fn the_documented_rules_are_the_tested_rules() {
    let tested: Vec<(String, Vec<String>)> = RULES
        .iter()
        .map(|(m, a)| (m.to_string(), a.iter().map(|s| s.to_string()).collect()))
        .collect();
    assert_eq!(documented_rules(), tested);
}
