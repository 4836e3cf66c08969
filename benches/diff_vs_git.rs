//! Speed benchmark: a repository whose head adds ~1,000,000 lines of mixed-language code, reviewed with
//! `review-gate diff <base>` and compared with `git diff <base>...HEAD > /dev/null` in the same run.
//! Also times a typical commit (20 files, 2,000 added lines) through `review-gate staged`, and prints the
//! peak resident memory of `review-gate diff` in each output format (target: at most 200 MB at 1M lines).
//!
//! Run with `cargo bench --bench diff_vs_git` (release build). Set `BENCH_LINES` to change the size.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

const TEMPLATES: &[(&str, &str)] = &[
    ("py", "import os\nimport subprocess\n\n\ndef handler_{n}(request, items):\n    \"\"\"Process items for request {n}.\"\"\"\n    total = 0\n    for item in items:\n        if item.price > {n}:\n            total += item.price * 2\n        else:\n            total -= 1\n    name = request.args.get('name', 'x{n}')\n    path = os.path.join('/srv/data', name)\n    with open(path) as fh:\n        data = fh.read()\n    subprocess.run(['ls', '-l', path])\n    token = os.environ.get('SERVICE_{n}_TOKEN')\n    return {{'total': total, 'data': data, 'token': bool(token)}}\n\n"),
    ("js", "const fs = require('fs');\nconst path = require('path');\n\nfunction render{n}(req, res) {{\n  // render the page for {n}\n  const items = req.body.items || [];\n  let sum = 0;\n  for (const item of items) {{\n    sum += item.count * {n};\n  }}\n  const file = path.join(__dirname, 'views', `page{n}.html`);\n  const html = fs.readFileSync(file, 'utf8');\n  fetch('https://api.example.com/v1/items/{n}').then((r) => r.json());\n  const mode = process.env.NODE_ENV;\n  res.send(html.replace('{{sum}}', String(sum)));\n}}\n\nmodule.exports.render{n} = render{n};\n\n"),
    ("go", "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc Handle{n}(w http.ResponseWriter, r *http.Request) {{\n\tcount := {n}\n\tfor i := 0; i < count; i++ {{\n\t\tfmt.Fprintf(w, \"line %d\\n\", i)\n\t}}\n\thome := os.Getenv(\"HOME\")\n\tresp, err := http.Get(\"https://example.com/{n}\")\n\tif err != nil {{\n\t\treturn\n\t}}\n\tdefer resp.Body.Close()\n\t_ = home\n}}\n\n"),
    ("rs", "use std::collections::HashMap;\n\n/// Counts words for batch {n}.\npub fn count_{n}(text: &str) -> HashMap<String, usize> {{\n    let mut counts = HashMap::new();\n    for word in text.split_whitespace() {{\n        *counts.entry(word.to_lowercase()).or_insert(0) += 1;\n    }}\n    let limit = std::env::var(\"LIMIT_{n}\").ok();\n    if let Some(limit) = limit {{\n        counts.retain(|_, v| *v <= limit.parse().unwrap_or({n}));\n    }}\n    counts\n}}\n\n"),
    ("java", "package com.example;\n\nimport java.util.List;\n\npublic class Service{n} {{\n    private final List<String> names;\n\n    public Service{n}(List<String> names) {{\n        this.names = names;\n    }}\n\n    public int total() {{\n        int sum = 0;\n        for (String n : names) {{\n            sum += n.length() * {n};\n        }}\n        String key = System.getenv(\"API_KEY_{n}\");\n        return sum + (key == null ? 0 : 1);\n    }}\n}}\n\n"),
    ("sh", "#!/bin/sh\nset -eu\n\n# deploy step {n}\nTARGET=\"/opt/app/{n}\"\nmkdir -p \"$TARGET\"\nfor f in build/*.tar.gz; do\n  tar -xzf \"$f\" -C \"$TARGET\"\ndone\ncurl -fsSL https://example.com/tool-{n}.tar.gz -o /tmp/tool.tgz\necho \"done {n}\"\n\n"),
];

/// Ordinary code without anything a check looks for, per extension: most of any real change.
const PLAIN: &[(&str, &str)] = &[
    ("py", "\n\ndef summarize_{n}(records, limit=10):\n    \"\"\"Return the top entries of batch {n}.\"\"\"\n    ranked = sorted(records, key=lambda r: r.score, reverse=True)\n    result = []\n    for record in ranked[:limit]:\n        if record.score <= 0:\n            continue\n        result.append((record.name, round(record.score, 2)))\n    return result\n"),
    ("js", "\nfunction formatRow{n}(row, columns) {{\n  // join the visible columns of row {n}\n  const cells = columns\n    .filter((c) => c.visible)\n    .map((c) => String(row[c.key] ?? ''));\n  return cells.join(' | ');\n}}\n\nmodule.exports.formatRow{n} = formatRow{n};\n"),
    ("go", "\n// Sum{n} adds the values that pass the filter.\nfunc Sum{n}(values []int, keep func(int) bool) int {{\n\ttotal := 0\n\tfor _, v := range values {{\n\t\tif keep(v) {{\n\t\t\ttotal += v\n\t\t}}\n\t}}\n\treturn total\n}}\n"),
    ("rs", "\n/// Merges two sorted slices for batch {n}.\npub fn merge_{n}(a: &[i64], b: &[i64]) -> Vec<i64> {{\n    let mut out = Vec::with_capacity(a.len() + b.len());\n    let (mut i, mut j) = (0, 0);\n    while i < a.len() && j < b.len() {{\n        if a[i] <= b[j] {{ out.push(a[i]); i += 1; }} else {{ out.push(b[j]); j += 1; }}\n    }}\n    out.extend_from_slice(&a[i..]);\n    out.extend_from_slice(&b[j..]);\n    out\n}}\n"),
    ("java", "\n    static int clamp{n}(int value, int low, int high) {{\n        if (value < low) {{\n            return low;\n        }}\n        return Math.min(value, high);\n    }}\n"),
    ("sh", "\nlog_{n}() {{\n  printf '%s %s\\n' \"$(date +%T)\" \"$*\" >&2\n}}\nfor f in src/*.txt; do\n  wc -l \"$f\"\ndone\n"),
];

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.invalid")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.invalid")
        .stdout(Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// Writes files into `dir/sub` until about `lines` lines were written; returns (files, lines). One chunk
/// in eight has calls the checks report (processes, requests, environment reads); the others are plain
/// code. `BENCH_DENSE=1` makes every chunk risky (about one finding per ten lines).
fn generate(dir: &Path, sub: &str, lines: usize, per_file: usize) -> (usize, usize) {
    let risky_every = if std::env::var_os("BENCH_DENSE").is_some() {
        1
    } else {
        8
    };
    let mut written = 0;
    let mut files = 0;
    let mut n = 0;
    while written < lines {
        let kind = files % TEMPLATES.len();
        let (ext, risky) = TEMPLATES[kind];
        let plain = PLAIN[kind].1;
        let mut text = String::new();
        let mut file_lines = 0;
        while file_lines < per_file {
            n += 1;
            let template = if n % risky_every == 0 { risky } else { plain };
            let chunk = common::expand(template, n);
            file_lines += chunk.lines().count();
            text.push_str(&chunk);
        }
        let path = dir
            .join(sub)
            .join(format!("m{}", files / 50))
            .join(format!("f{files}.{ext}"));
        common::write_file(&path, &text);
        written += file_lines;
        files += 1;
    }
    (files, written)
}

/// Set in the environment of this benchmark run again as a wrapper: run the command in the arguments and
/// print its peak resident memory.
const MEASURE_CHILD: &str = "REVIEW_GATE_BENCH_MEASURE_CHILD";

/// Peak resident memory in KiB of the largest child process this process has waited for (Linux).
#[cfg(target_os = "linux")]
fn children_peak_rss_kib() -> Option<u64> {
    // `struct rusage` on Linux: two `struct timeval`s, then fourteen longs, `ru_maxrss` first (KiB).
    #[repr(C)]
    struct RUsage([i64; 18]);
    extern "C" {
        fn getrusage(who: i32, usage: *mut RUsage) -> i32;
    }
    const RUSAGE_CHILDREN: i32 = -1;
    let mut usage = RUsage([0; 18]);
    // SAFETY: `usage` is a writable buffer the size of `struct rusage` on 64-bit Linux.
    let rc = unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) };
    (rc == 0).then_some(usage.0[4] as u64)
}

#[cfg(not(target_os = "linux"))]
fn children_peak_rss_kib() -> Option<u64> {
    None
}

/// The wrapper's part: runs the command in its arguments (output discarded), the wrapper's only child, and
/// prints that child's peak resident memory in KiB.
fn measure_child() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let status = Command::new(&args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .status()
        .expect("the measured command runs");
    assert!(status.success(), "{args:?}");
    println!("{}", children_peak_rss_kib().unwrap_or(0));
}

/// Peak resident memory in MB of `binary args` run in `dir`, measured in a fresh process of this benchmark
/// so that no other child (git) counts; None where it cannot be measured.
fn peak_rss_mb(dir: &Path, binary: &str, args: &[&str]) -> Option<f64> {
    let out = Command::new(std::env::current_exe().ok()?)
        .current_dir(dir)
        .env(MEASURE_CHILD, "1")
        .arg(binary)
        .args(args)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kib: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    (kib > 0).then_some(kib as f64 / 1024.0)
}

fn main() {
    if std::env::var_os(MEASURE_CHILD).is_some() {
        measure_child();
        return;
    }
    let lines: usize = common::env_number("BENCH_LINES", 1_000_000);
    let binary = env!("CARGO_BIN_EXE_review-gate");
    // BENCH_DIR keeps the repository (for profiling); by default it is a temporary directory.
    let temp = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("BENCH_DIR").map(std::path::PathBuf::from);
    if let Some(dir) = &kept {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
    }
    let root = kept.as_deref().unwrap_or(temp.path());
    git(root, &["init", "-q", "-b", "main"]);
    std::fs::write(root.join("README"), "bench\n").unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    let (files, added) = generate(root, "src", lines, 1000);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "head"]);
    println!("repository: {files} files, {added} added lines");

    let git_time = common::median_time(5, || {
        let status = Command::new("git")
            .current_dir(root)
            .args(["diff", "main~1...HEAD"])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    });
    let mut findings = 0usize;
    let gate_time = common::median_time(5, || {
        let out = Command::new(binary)
            .current_dir(root)
            .args(["diff", "main~1", "--format", "json", "--fail-on", "never"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        findings = out.stdout.windows(8).filter(|w| w == b"\"check\":").count();
    });
    println!(
        "git diff main~1...HEAD > /dev/null : {:>8.1} ms (median of 5)",
        git_time.as_secs_f64() * 1e3
    );
    println!(
        "review-gate diff main~1            : {:>8.1} ms (median of 5), {findings} findings",
        gate_time.as_secs_f64() * 1e3
    );
    println!(
        "ratio review-gate / git            : {:>8.2}x (target: at most 3x)",
        gate_time.as_secs_f64() / git_time.as_secs_f64()
    );
    for format in ["text", "json", "sarif"] {
        let args = ["diff", "main~1", "--format", format, "--fail-on", "never"];
        match peak_rss_mb(root, binary, &args) {
            Some(mb) => println!(
                "review-gate diff --format {format:<5}  : {mb:>8.1} MB peak RSS (target: at most 200 MB)"
            ),
            None => println!("review-gate diff --format {format:<5}  : peak RSS not measured here"),
        }
    }

    // A typical commit: 20 files, 2,000 added lines, staged.
    let (commit_files, commit_lines) = generate(root, "commit", 2000, 100);
    git(root, &["add", "-A"]);
    let staged = common::median_time(20, || {
        let out = Command::new(binary)
            .current_dir(root)
            .args(["staged", "--fail-on", "never"])
            .output()
            .unwrap();
        assert!(out.status.success());
    });
    println!(
        "review-gate staged ({commit_files} files, {commit_lines} lines): {:>6.1} ms (median of 20)",
        staged.as_secs_f64() * 1e3
    );
}
