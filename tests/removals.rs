//! What a change takes away, end to end: deleted files and removed lines in every source (staged, diff,
//! patch, GitHub, the agent's edits), `on: removed` / `on: deleted` checks, and the `side` of findings.

mod common;
#[cfg(feature = "github")]
mod gh;

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
    assert!(
        gate["message"]
            .as_str()
            .unwrap()
            .ends_with("(the change deletes the file)"),
        "{gate}"
    );
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

const GITIGNORE: &str = "node_modules/\n# local settings\n.env\ndist/\n";
const GITIGNORE_WITHOUT_ENV: &str = "node_modules/\n# local settings\ndist/\n";

/// A repository whose `.gitignore` keeps `.env` out, with `GITIGNORE_WITHOUT_ENV` written over it.
fn unignoring_repo() -> Repo {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.commit("base");
    repo.write(".gitignore", GITIGNORE_WITHOUT_ENV);
    repo
}

fn assert_env_entry_removed(run: &common::Run) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    let f = finding(&json, "secret.gitignore.env-entry-removed");
    assert_eq!(f["side"], "removed", "{f}");
    assert_eq!(f["line"], 3, "the line number in the old file: {f}");
    assert_eq!(f["path"], ".gitignore");
    assert_eq!(f["snippet"], ".env", "{f}");
    assert_eq!(json["summary"]["removed_lines"], 1, "{}", json["summary"]);
    assert!(
        f["message"].as_str().unwrap().starts_with("removes: "),
        "{f}"
    );
}

#[test]
fn a_removed_gitignore_entry_is_reported_in_staged_diff_and_patch() {
    let repo = unignoring_repo();
    repo.git(&["add", "-A"]);
    let staged = repo.run(&["staged", "--format", "json", "--fail-on", "warning"]);
    assert_env_entry_removed(&staged);
    repo.commit("drop the entry");
    let diff = repo.run(&["diff", "HEAD~1", "--format", "json", "--fail-on", "warning"]);
    assert_env_entry_removed(&diff);
    let patch = repo.git(&["diff", "HEAD~1", "HEAD"]);
    let patched = repo.run_stdin(
        &["patch", "--format", "json", "--fail-on", "warning"],
        patch.as_bytes(),
    );
    assert_env_entry_removed(&patched);
    // The text output says it is a removal, on the old file.
    let text = repo.run(&["diff", "HEAD~1", "--fail-on", "warning"]);
    assert!(
        text.stdout
            .contains(".gitignore:3:1: warning[secret.gitignore.env-entry-removed] removes: "),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("(removed line, old file)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("with 0 lines added and 1 removed"),
        "{}",
        text.stdout
    );
    // SARIF says the side in the result's properties.
    let sarif = repo.run(&[
        "diff",
        "HEAD~1",
        "--format",
        "sarif",
        "--fail-on",
        "warning",
    ]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["side"], "removed", "{result}");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn a_moved_gitignore_entry_is_no_removal() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.commit("base");
    repo.write(
        ".gitignore",
        "node_modules/\ndist/\n# local settings\n.env\n",
    );
    repo.commit("reorder");
    let run = repo.run(&["diff", "HEAD~1", "--format", "json", "--fail-on", "warning"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(checks(&run).is_empty(), "{}", run.stdout);
}

#[test]
fn a_marker_on_the_removed_line_silences_nothing_and_a_deleted_gitignore_removes_every_entry() {
    let repo = Repo::new();
    repo.write(
        ".gitignore",
        "# review-gate: allow secret.gitignore.env-entry-removed -- kept on purpose\n.env\n",
    );
    repo.commit("base");
    repo.git(&["rm", "-q", ".gitignore"]);
    repo.commit("drop .gitignore");
    let run = repo.run(&["diff", "HEAD~1", "--format", "json", "--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    let f = finding(&json, "secret.gitignore.env-entry-removed");
    assert_eq!(f["line"], 2);
    assert!(
        json["suppressions"].as_array().is_none_or(|s| s.is_empty()),
        "{json}"
    );
}

#[test]
fn removed_side_findings_have_their_own_fingerprint_and_baselines_hold_them() {
    let repo = unignoring_repo();
    repo.commit("drop the entry");
    let first = repo.run(&["diff", "HEAD~1", "--format", "json", "--fail-on", "warning"]);
    assert_eq!(first.code, 1);
    let baseline = repo.path().join("baseline.json");
    std::fs::write(&baseline, &first.stdout).unwrap();
    let again = repo.run(&[
        "diff",
        "HEAD~1",
        "--format",
        "json",
        "--fail-on",
        "warning",
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
}

#[cfg(feature = "github")]
#[tokio::test]
async fn github_comments_a_removed_line_on_the_left_side() {
    use gh::{actions_env, fake_github, requests, run_github, PullRequest};
    let (server, _fake) = fake_github().await;
    let pr = PullRequest::new(
        &[(".gitignore", GITIGNORE.as_bytes())],
        &[(".gitignore", GITIGNORE_WITHOUT_ENV.as_bytes())],
    );
    let run = run_github(
        pr.repo.path(),
        actions_env(&pr, &server.uri()),
        &["--report", "review", "--fail-on", "warning"],
    )
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let reqs = requests(&server).await;
    let review = reqs
        .iter()
        .find(|(m, p, _)| m == "POST" && p.ends_with("/pulls/7/reviews"))
        .map(|(_, _, b)| b)
        .expect("a review is posted");
    let comments = review["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "{review}");
    assert_eq!(comments[0]["path"], ".gitignore");
    assert_eq!(comments[0]["side"], "LEFT");
    assert_eq!(comments[0]["line"], 3, "the old line number");
}

/// Runs the Claude Code hook in `repo` on an Edit of `path`.
fn claude_edit(repo: &Repo, path: &str, old: &str, new: &str) -> (String, String) {
    let input = serde_json::json!({
        "session_id": "sess-1",
        "transcript_path": "/tmp/t.jsonl",
        "cwd": repo.path(),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": "Edit",
        "tool_input": {
            "file_path": repo.path().join(path),
            "old_string": old,
            "new_string": new,
            "replace_all": false,
        },
        "tool_use_id": "toolu_01",
    })
    .to_string();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_review-gate"));
    cmd.current_dir(repo.path())
        .arg("agent-hook")
        .env_remove("REVIEW_GATE_BUILTIN_CHECKS")
        .env("CLAUDE_PROJECT_DIR", repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("binary runs");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if stdout.trim().is_empty() {
        return ("none".into(), String::new());
    }
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON reply");
    let specific = &json["hookSpecificOutput"];
    (
        specific["permissionDecision"]
            .as_str()
            .unwrap_or("none")
            .to_string(),
        specific["permissionDecisionReason"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

#[test]
fn an_agent_edit_that_removes_the_env_entry_asks_like_any_warning() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.commit("base");
    let (decision, reason) = claude_edit(&repo, ".gitignore", ".env\ndist/\n", "dist/\n");
    assert_eq!(decision, "ask", "{reason}");
    assert!(
        reason.contains("secret.gitignore.env-entry-removed"),
        "{reason}"
    );
    assert!(reason.contains("old version"), "{reason}");
    // An edit that keeps the entry (it only adds a line) is no removal.
    let (decision, reason) = claude_edit(&repo, ".gitignore", "dist/\n", "dist/\nbuild/\n");
    assert_ne!(decision, "ask", "{reason}");
    assert!(!reason.contains("env-entry-removed"), "{reason}");
}

#[test]
fn a_codex_patch_that_deletes_the_gitignore_is_judged_on_what_it_takes_away() {
    let repo = Repo::new();
    repo.write(".gitignore", GITIGNORE);
    repo.commit("base");
    let patch = "*** Begin Patch\n*** Delete File: .gitignore\n*** End Patch\n";
    let input = serde_json::json!({
        "session_id": "codex-1", "cwd": repo.path(), "hook_event_name": "PreToolUse",
        "model": "gpt-5", "tool_name": "apply_patch", "tool_input": {"command": patch},
        "tool_use_id": "call_1",
    });
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_review-gate"))
        .current_dir(repo.path())
        .args(["agent-hook", "--agent", "codex"])
        .env_remove("REVIEW_GATE_BUILTIN_CHECKS")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.to_string().as_bytes())?;
            child.wait_with_output()
        })
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("secret.gitignore.env-entry-removed"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_file_git_takes_for_binary_still_has_its_removed_lines_read() {
    let repo = Repo::new();
    repo.write(".gitattributes", ".gitignore -diff\n");
    repo.write(".gitignore", GITIGNORE);
    repo.commit("base");
    repo.write(".gitignore", GITIGNORE_WITHOUT_ENV);
    repo.commit("drop the entry");
    let run = repo.run(&["diff", "HEAD~1", "--format", "json", "--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    assert_eq!(
        finding(&json, "secret.gitignore.env-entry-removed")["line"],
        3
    );
}

/// A repository holding the gated agent settings, a workflow running the gate, a lockfile and a view
/// behind a login decorator.
fn protected_repo() -> Repo {
    let repo = gated_repo();
    repo.write(
        ".github/workflows/gate.yml",
        "name: gate\non: [pull_request]\njobs:\n  review:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: example/review-gate@v1\n",
    );
    repo.write("package-lock.json", "{\"lockfileVersion\": 3}\n");
    repo.write(
        "app/views.py",
        "from django.contrib.auth.decorators import login_required\n\n@login_required\ndef account(request):\n    return render(request, \"account.html\")\n",
    );
    repo.commit("protections");
    repo
}

/// Renaming a file out of the place that gives it its meaning takes that meaning away: the agent's
/// settings, the workflow and the lockfile moved aside stop working, and each is reported (before, a
/// rename was only reviewed at its new path and these passed without a word).
#[test]
fn moving_a_protection_aside_is_reported_as_taking_it_away() {
    let repo = protected_repo();
    repo.git(&["mv", ".claude/settings.json", ".claude/settings.json.off"]);
    repo.git(&[
        "mv",
        ".github/workflows/gate.yml",
        ".github/gate.yml.disabled",
    ]);
    repo.git(&["mv", "package-lock.json", "old-lock.json"]);
    repo.commit("tidy up");
    let run = repo.run(&["diff", "HEAD~1", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let found = checks(&run);
    for id in [
        "agent.hooks.gate-removed",
        "policy.github-actions.gate-step-removed",
        "policy.any.lockfile-deleted",
    ] {
        assert!(found.contains(&id.to_string()), "{id} missing: {found:?}");
    }
    let json = run.json();
    let lock = finding(&json, "policy.any.lockfile-deleted");
    assert_eq!(lock["side"], "removed");
    assert!(
        lock["message"]
            .as_str()
            .unwrap()
            .starts_with("moves package-lock.json to old-lock.json"),
        "{lock}"
    );
    assert_eq!(json["summary"]["deleted_files"].as_u64().unwrap_or(0), 0);
}

/// Ordinary renames keep what the file meant: a view renamed with its decorator, a workflow renamed
/// within `.github/workflows/`, a manifest moved into a package directory. Nothing is taken away.
#[test]
fn ordinary_renames_take_nothing_away() {
    let repo = protected_repo();
    repo.git(&["mv", "app/views.py", "app/pages.py"]);
    repo.git(&[
        "mv",
        ".github/workflows/gate.yml",
        ".github/workflows/review.yml",
    ]);
    repo.git(&["mv", ".claude/settings.json", ".claude/settings.local.json"]);
    repo.commit("rename");
    let run = repo.run(&["diff", "HEAD~1", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(checks(&run).is_empty(), "{:?}", checks(&run));
}
