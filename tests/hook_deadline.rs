//! End-to-end: the agent hook refuses, in every agent's format, when its review cannot finish within its
//! deadline (`REVIEW_GATE_HOOK_DEADLINE_MS` shortens it here), instead of running into the agent's
//! timeout, on which Claude Code runs the tool anyway.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Repo;
use serde_json::{json, Value};

/// Runs the hook of `agent` in `dir` on `input`; returns the exit status and standard output.
fn hook(dir: &Path, agent: &str, input: &str, deadline_ms: Option<&str>) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_review-gate"));
    cmd.current_dir(dir)
        .args(["agent-hook", "--agent", agent, "--no-audit"])
        .env_remove("REVIEW_GATE_BUILTIN_CHECKS")
        .env_remove("REVIEW_GATE_HOOK_DEADLINE_MS")
        .env("CLAUDE_PROJECT_DIR", dir)
        .env("GEMINI_PROJECT_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(ms) = deadline_ms {
        cmd.env("REVIEW_GATE_HOOK_DEADLINE_MS", ms);
    }
    let mut child = cmd.spawn().expect("binary runs");
    // The hook may refuse (and exit) before it has read everything: a closed pipe is fine here.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A write of `content` to `file` in each agent's input format, with where its decision and its reason
/// are in the answer.
fn writes(dir: &Path, content: &str) -> Vec<(&'static str, String, &'static str, &'static str)> {
    let file = dir.join("bundle.min.js");
    let root = dir.to_str().unwrap();
    vec![
        (
            "claude",
            json!({"session_id": "s", "cwd": dir, "hook_event_name": "PreToolUse", "tool_name": "Write",
                   "tool_input": {"file_path": file, "content": content}})
            .to_string(),
            "/hookSpecificOutput/permissionDecision",
            "/hookSpecificOutput/permissionDecisionReason",
        ),
        (
            "codex",
            json!({"session_id": "s", "cwd": dir, "hook_event_name": "PreToolUse", "tool_name": "Write",
                   "tool_input": {"file_path": file, "content": content}})
            .to_string(),
            "/hookSpecificOutput/permissionDecision",
            "/hookSpecificOutput/permissionDecisionReason",
        ),
        (
            "cursor",
            json!({"hook_event_name": "preToolUse", "conversation_id": "c", "workspace_roots": [root],
                   "tool_name": "Write", "tool_input": {"file_path": file, "content": content}})
            .to_string(),
            "/permission",
            "/agent_message",
        ),
        (
            "gemini",
            json!({"session_id": "s", "cwd": dir, "hook_event_name": "BeforeTool", "tool_name": "write_file",
                   "tool_input": {"file_path": file, "content": content}})
            .to_string(),
            "/decision",
            "/reason",
        ),
    ]
}

/// A minified bundle of about `bytes` bytes on one line, with no finding in it.
fn clean_bundle(bytes: usize) -> String {
    let unit = "function f(a,b){return a+b}var o={k:[1,2,3].map(function(e){return e*2})};";
    unit.repeat(bytes / unit.len() + 1)
}

#[test]
fn a_review_that_misses_the_deadline_is_refused_in_every_agents_format() {
    let repo = Repo::new();
    let content = clean_bundle(2_000_000);
    for (agent, input, decision, reason) in writes(repo.path(), &content) {
        let (code, stdout) = hook(repo.path(), agent, &input, Some("1"));
        assert_eq!(code, 0, "{agent}: {stdout}");
        let answer: Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("{agent}: not one JSON answer ({e}): {stdout:?}"));
        assert_eq!(
            answer.pointer(decision).and_then(Value::as_str),
            Some("deny"),
            "{agent}: {answer}"
        );
        let why = answer.pointer(reason).and_then(Value::as_str).unwrap_or("");
        assert!(
            why.contains("could not finish reviewing within 1 ms; refused"),
            "{agent}: {answer}"
        );
    }
}

#[test]
fn a_review_within_the_deadline_answers_as_usual() {
    let repo = Repo::new();
    let content = clean_bundle(1000);
    for (agent, input, _, _) in writes(repo.path(), &content) {
        let (code, stdout) = hook(repo.path(), agent, &input, None);
        assert_eq!(code, 0, "{agent}");
        assert!(!stdout.contains("deny"), "{agent}: {stdout}");
    }
}
