//! Speed benchmark: the per-commit review of a range. A repository whose branch has 200 commits (each
//! changing a few files of ordinary code, one adding a key that a later one deletes) is reviewed with
//! `review-gate diff main --commits none` (the net change) and `--commits secrets` (the net change and
//! each commit on its own for secrets). Target: the per-commit review adds at most 2× the net time.
//!
//! Run with `cargo bench --bench history` (release build). `BENCH_COMMITS` and `BENCH_FILES` (files
//! changed per commit) change the size.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const CODE: &str = "\n\ndef summarize_{n}(records, limit=10):\n    \"\"\"Return the top entries of batch {n}.\"\"\"\n    ranked = sorted(records, key=lambda r: r.score, reverse=True)\n    result = []\n    for record in ranked[:limit]:\n        if record.score <= 0:\n            continue\n        result.append((record.name, round(record.score, 2)))\n    return result\n";

const RISKY: &str = "\nimport os, subprocess\n\ndef run_{n}(name):\n    token = os.environ.get('TOKEN_{n}')\n    subprocess.run(['ls', name])\n    return token\n";

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.invalid")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdout(Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn main() {
    let commits = common::env_number("BENCH_COMMITS", 200);
    let per_commit = common::env_number("BENCH_FILES", 5);
    let binary = env!("CARGO_BIN_EXE_review-gate");
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    git(root, &["init", "-q", "-b", "main"]);
    // A base of 100 files.
    for f in 0..100 {
        common::write_file(
            &root.join(format!("src/m{}/f{f}.py", f / 20)),
            &common::expand(CODE, f),
        );
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    git(root, &["checkout", "-q", "-b", "topic"]);
    let mut n = 1000;
    let mut lines = 0;
    for c in 0..commits {
        for k in 0..per_commit {
            let f = (c * per_commit + k) % 100;
            let path = root.join(format!("src/m{}/f{f}.py", f / 20));
            let mut text = std::fs::read_to_string(&path).unwrap();
            n += 1;
            let chunk = common::expand(if n % 8 == 0 { RISKY } else { CODE }, n);
            lines += chunk.lines().count();
            text.push_str(&chunk);
            std::fs::write(&path, text).unwrap();
        }
        if c == commits / 4 {
            common::write_file(
                &root.join("config/aws.ini"),
                "[default]\naws_access_key_id = AKIAQ3EGRZ7XK2MNB5TW\n",
            );
        }
        if c == commits / 2 {
            std::fs::remove_file(root.join("config/aws.ini")).unwrap();
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", &format!("change {c}")]);
    }
    let run = |mode: &str| {
        let out = Command::new(binary)
            .current_dir(root)
            .args(["diff", "main", "--format", "json", "--commits", mode])
            .stdout(Stdio::piped())
            .output()
            .expect("review-gate runs");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{mode}");
        out
    };
    // The secret in the middle of the branch is found only per commit.
    let found = String::from_utf8_lossy(&run("secrets").stdout).contains("\"commit\"");
    assert!(found, "the deleted key is reported at its commit");
    let net = common::median_time(5, || {
        run("none");
    });
    let per_commit = common::median_time(5, || {
        run("secrets");
    });
    let all = common::median_time(3, || {
        run("all");
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let added = per_commit.saturating_sub(net);
    println!(
        "history: {commits} commits, {lines} lines added over the branch: net {:.1} ms, net + per-commit secrets {:.1} ms (adds {:.1} ms = {:.2}x the net time; target <= 2x), net + per-commit all checks {:.1} ms",
        ms(net),
        ms(per_commit),
        ms(added),
        ms(added) / ms(net).max(1e-9),
        ms(all)
    );
}
