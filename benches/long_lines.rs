//! Long lines: `review-gate scan` over one minified single-line JavaScript file of 1, 10 and 100 MB, and
//! the agent hook on a Claude Code `Write` of a 1 MB single line, in MB/s. Review time must grow with
//! the size of the input (a megabyte line once took 40 s, a hundred megabytes never finished).
//!
//! Run with `cargo bench --bench long_lines`. Set `BENCH_SIZES_MB` (comma-separated) to change the sizes.

#[allow(dead_code)] // the helpers other benchmarks use
mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

/// A minified-JavaScript-like line of about `bytes` bytes, dense with what the checks look for.
fn minified(bytes: usize) -> String {
    let parts = [
        "a.b(c);",
        "var u=\"https://cdn.example.com/x/{n}.js\";",
        "process.env.X{n};",
        "eval(s{n});",
        "require(\"child_process\").exec(k{n});",
        "var b=\"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo{n}YWJjZGVmZ2hpamtsbW5vcA==\";",
        "fetch(\"https://api.example.org/v{n}\",{method:\"POST\",body:JSON.stringify(d)});",
        "function f{n}(a,b){return a+b}",
        "if(x{n}){y()}else{z()}",
        "o.k{n}=[1,2,3].map(function(e){return e*2});",
        "s.replace(/[a-z]+/g,\"\");t=q/2;",
    ];
    let mut out = String::with_capacity(bytes + 128);
    let mut n = 0;
    while out.len() < bytes {
        out.push_str(&parts[n % parts.len()].replace("{n}", &n.to_string()));
        n += 1;
    }
    out.push('\n');
    out
}

fn main() {
    let binary = env!("CARGO_BIN_EXE_review-gate");
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES_MB")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 10, 100]);
    for mb in sizes {
        let dir = tempfile::tempdir().unwrap();
        let text = minified(mb * 1_000_000);
        common::write_file(&dir.path().join("dist/bundle.min.js"), &text);
        let start = Instant::now();
        let out = Command::new(binary)
            .current_dir(dir.path())
            .args([
                "scan",
                ".",
                "--format",
                "json",
                "--fail-on",
                "never",
                "--output",
                "/dev/null",
            ])
            .output()
            .unwrap();
        let elapsed = start.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        println!(
            "scan, one line of {mb:>3} MB: {:>8.0} ms, {:>6.1} MB/s",
            elapsed.as_secs_f64() * 1e3,
            text.len() as f64 / 1e6 / elapsed.as_secs_f64()
        );
    }

    // The agent hook on a Write of a 1 MB single line: it must answer well within its deadline.
    let dir = tempfile::tempdir().unwrap();
    let text = minified(1_000_000);
    let input = serde_json::json!({
        "session_id": "bench", "cwd": dir.path(), "hook_event_name": "PreToolUse", "tool_name": "Write",
        "tool_input": {"file_path": dir.path().join("bundle.min.js"), "content": text},
    })
    .to_string();
    let elapsed = common::median_time(3, || {
        let mut child = Command::new(binary)
            .current_dir(dir.path())
            .args(["agent-hook", "--agent", "claude", "--no-audit"])
            .env("CLAUDE_PROJECT_DIR", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let answer = String::from_utf8_lossy(&out.stdout);
        assert!(
            !answer.contains("could not finish reviewing"),
            "the hook hit its deadline: {answer}"
        );
    });
    println!(
        "agent hook, Write of 1 MB on one line: {:>8.0} ms, {:>6.1} MB/s (median of 3)",
        elapsed.as_secs_f64() * 1e3,
        text.len() as f64 / 1e6 / elapsed.as_secs_f64()
    );
}
