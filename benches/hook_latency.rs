//! Latency of the agent gate: the hook runs on every tool call, so its wall time is compared with a bare
//! process start (`/bin/true`) and with `review-gate --version` (the binary's own start-up).
//!
//! Run with `cargo bench --bench hook_latency` (release build). `BENCH_RUNS` sets the number of runs.

#[allow(dead_code)] // the helpers other benchmarks use
mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Spawns `program` with `args`, feeds `input` and waits; panics unless it exits with 0.
fn spawn(program: &str, args: &[&str], dir: &Path, input: &[u8]) {
    let mut child = Command::new(program)
        .current_dir(dir)
        .args(args)
        .env("CLAUDE_PROJECT_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    assert!(child.wait().unwrap().success(), "{program} {args:?}");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let runs = common::env_number("BENCH_RUNS", 200);
    let binary = env!("CARGO_BIN_EXE_review-gate");
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    let existing: String = (0..300)
        .map(|i| format!("def handler_{i}(items):\n    return sorted(items)[:{i}]\n\n"))
        .collect();
    std::fs::write(root.join("app.py"), &existing).unwrap();

    let bash = serde_json::json!({
        "session_id": "bench", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": "git status && cargo test --locked 2>&1 | tail -n 20"},
    })
    .to_string();
    let write = serde_json::json!({
        "session_id": "bench", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": "Write",
        "tool_input": {"file_path": root.join("app.py"), "content": format!("{existing}import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n")},
    })
    .to_string();
    let edit = serde_json::json!({
        "session_id": "bench", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": "Edit",
        "tool_input": {"file_path": root.join("app.py"), "old_string": "def handler_7(", "new_string": "import os\nTOKEN = os.environ['API_TOKEN']\ndef handler_7("},
    })
    .to_string();
    let other = serde_json::json!({
        "session_id": "bench", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": "WebSearch",
        "tool_input": {"query": "rust"},
    })
    .to_string();
    let read = serde_json::json!({
        "session_id": "bench", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": "Read",
        "tool_input": {"file_path": root.join("app.py")},
    })
    .to_string();
    let read_env = serde_json::json!({
        "session_id": "bench", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": "Read",
        "tool_input": {"file_path": root.join("sub/../.env")},
    })
    .to_string();

    let hook = ["agent-hook", "--no-audit"];
    let baseline = common::median_time(runs, || spawn("/bin/true", &[], root, b""));
    let version = common::median_time(runs, || spawn(binary, &["--version"], root, b""));
    let rows = [
        ("/bin/true", baseline),
        ("review-gate --version", version),
        (
            "agent-hook WebSearch (other tool)",
            common::median_time(runs, || spawn(binary, &hook, root, other.as_bytes())),
        ),
        (
            "agent-hook Read (allowed)",
            common::median_time(runs, || spawn(binary, &hook, root, read.as_bytes())),
        ),
        (
            "agent-hook Read of .env (denied)",
            common::median_time(runs, || spawn(binary, &hook, root, read_env.as_bytes())),
        ),
        (
            "agent-hook Bash",
            common::median_time(runs, || spawn(binary, &hook, root, bash.as_bytes())),
        ),
        (
            "agent-hook Write (600-line file)",
            common::median_time(runs, || spawn(binary, &hook, root, write.as_bytes())),
        ),
        (
            "agent-hook Edit (600-line file)",
            common::median_time(runs, || spawn(binary, &hook, root, edit.as_bytes())),
        ),
    ];
    println!("median wall time over {runs} runs:");
    for (name, time) in rows {
        println!(
            "  {name:<34} {:>7.2} ms  (+{:.2} ms over /bin/true)",
            ms(time),
            ms(time.saturating_sub(baseline))
        );
    }
}
