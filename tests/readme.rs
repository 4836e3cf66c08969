//! The README and the prose pages in `docs/` say what the code does: the README stays short, every relative
//! link resolves (to a file, and `#anchor`s to a heading), no snippet holds a placeholder a user must guess,
//! and the snippets work as written — configuration snippets load through the real configuration loader,
//! check snippets through the real check compiler, the pre-commit hook matches `.pre-commit-hooks.yaml`, and
//! the GitHub workflow passes only inputs `action.yml` declares and finds the action where it puts it.
//! (The generated check reference, `docs/checks/`, is kept in sync by `tests/docs.rs`.)

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The README's limit, in lines.
const README_MAX_LINES: usize = 400;

/// The top-level keys of `.review-gate.yml`: a YAML snippet whose keys are all among these is a
/// configuration snippet.
const CONFIG_KEYS: [&str; 9] = [
    "fail_on",
    "exclude",
    "disable",
    "severity",
    "allow",
    "checks",
    "hook",
    "roles",
    "mcp_hosts",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every Markdown page directly in `docs/` (the generated `docs/checks/` has its own test).
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    assert!(docs.len() >= 4, "docs/ holds the prose pages: {docs:?}");
    pages.extend(docs);
    pages
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A fenced code block: its info string (`yaml`, `sh`, …), its text (dedented by the fence's indent)
/// and the line of its opening fence.
struct Block {
    info: String,
    text: String,
    line: usize,
}

/// A Markdown text split into its fenced code blocks and the lines outside them (1-based line, text).
fn split_markdown(text: &str) -> (Vec<Block>, Vec<(usize, &str)>) {
    let mut blocks = Vec::new();
    let mut outside = Vec::new();
    let mut open: Option<(usize, String, usize, String)> = None; // (indent, info, line, text)
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match &mut open {
            None if trimmed.starts_with("```") => {
                open = Some((
                    indent,
                    trimmed[3..].trim().to_string(),
                    i + 1,
                    String::new(),
                ));
            }
            None => outside.push((i + 1, line)),
            Some((fence_indent, ..)) if trimmed.starts_with("```") && indent <= *fence_indent => {
                let (_, info, line, text) = open.take().unwrap();
                blocks.push(Block { info, text, line });
            }
            Some((fence_indent, _, _, body)) => {
                let cut = line
                    .char_indices()
                    .take_while(|(j, c)| *j < *fence_indent && *c == ' ')
                    .count();
                body.push_str(&line[cut..]);
                body.push('\n');
            }
        }
    }
    assert!(open.is_none(), "an unclosed code fence");
    (blocks, outside)
}

/// The line with its inline code spans replaced by spaces (a link inside backticks is not a link).
fn blank_inline_code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
            out.push(' ');
        } else if in_code {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// The targets of the inline links `[text](target)` outside code, with their line numbers.
fn links(text: &str) -> Vec<(usize, String)> {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut out = Vec::new();
    for (line, raw) in split_markdown(text).1 {
        let prose = blank_inline_code(raw);
        out.extend(link.captures_iter(&prose).map(|c| (line, c[1].to_string())));
    }
    out
}

/// The anchors GitHub gives a page's headings: lowercase, punctuation (and backticks) dropped, spaces
/// to `-`, and `-1`, `-2`… for repeats.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for (_, line) in split_markdown(text).1 {
        let Some(title) = line
            .strip_prefix('#')
            .map(|t| t.trim_start_matches('#'))
            .and_then(|t| t.strip_prefix(' '))
        else {
            continue;
        };
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut candidate = slug.clone();
        let mut n = 0;
        while seen.contains(&candidate) {
            n += 1;
            candidate = format!("{slug}-{n}");
        }
        seen.insert(candidate);
    }
    seen
}

#[test]
fn readme_is_at_most_400_lines() {
    let lines = read(&root().join("README.md")).lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines; at most {README_MAX_LINES}: move details to docs/"
    );
}

#[test]
fn anchors_follow_githubs_rules() {
    let page = "# Title\n## Set up: `review-gate init`\n## Exit status\n## Exit status\n```sh\n# not a heading\n```\n";
    let got = anchors(page);
    let want: BTreeSet<String> = [
        "title",
        "set-up-review-gate-init",
        "exit-status",
        "exit-status-1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(got, want);
}

#[test]
fn every_relative_link_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(path)
            };
            let where_ = format!("{}:{line}: `{target}`", rel(&page));
            if !file.exists() {
                broken.push(format!("{where_}: no such file"));
                continue;
            }
            if let Some(anchor) = anchor {
                if file.extension().is_some_and(|e| e == "md")
                    && !anchors(&read(&file)).contains(anchor)
                {
                    broken.push(format!("{where_}: no heading with that anchor"));
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} relative links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn no_placeholder_a_user_must_guess() {
    let anywhere = regex::Regex::new(r"\bOWNER\b|\bYOUR_[A-Z]|\bREPLACE_ME\b|\bTODO\b").unwrap();
    let in_snippets =
        regex::Regex::new(r"(?i)\byour[-_](org|name|repo|user|project|token)\b|<owner>|<repo>")
            .unwrap();
    let mut found = Vec::new();
    for page in pages() {
        let text = read(&page);
        for (i, line) in text.lines().enumerate() {
            if let Some(m) = anywhere.find(line) {
                found.push(format!("{}:{}: {}", rel(&page), i + 1, m.as_str()));
            }
        }
        for block in split_markdown(&text).0 {
            for (i, line) in block.text.lines().enumerate() {
                if let Some(m) = in_snippets.find(line) {
                    found.push(format!(
                        "{}:{}: {}",
                        rel(&page),
                        block.line + 1 + i,
                        m.as_str()
                    ));
                }
            }
        }
    }
    assert!(found.is_empty(), "placeholders:\n{}", found.join("\n"));
}

#[test]
fn readme_gives_the_commands_ci_runs() {
    let readme = read(&root().join("README.md"));
    let ci = read(&root().join(".ci/run"));
    assert!(readme.contains("cargo test --locked"));
    assert!(ci.contains("cargo test --locked"));
    assert!(readme.contains("cargo install --locked --path ."));
    assert!(readme.contains("review-gate diff main"));
}

#[test]
fn readme_states_the_rust_version_cargo_toml_requires() {
    let manifest = read(&root().join("Cargo.toml"));
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("Cargo.toml has rust-version")
        .trim_matches('"');
    let readme = read(&root().join("README.md"));
    assert!(
        readme.contains(&format!("Rust {version} or newer")),
        "README.md must say `Rust {version} or newer` (Cargo.toml's rust-version)"
    );
}

/// Every YAML snippet of the README and the prose pages, parsed: (page, line, value).
fn yaml_snippets() -> Vec<(String, usize, Value)> {
    let mut out = Vec::new();
    for page in pages() {
        for block in split_markdown(&read(&page)).0 {
            if block.info != "yaml" {
                continue;
            }
            let value: Value = serde_saphyr::from_str(&block.text).unwrap_or_else(|e| {
                panic!(
                    "{}:{}: the YAML snippet does not parse: {e}",
                    rel(&page),
                    block.line
                )
            });
            out.push((rel(&page), block.line, value));
        }
    }
    out
}

fn is_config(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|m| !m.is_empty() && m.keys().all(|k| CONFIG_KEYS.contains(&k.as_str())))
}

#[test]
fn configuration_snippets_load() {
    let mut loaded = 0;
    for (page, line, value) in yaml_snippets().into_iter().filter(|s| is_config(&s.2)) {
        let dir = tempfile::tempdir().unwrap();
        // A `checks:` entry names a file of the user's; an empty check file stands in for it.
        for file in value["checks"].as_array().into_iter().flatten() {
            let path = dir
                .path()
                .join(file.as_str().expect("a checks: entry is a path"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "[]\n").unwrap();
        }
        std::fs::write(
            dir.path().join(".review-gate.yml"),
            serde_json::to_string_pretty(&value).unwrap(),
        )
        .unwrap();
        let run = common::run_in(dir.path(), &["scan", "."], None);
        assert_eq!(
            run.code, 0,
            "{page}:{line}: the configuration snippet does not load: {}",
            run.stderr
        );
        loaded += 1;
    }
    assert!(loaded >= 5, "only {loaded} configuration snippets found");
}

/// The four sections of a check's `help`.
const HELP_KEYS: [&str; 4] = ["finds", "why", "example", "fix"];

#[test]
fn check_snippets_compile() {
    let mut compiled = 0;
    for (page, line, value) in yaml_snippets() {
        let Some(list) = value.as_array() else {
            continue;
        };
        if !list.iter().all(|c| c.get("id").is_some()) {
            continue;
        }
        let mut checks = Vec::new();
        for check in list {
            let mut check = check.clone();
            let help = check.as_object_mut().unwrap().remove("help");
            let keys: Vec<&str> = help
                .as_ref()
                .and_then(Value::as_object)
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            assert_eq!(
                BTreeSet::from_iter(keys),
                BTreeSet::from(HELP_KEYS),
                "{page}:{line}: `help` has the four sections"
            );
            // Compiled by the real compiler, sections and all, under an id of its own so it does not
            // collide with the built-in check it describes.
            check["help"] = help.unwrap();
            let id = check["id"].as_str().unwrap().to_string();
            check["id"] = Value::String(format!("{id}-snippet"));
            checks.push(check);
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("checks.yml"),
            serde_json::to_string_pretty(&Value::Array(checks)).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(".review-gate.yml"),
            "checks: [checks.yml]\n",
        )
        .unwrap();
        let run = common::run_in(dir.path(), &["checks"], None);
        assert_eq!(
            run.code, 0,
            "{page}:{line}: the check snippet does not compile: {}",
            run.stderr
        );
        for check in list {
            let id = format!("{}-snippet", check["id"].as_str().unwrap());
            assert!(
                run.stdout.contains(&id),
                "{page}:{line}: `review-gate checks` does not list {id}"
            );
        }
        compiled += 1;
    }
    assert!(compiled >= 3, "only {compiled} check snippets found");
}

#[test]
fn pre_commit_snippet_runs_the_system_hook() {
    let hooks: Value =
        serde_saphyr::from_str(&read(&root().join(".pre-commit-hooks.yaml"))).unwrap();
    let system = hooks
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "review-gate-system")
        .expect(".pre-commit-hooks.yaml has review-gate-system");
    let snippets: Vec<Value> = yaml_snippets()
        .into_iter()
        .filter(|s| s.0 == "README.md" && s.2.get("repos").is_some())
        .map(|s| s.2)
        .collect();
    assert_eq!(snippets.len(), 1, "the README has one pre-commit snippet");
    let repo = &snippets[0]["repos"][0];
    assert_eq!(repo["repo"], "local", "works without a hosted copy");
    let hook = &repo["hooks"][0];
    for key in [
        "entry",
        "language",
        "pass_filenames",
        "always_run",
        "require_serial",
        "stages",
    ] {
        assert_eq!(
            hook[key], system[key],
            "the README's hook differs from review-gate-system in `{key}`"
        );
    }
}

/// The workflows in the README and `docs/github-action.md`: each `uses: ./…` step passes only inputs
/// that `action.yml` declares, with the permissions the token needs, and the step before it puts the
/// action where `uses:` looks for it (checked by running that step in a repository holding a copy).
#[test]
fn workflow_snippets_run_the_action_where_they_put_it() {
    let action: Value = serde_saphyr::from_str(&read(&root().join("action.yml"))).unwrap();
    let inputs = action["inputs"].as_object().expect("action.yml has inputs");
    let workflows: Vec<(String, usize, Value)> = yaml_snippets()
        .into_iter()
        .filter(|s| s.2.get("jobs").is_some())
        .collect();
    assert!(
        workflows.len() >= 2,
        "README and github-action.md give the workflow"
    );
    for (page, line, workflow) in &workflows {
        let at = format!("{page}:{line}");
        assert_eq!(workflow["permissions"]["checks"], "write", "{at}");
        assert_eq!(workflow["permissions"]["pull-requests"], "write", "{at}");
        let steps = workflow["jobs"]["review"]["steps"].as_array().unwrap();
        let (index, step) = steps
            .iter()
            .enumerate()
            .find(|(_, s)| s["uses"].as_str().is_some_and(|u| u.starts_with("./")))
            .unwrap_or_else(|| panic!("{at}: a step uses the local copy of the action"));
        for key in step["with"].as_object().into_iter().flatten().map(|m| m.0) {
            assert!(
                inputs.contains_key(key),
                "{at}: `{key}` is not an input of action.yml"
            );
        }
        assert_eq!(
            steps[0]["with"]["fetch-depth"], 0,
            "{at}: the base commit must be in the clone"
        );
        // Run the step before `uses:` in a repository that holds the copy, as the workflow's checkout would.
        let repo = common::Repo::new();
        repo.write(
            ".github/actions/review-gate/action.yml",
            read(&root().join("action.yml")),
        );
        repo.write(
            ".github/actions/review-gate/Cargo.toml",
            read(&root().join("Cargo.toml")),
        );
        repo.commit("vendor review-gate");
        let script = steps[index - 1]["run"].as_str().expect("a run step");
        let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
        let status = std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(repo.path())
            .env("BASE", &base)
            .status()
            .expect("bash runs");
        assert!(status.success(), "{at}: the step `{script}` failed");
        let uses = step["uses"].as_str().unwrap();
        let placed = repo.path().join(uses).join("action.yml");
        assert!(
            placed.is_file(),
            "{at}: `{script}` does not put the action at `{uses}`"
        );
        assert_eq!(read(&placed), read(&root().join("action.yml")), "{at}");
    }
}

/// The recommended workflow passes review-gate's own review (no error-level finding).
#[test]
fn the_recommended_workflow_passes_the_gate() {
    let text = read(&root().join("docs/github-action.md"));
    let block = split_markdown(&text)
        .0
        .into_iter()
        .find(|b| b.info == "yaml" && b.text.contains("jobs:"))
        .expect("docs/github-action.md has the workflow");
    let repo = common::Repo::new();
    repo.write(".github/workflows/review-gate.yml", &block.text);
    let run = repo.run(&["scan", "."]);
    assert_eq!(
        run.code, 0,
        "the workflow fails its own gate:\n{}{}",
        run.stdout, run.stderr
    );
}
