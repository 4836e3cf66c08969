//! Walks the agent configuration fixtures: `fixtures/agent/<case>/` holds `path.txt` (where the file
//! lives: `.mcp.json`, `.vscode/mcp.json`, `.claude/settings.json`, …), `new` and optionally `old` (its
//! two versions), and `expected.txt` listing every agent finding the change must produce, one
//! `<line> <check id>` a line (`#` comments). Nothing else may fire.

use std::path::Path;

use review_gate::model::ChangedFile;

fn changed_file(path: &str, new: &str, old: Option<String>) -> ChangedFile {
    let mut file = review_gate::source::whole_file(
        path.to_string(),
        new.to_string(),
        review_gate::source::AddedLines::All,
    );
    file.old_text = old;
    file
}

#[test]
fn every_agent_configuration_gives_exactly_the_expected_findings() {
    let checks =
        review_gate::checks::into_set(review_gate::checks::load_checked(&[]).expect("checks load"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/agent");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures/agent")
        .flatten()
        .map(|d| d.path())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for dir in &dirs {
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
        let path = read("path.txt").expect("path.txt").trim().to_string();
        let new = read("new").expect("new");
        let mut expected: Vec<(u32, String)> = read("expected.txt")
            .unwrap_or_default()
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (line, id) = l.split_once(' ').expect("`<line> <check id>`");
                (line.parse().expect("a line number"), id.trim().to_string())
            })
            .collect();
        let file = changed_file(&path, &new, read("old"));
        let (findings, _) =
            review_gate::engine::agent::review(&checks, std::slice::from_ref(&file), &[]);
        let mut got: Vec<(u32, String)> =
            findings.iter().map(|f| (f.line, f.check.clone())).collect();
        expected.sort();
        got.sort();
        if expected != got {
            let messages: Vec<String> = findings
                .iter()
                .map(|f| format!("  {} {} — {}", f.line, f.check, f.message))
                .collect();
            failures.push(format!(
                "{}: expected {expected:?}\n got {got:?}\n{}",
                dir.display(),
                messages.join("\n")
            ));
        }
        assert!(
            findings.iter().all(|f| f.category.as_str() == "agent"),
            "{}",
            dir.display()
        );
    }
    assert!(dirs.len() >= 15, "fixtures/agent lost cases");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn servers_are_listed_as_mcp_dependencies() {
    let checks =
        review_gate::checks::into_set(review_gate::checks::load_checked(&[]).expect("checks load"));
    let old = r#"{"mcpServers": {"gone": {"command": "npx", "args": ["-y", "a@1.0.0"]}}}"#;
    let new = r#"{"mcpServers": {
  "fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "."]},
  "remote": {"type": "http", "url": "https://mcp.sentry.dev/mcp"}
}}"#;
    let file = changed_file(".mcp.json", new, Some(old.to_string()));
    let (_, deps) = review_gate::engine::agent::review(&checks, &[file], &[]);
    /// (name, change, launcher, package, version) of one listed server.
    type Row<'a> = (String, &'a str, Option<&'a str>, Option<&'a str>, String);
    let rows: Vec<Row> = deps
        .iter()
        .map(|d| {
            (
                d.name.clone(),
                d.change.as_str(),
                d.launcher,
                d.package.as_deref(),
                d.version.clone(),
            )
        })
        .collect();
    assert!(deps.iter().all(|d| d.ecosystem == "mcp"));
    assert!(rows.contains(&(
        "fs".into(),
        "added",
        Some("npx"),
        Some("@modelcontextprotocol/server-filesystem"),
        "2025.8.21".into()
    )));
    assert!(rows.contains(&(
        "remote".into(),
        "added",
        Some("remote"),
        Some("https://mcp.sentry.dev/mcp"),
        "https://mcp.sentry.dev/mcp".into()
    )));
    assert!(rows.iter().any(|r| r.0 == "gone" && r.1 == "removed"));
}

#[test]
fn configured_hosts_are_accepted() {
    let checks =
        review_gate::checks::into_set(review_gate::checks::load_checked(&[]).expect("checks load"));
    let new = r#"{"mcpServers": {"internal": {"url": "https://mcp.corp.example/mcp"}}}"#;
    let review = |hosts: &[String]| {
        let file = changed_file(".mcp.json", new, None);
        let (findings, _) = review_gate::engine::agent::review(&checks, &[file], hosts);
        findings.into_iter().map(|f| f.check).collect::<Vec<_>>()
    };
    assert_eq!(review(&[]), ["agent.mcp.remote-host"]);
    assert_eq!(
        review(&["*.corp.example".to_string()]),
        ["agent.mcp.server"]
    );
}
