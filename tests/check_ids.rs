//! Every check id the code can report is a loaded check, so `explain`, SARIF rules, the docs and the
//! configuration (`disable`, `severity`, `allow.checks`, `hook.actions`) know it. The ids are taken from
//! the sources: string literals of the form `"<family>.<name>"` outside test code; a literal ending in
//! `.` is a prefix and must start some check's id.

use std::path::{Path, PathBuf};

/// The families of ids the code names in literals.
const FAMILIES: &[&str] = &[
    "agent",
    "attack",
    "command",
    "dependency",
    "env",
    "eval",
    "exec",
    "network",
    "path-traversal",
    "policy",
    "powershell",
    "secret",
];

/// Literals of those shapes that are not check ids (file names, program names).
const NOT_IDS: &[&str] = &["agent.md", "powershell.exe"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_name().unwrap().to_string_lossy();
            if name != "tests.rs" && !name.ends_with("_tests.rs") {
                out.push(path);
            }
        }
    }
}

/// The id-shaped string literals of `text` before its first `#[cfg(test)]`.
fn literals(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = Vec::new();
    for (i, _) in code.match_indices('"') {
        let rest = &code[i + 1..];
        let Some(end) = rest.find('"') else { break };
        let literal = &rest[..end];
        let Some((family, name)) = literal.split_once('.') else {
            continue;
        };
        let shaped = FAMILIES.contains(&family)
            && literal
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b))
            && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        if shaped && !NOT_IDS.contains(&literal) {
            found.push(literal.to_string());
        }
    }
    found
}

#[test]
fn every_id_the_code_reports_is_a_loaded_check() {
    let checks = review_gate::checks::load_checked(&[]).expect("checks load");
    let ids: Vec<String> = checks.iter().map(|c| c.meta.id.to_string()).collect();
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut unknown = Vec::new();
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for literal in literals(&text) {
            seen += 1;
            let known = if literal.ends_with('.') {
                ids.iter().any(|id| id.starts_with(&literal))
            } else {
                ids.contains(&literal)
            };
            if !known {
                unknown.push(format!("{}: {literal}", file.display()));
            }
        }
    }
    assert!(
        seen >= 40,
        "only {seen} id literals found: is the scan broken?"
    );
    assert!(
        unknown.is_empty(),
        "ids the code reports but no check describes:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn the_scan_sees_ids_and_skips_tests() {
    let text = "let a = \"powershell.start-process\"; let b = \"command.shell.\";\n\
                let c = \"agent.md\"; let d = \"x.y\";\n#[cfg(test)]\nmod t { \"exec.nope\" }";
    assert_eq!(
        literals(text),
        ["powershell.start-process", "command.shell."]
    );
}

#[test]
fn explain_names_who_finds_a_produced_check() {
    for (id, by) in [
        ("powershell.start-process", "agent gate's own rules"),
        ("policy.agent-read-secret", "agent gate's own rules"),
        ("dependency.index", "dependency analysis"),
        ("attack.agent-instructions.injection", "instruction files"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_review-gate"))
            .args(["explain", id])
            .output()
            .unwrap();
        assert!(out.status.success(), "explain {id}");
        let text = String::from_utf8_lossy(&out.stdout);
        let found_by = text
            .lines()
            .find(|l| l.trim_start().starts_with("found by:"))
            .unwrap_or_else(|| panic!("explain {id}: no `found by`:\n{text}"));
        assert!(found_by.contains(by), "explain {id}: {found_by}");
    }
}
