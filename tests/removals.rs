//! What a change takes away, end to end: deleted files and removed lines in every source (staged, diff,
//! patch, GitHub, the agent's edits), `on: removed` / `on: deleted` checks, and the `side` of findings.

mod common;

use common::Repo;

const GATED_SETTINGS: &str = r#"{
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash|Write|Edit", "hooks": [{"type": "command", "command": "review-gate agent-hook --agent claude", "timeout": 30}]}
    ]
  },
  "permissions": {
    "deny": ["Read(./.env)", "Read(./secrets/**)"]
  }
}
"#;

fn checks(run: &common::Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(json: &'a serde_json::Value, check: &str) -> &'a serde_json::Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no {check} in {json}"))
}

/// A repository whose first commit holds the gated settings.
fn gated_repo() -> Repo {
    let repo = Repo::new();
    repo.write(".claude/settings.json", GATED_SETTINGS);
    repo.write("README.md", "# project\n");
    repo.commit("base");
    repo
}

fn assert_gate_removed(run: &common::Run) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let found = checks(run);
    assert!(
        found.contains(&"agent.hooks.gate-removed".to_string()),
        "{found:?}"
    );
    assert!(
        !found.contains(&"agent.config-unparseable".to_string()),
        "an empty new side is no parse error: {found:?}"
    );
    let json = run.json();
    let gate = finding(&json, "agent.hooks.gate-removed");
    assert_eq!(gate["severity"], "error");
    assert_eq!(gate["side"], "removed", "{gate}");
    assert_eq!(gate["path"], ".claude/settings.json");
}

#[test]
fn deleting_the_agent_settings_in_a_commit_reports_the_removed_gate() {
    let repo = gated_repo();
    repo.git(&["rm", "-q", ".claude/settings.json"]);
    repo.commit("drop the agent settings");
    let run = repo.run(&["diff", "HEAD~1", "--format", "json"]);
    assert_gate_removed(&run);
    let found = checks(&run);
    assert!(
        found
            .iter()
            .any(|c| c.starts_with("agent.permissions.deny")),
        "the removed deny rules are reported: {found:?}"
    );
    let text = repo.run(&["diff", "HEAD~1..HEAD"]);
    assert_eq!(text.code, 1, "{}", text.stdout);
    assert!(text.stdout.contains("gate-removed"), "{}", text.stdout);
    assert!(!text.stdout.contains("No findings"), "{}", text.stdout);
}

#[test]
fn staging_the_deletion_of_the_agent_settings_reports_the_removed_gate() {
    let repo = gated_repo();
    repo.git(&["rm", "-q", ".claude/settings.json"]);
    assert_gate_removed(&repo.run(&["staged", "--format", "json"]));
}

#[test]
fn a_patch_that_deletes_the_agent_settings_reports_the_removed_gate() {
    let repo = gated_repo();
    repo.git(&["rm", "-q", ".claude/settings.json"]);
    repo.commit("drop the agent settings");
    let patch = repo.git(&["diff", "HEAD~1", "HEAD"]);
    assert!(patch.contains("deleted file mode"), "{patch}");
    assert_gate_removed(&repo.run_stdin(&["patch", "--format", "json"], patch.as_bytes()));
}

#[test]
fn deleting_an_mcp_configuration_is_no_parse_error() {
    let repo = Repo::new();
    repo.write(
        ".mcp.json",
        r#"{"mcpServers": {"files": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "."]}}}"#,
    );
    repo.commit("base");
    repo.git(&["rm", "-q", ".mcp.json"]);
    repo.commit("drop mcp");
    let run = repo.run(&["diff", "HEAD~1", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(checks(&run).is_empty(), "{}", run.stdout);
}

#[test]
fn a_deleted_package_json_removes_its_dependencies() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        r#"{"name": "app", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0", "express": "4.19.2"}}"#,
    );
    repo.commit("base");
    repo.git(&["rm", "-q", "package.json"]);
    repo.commit("drop the manifest");
    let run = repo.run(&["diff", "HEAD~1", "--format", "json"]);
    let json = run.json();
    assert!(
        !checks(&run).contains(&"dependency.manifest-unparseable".to_string()),
        "{}",
        run.stdout
    );
    let deps = json["dependencies"].as_array().expect("dependencies");
    for name in ["left-pad", "express"] {
        let dep = deps
            .iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("{name} listed: {}", run.stdout));
        assert_eq!(dep["change"], "removed", "{dep}");
    }
}
