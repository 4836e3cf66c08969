//! End-to-end: `review-gate init <agent>` writes each agent's hook settings, merges into an existing file
//! without losing anything, changes nothing on a second run, and refuses a file it cannot parse.

mod common;

use std::path::Path;

use common::{run_in, Repo};
use serde_json::{json, Value};

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The handlers under `hooks.<event>` of a grouped settings file whose group has `matcher`.
fn handlers<'a>(root: &'a Value, event: &str, matcher: &str) -> &'a Vec<Value> {
    root["hooks"][event]
        .as_array()
        .unwrap_or_else(|| panic!("no hooks.{event} in {root}"))
        .iter()
        .find(|g| g["matcher"] == matcher)
        .unwrap_or_else(|| panic!("no `{matcher}` group in {root}"))["hooks"]
        .as_array()
        .unwrap()
}

#[test]
fn claude_settings_are_created_in_the_project_root() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join("src/deep")).unwrap();
    let run = run_in(&repo.path().join("src/deep"), &["init", "claude"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("created"), "{}", run.stdout);
    assert!(run.stdout.contains("PATH"), "{}", run.stdout);
    let root = read_json(&repo.path().join(".claude/settings.json"));
    let expected = json!({"type": "command", "command": "review-gate agent-hook --agent claude", "timeout": 30});
    assert_eq!(
        handlers(&root, "PreToolUse", "Bash"),
        &vec![expected.clone()]
    );
    assert_eq!(
        handlers(&root, "PreToolUse", "Write|Edit|MultiEdit|NotebookEdit"),
        &vec![expected]
    );
}

#[test]
fn claude_merge_keeps_other_settings_and_hooks_and_is_idempotent() {
    let repo = Repo::new();
    let existing = r#"{
  "permissions": {"allow": ["Bash(npm test)"], "deny": ["Read(./.env)"]},
  "model": "opus",
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "./scripts/audit.sh"}]}
    ],
    "PostToolUse": [
      {"matcher": "Write", "hooks": [{"type": "command", "command": "prettier --write"}]}
    ]
  },
  "env": {"FOO": "1"}
}
"#;
    repo.write(".claude/settings.json", existing);
    let run = repo.run(&["init", "claude"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("updated"), "{}", run.stdout);
    let path = repo.path().join(".claude/settings.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let root: Value = serde_json::from_str(&text).unwrap();
    // The user's deny rule stays first; the credential-file rules are added once each.
    let deny = root["permissions"]["deny"].as_array().unwrap();
    assert_eq!(deny[0], "Read(./.env)");
    assert_eq!(deny.iter().filter(|r| *r == "Read(./.env)").count(), 1);
    assert!(deny.contains(&json!("Read(~/.ssh/**)")), "{deny:?}");
    assert!(!deny.contains(&json!("Read(./.env.example)")), "{deny:?}");
    assert_eq!(root["permissions"]["allow"], json!(["Bash(npm test)"]));
    assert!(run.stdout.contains("permissions.deny"), "{}", run.stdout);
    assert_eq!(
        handlers(
            &root,
            "PreToolUse",
            "PowerShell|Monitor|Read|Grep|Glob|NotebookRead"
        )
        .len(),
        1
    );
    assert_eq!(handlers(&root, "PreToolUse", "mcp__.*").len(), 1);
    assert_eq!(root["model"], "opus");
    assert_eq!(root["env"], json!({"FOO": "1"}));
    assert_eq!(
        root["hooks"]["PostToolUse"],
        json!([{"matcher": "Write", "hooks": [{"type": "command", "command": "prettier --write"}]}])
    );
    let bash = handlers(&root, "PreToolUse", "Bash");
    assert_eq!(bash.len(), 2, "{bash:?}");
    assert_eq!(bash[0]["command"], "./scripts/audit.sh");
    assert_eq!(bash[1]["command"], "review-gate agent-hook --agent claude");
    // Key order is the user's: permissions, model, hooks, env.
    let order: Vec<usize> = ["\"permissions\"", "\"model\"", "\"hooks\"", "\"env\""]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");

    let again = repo.run(&["init", "claude"]);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("nothing changed"), "{}", again.stdout);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn invalid_json_is_refused_naming_the_file_and_line() {
    let repo = Repo::new();
    let broken = "{\n  \"model\": \"opus\",\n  \"hooks\": {,\n}\n";
    repo.write(".claude/settings.json", broken);
    let run = repo.run(&["init", "claude"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".claude/settings.json"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".claude/settings.json")).unwrap(),
        broken
    );

    repo.write(".claude/settings.json", r#"{"hooks": []}"#);
    let run = repo.run(&["init", "claude"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`hooks` is not an object"),
        "{}",
        run.stderr
    );
}

#[test]
fn codex_hooks_json_and_an_inline_config_toml() {
    let repo = Repo::new();
    let run = repo.run(&["init", "codex"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = read_json(&repo.path().join(".codex/hooks.json"));
    let hooks = handlers(&root, "PreToolUse", "Bash|apply_patch|Edit|Write");
    assert_eq!(hooks[0]["command"], "review-gate agent-hook --agent codex");
    assert_eq!(hooks[0]["type"], "command");

    // Already configured inline in config.toml: hooks.json is not written.
    let other = Repo::new();
    other.write(
        ".codex/config.toml",
        "model = \"o4\"\n[[hooks.PreToolUse]]\nmatcher = \"Bash\"\n[[hooks.PreToolUse.hooks]]\ntype = \"command\"\ncommand = \"review-gate agent-hook --agent codex\"\n",
    );
    let run = other.run(&["init", "codex"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("config.toml"), "{}", run.stdout);
    assert!(!other.path().join(".codex/hooks.json").exists());

    other.write(".codex/config.toml", "model = \"o4\"\n[hooks\n");
    let run = other.run(&["init", "codex"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("config.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
}

#[test]
fn cursor_hooks_json_keeps_other_entries() {
    let repo = Repo::new();
    repo.write(
        ".cursor/hooks.json",
        r#"{"version": 1, "hooks": {"afterFileEdit": [{"command": "./format.sh"}], "beforeShellExecution": [{"command": "./audit.sh"}]}}"#,
    );
    let run = repo.run(&["init", "cursor"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = read_json(&repo.path().join(".cursor/hooks.json"));
    assert_eq!(root["version"], 1);
    assert_eq!(
        root["hooks"]["afterFileEdit"],
        json!([{"command": "./format.sh"}])
    );
    assert_eq!(
        root["hooks"]["beforeShellExecution"],
        json!([
            {"command": "./audit.sh"},
            {"command": "review-gate agent-hook --agent cursor", "timeout": 30, "failClosed": true}
        ])
    );
    assert_eq!(
        root["hooks"]["preToolUse"],
        json!([
            {"command": "review-gate agent-hook --agent cursor", "matcher": "Write|StrReplace|Edit", "timeout": 30, "failClosed": true},
            {"command": "review-gate agent-hook --agent cursor", "matcher": "Read|Grep|Glob", "timeout": 30, "failClosed": true},
            {"command": "review-gate agent-hook --agent cursor", "matcher": "Delete", "timeout": 30, "failClosed": true}
        ])
    );
    for event in ["beforeReadFile", "beforeMCPExecution"] {
        assert_eq!(
            root["hooks"][event],
            json!([{"command": "review-gate agent-hook --agent cursor", "timeout": 30, "failClosed": true}])
        );
    }
    let before = std::fs::read_to_string(repo.path().join(".cursor/hooks.json")).unwrap();
    assert_eq!(repo.run(&["init", "cursor"]).code, 0);
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".cursor/hooks.json")).unwrap(),
        before
    );
}

#[test]
fn gemini_global_settings_go_under_home() {
    let home = tempfile::tempdir().unwrap();
    let repo = Repo::new();
    let mut cmd = std::process::Command::new(common::binary());
    let out = cmd
        .args(["init", "gemini", "--global"])
        .current_dir(repo.path())
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!repo.path().join(".gemini").exists());
    let root = read_json(&home.path().join(".gemini/settings.json"));
    let hooks = handlers(&root, "BeforeTool", "run_shell_command|write_file|replace");
    assert_eq!(
        hooks,
        &vec![
            json!({"name": "review-gate", "type": "command", "command": "review-gate agent-hook --agent gemini", "timeout": 30000})
        ]
    );
}

#[test]
fn init_remove_takes_out_only_what_init_added() {
    let repo = Repo::new();
    let existing = r#"{
  "permissions": {"deny": ["Read(./secrets/**)"]},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "./scripts/audit.sh"}]}
    ]
  }
}
"#;
    repo.write(".claude/settings.json", existing);
    assert_eq!(repo.run(&["init", "claude"]).code, 0);
    let run = repo.run(&["init", "claude", "--remove"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("removed"), "{}", run.stdout);
    let root = read_json(&repo.path().join(".claude/settings.json"));
    assert_eq!(root["permissions"]["deny"], json!(["Read(./secrets/**)"]));
    assert_eq!(
        root["hooks"]["PreToolUse"],
        json!([{"matcher": "Bash", "hooks": [{"type": "command", "command": "./scripts/audit.sh"}]}])
    );
    let again = repo.run(&["init", "claude", "--remove"]);
    assert!(
        again.stdout.contains("nothing to remove"),
        "{}",
        again.stdout
    );
    // Every agent's entries come out the same way.
    for agent in ["codex", "cursor", "gemini"] {
        assert_eq!(repo.run(&["init", agent]).code, 0);
        let run = repo.run(&["init", agent, "--remove"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let file = match agent {
            "codex" => ".codex/hooks.json",
            "cursor" => ".cursor/hooks.json",
            _ => ".gemini/settings.json",
        };
        let text = std::fs::read_to_string(repo.path().join(file)).unwrap();
        assert!(!text.contains("agent-hook"), "{agent}: {text}");
    }
}

#[test]
fn gemini_init_writes_milliseconds_and_fixes_a_timeout_in_seconds() {
    let repo = Repo::new();
    repo.write(
        ".gemini/settings.json",
        r#"{"hooks": {"BeforeTool": [{"matcher": "run_shell_command|write_file|replace", "hooks": [{"type": "command", "command": "review-gate agent-hook --agent gemini", "timeout": 30}]}]}}"#,
    );
    let run = repo.run(&["init", "gemini"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("milliseconds"), "{}", run.stdout);
    let text = std::fs::read_to_string(repo.path().join(".gemini/settings.json")).unwrap();
    assert!(!text.contains("\"timeout\": 30\n"), "{text}");
    assert!(!text.contains("\"timeout\": 30,"), "{text}");
    assert_eq!(text.matches("30000").count(), 3, "{text}");
}

#[test]
fn init_status_shows_the_project_and_the_user_level() {
    let home = tempfile::tempdir().unwrap();
    let repo = Repo::new();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(common::binary())
            .args(args)
            .current_dir(repo.path())
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let before = run(&["init", "cursor", "--status"]);
    assert_eq!(before.matches("absent").count(), 2, "{before}");
    run(&["init", "cursor", "--global"]);
    let after = run(&["init", "cursor", "--status"]);
    let user = after.lines().find(|l| l.starts_with("user")).unwrap();
    assert!(user.ends_with("runs the agent gate"), "{after}");
    let project = after.lines().find(|l| l.starts_with("project")).unwrap();
    assert!(project.ends_with("absent"), "{after}");
    // --status changes nothing.
    assert!(!repo.path().join(".cursor").exists());
}
