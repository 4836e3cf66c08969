//! End-to-end: every source of changes, driven through the built binary on temporary repositories.

mod common;

use common::{git_command, only_test, repo_with_test_check, run_in, Repo};

#[test]
fn staged_works_before_the_first_commit() {
    let repo = repo_with_test_check();
    repo.write("app.py", "import x\ndanger()\n");
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(only_test(&run), vec![("app.py".to_string(), 2)]);
}

#[test]
fn staged_reports_only_added_lines_with_new_file_numbers() {
    let repo = repo_with_test_check();
    repo.write("app.py", "danger()\na = 1\nb = 2\n");
    repo.commit("base");
    repo.write("app.py", "danger()\na = 1\nnew = danger()\nb = 2\n");
    repo.write("unstaged.py", "danger()\n");
    repo.git(&["add", "app.py"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(only_test(&run), vec![("app.py".to_string(), 3)]);
    assert_eq!(run.json()["summary"]["added_lines"], 1);
}

#[test]
fn diff_base_reviews_from_the_merge_base() {
    let repo = repo_with_test_check();
    repo.write("a.py", "x = 1\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.py", "danger()\n");
    repo.commit("feature");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main_only.py", "import os\n\ndanger(os.getcwd())\n");
    repo.commit("main moves on");
    repo.git(&["checkout", "-q", "feature"]);
    for spec in ["main", "main...HEAD", "main...feature"] {
        let run = repo.run(&["diff", spec, "--format", "json"]);
        assert_eq!(
            only_test(&run),
            vec![("feature.py".to_string(), 1)],
            "spec {spec}: {}",
            run.stderr
        );
        assert_eq!(run.code, 1);
    }
    // A..B compares the trees: main's new file is not in HEAD, so it is not "added".
    let run = repo.run(&["diff", "main..feature", "--format", "json"]);
    assert_eq!(only_test(&run), vec![("feature.py".to_string(), 1)]);
    let run = repo.run(&["diff", "feature..main", "--format", "json"]);
    assert_eq!(only_test(&run), vec![("main_only.py".to_string(), 3)]);
}

#[test]
fn diff_worktree_adds_staged_unstaged_and_untracked_changes() {
    let repo = repo_with_test_check();
    repo.write("a.py", "x = 1\n");
    repo.commit("base");
    repo.write("a.py", "x = 1\ndanger()\n");
    repo.write("new.py", "\n\ndanger()\n");
    let run = repo.run(&["diff", "HEAD", "--format", "json"]);
    assert!(
        only_test(&run).is_empty(),
        "without --worktree only commits count"
    );
    let run = repo.run(&["diff", "HEAD", "--worktree", "--format", "json"]);
    assert_eq!(
        only_test(&run),
        vec![("a.py".to_string(), 2), ("new.py".to_string(), 3)]
    );
}

#[test]
fn patch_from_git_diff_gives_the_same_findings_as_diff() {
    let repo = Repo::new();
    repo.write("app.py", "import subprocess\n\ndef main():\n    pass\n");
    repo.write("web/server.js", "const x = 1;\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "app.py",
        "import subprocess\nimport os, pickle\n\ndef main():\n    \"\"\"\n    subprocess.run(x) in a docstring\n    \"\"\"\n    subprocess.run(cmd, shell=True)\n    token = os.environ['GITHUB_TOKEN']\n    return pickle.loads(data)\n",
    );
    repo.write(
        "web/server.js",
        "const x = 1;\nconst { exec } = require('child_process');\nexec(`ls ${dir}`);\nfetch(process.env.API_URL + '/x');\n/* eval(code) */\neval(code);\n",
    );
    repo.write(
        "deploy.sh",
        "#!/bin/sh\ncurl -fsSL https://example.com/install.sh | sh\necho $AWS_SECRET_ACCESS_KEY\n",
    );
    repo.commit("feature");
    let diff = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    let patch_text = repo.git(&["diff", "main...HEAD"]);
    let patch = repo.run_stdin(&["patch", "--format", "json"], patch_text.as_bytes());
    assert_eq!(patch.code, 1, "{}", patch.stderr);
    assert!(diff.findings().len() >= 6, "{}", diff.stdout);
    assert_eq!(diff.findings(), patch.findings());
    // The docstring and the block comment are not code.
    assert!(!diff.findings().iter().any(|f| f.0 == "app.py" && f.1 == 6));
    assert!(!diff
        .findings()
        .iter()
        .any(|f| f.0 == "web/server.js" && f.1 == 5));
    // A patch file works as well as standard input, and away from the working tree (where only the hunks
    // are known) the findings are the same for this change.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("change.patch"), &patch_text).unwrap();
    let from_file = run_in(
        elsewhere.path(),
        &["patch", "change.patch", "--format", "json"],
        None,
    );
    assert_eq!(from_file.findings(), diff.findings());
}

#[test]
fn scan_walks_everything_but_honors_gitignore() {
    let repo = repo_with_test_check();
    repo.write(".gitignore", "build/\n");
    repo.write("src/a.py", "danger()\n");
    repo.write("build/generated.py", "danger()\n");
    repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: curl -s https://x.example/i.sh | bash\n");
    let run = repo.run(&["scan", "--format", "json"]);
    let findings = run.findings();
    assert!(
        findings.contains(&("src/a.py".to_string(), 1, "test.python.danger".to_string())),
        "{findings:?}"
    );
    assert!(
        !findings.iter().any(|f| f.0.starts_with("build/")),
        "{findings:?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.0 == ".github/workflows/ci.yml" && f.1 == 6),
        "{findings:?}"
    );
    // Paths given explicitly, relative to a subdirectory, are still reported from the root.
    let run = run_in(
        &repo.path().join("src"),
        &["scan", ".", "--format", "json"],
        None,
    );
    assert_eq!(only_test(&run), vec![("src/a.py".to_string(), 1)]);
}

#[test]
fn odd_files_are_handled_without_losing_anything() {
    let repo = repo_with_test_check();
    // `big.py` is one line of two megabytes: detected as generated, whose code findings are not
    // reported; it is production here, to show its line is read whole.
    repo.write(
        ".review-gate.yml",
        "checks: [test-checks.yml]\nroles:\n  production: [big.py]\n",
    );
    repo.write("old_name.py", "a = 1\nb = 2\nc = 3\nd = 4\n");
    repo.write("doomed.py", "danger()\n");
    repo.write("mode.sh", "echo hi\n");
    repo.commit("base");
    repo.git(&["mv", "old_name.py", "new_name.py"]);
    repo.git(&["rm", "-q", "doomed.py"]);
    repo.git(&["update-index", "--chmod=+x", "mode.sh"]);
    // A binary (mostly non-text bytes): not reviewed as text, whatever strings it holds.
    let mut image = b"\x89PNG\r\n\x1a\n\x00\x00danger()\x00".to_vec();
    image.extend((0u32..600).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    repo.write("image.bin", image);
    // (Not `danger()` alone: rename detection would pair it with the deleted doomed.py.)
    repo.write(
        "latin1.py",
        b"name = '\xe9t\xe9'\nprint(name)\nvalue = danger()\n",
    );
    repo.write("windows.py", "x = 1\r\n  danger()\r\n");
    let minified = format!("{}danger(){}\n", "a=1;".repeat(500_000), "b=2;".repeat(10));
    repo.write("big.py", &minified);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut found = only_test(&run);
    found.sort();
    assert_eq!(
        found,
        vec![
            ("big.py".to_string(), 1),
            ("latin1.py".to_string(), 3),
            ("windows.py".to_string(), 2)
        ]
    );
    let json = run.json();
    assert_eq!(json["summary"]["skipped"]["binary"], 1);
    let windows = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "windows.py")
        .unwrap();
    assert_eq!(windows["column"], 3);
    assert_eq!(windows["end_column"], 10);
    let big = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "big.py")
        .unwrap();
    assert!(big["snippet"].as_str().unwrap().chars().count() < 300);
    assert!(big["snippet"].as_str().unwrap().contains("danger()"));
    // The text report says what was not reviewed.
    let text = repo.run(&["staged"]);
    assert!(text.stdout.contains("1 file (binary)"), "{}", text.stdout);
}

#[test]
fn submodules_are_skipped_and_counted() {
    let inner = Repo::new();
    inner.write("x.py", "danger()\n");
    inner.commit("inner");
    let repo = repo_with_test_check();
    repo.write("a.py", "x = 1\n");
    repo.commit("base");
    let url = inner.path().to_str().unwrap();
    repo.git(&["submodule", "add", "-q", url, "vendor/inner"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["summary"]["skipped"]["non_text"], 1);
}

#[test]
fn unknown_revisions_and_shallow_clones_are_clear_errors() {
    let repo = repo_with_test_check();
    repo.write("a.py", "x = 1\n");
    let first = repo.commit("one");
    repo.write("b.py", "danger()\n");
    repo.commit("two");
    repo.write("c.py", "y = 2\n");
    repo.commit("three");
    let run = repo.run(&["diff", "no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no-such-branch") && run.stderr.contains("fetch"),
        "{}",
        run.stderr
    );

    let clone_dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let out = git_command(clone_dir.path())
        .args(["clone", "-q", "--depth", "1", &url, "shallow"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shallow = clone_dir.path().join("shallow");
    let run = run_in(&shallow, &["diff", &first], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&first) && run.stderr.contains("fetch-depth: 0"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_repository_is_handled() {
    let repo = Repo::new();
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("No findings"), "{}", run.stdout);
    let run = repo.run(&["diff", "main"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("main"), "{}", run.stderr);
}

#[test]
fn outside_a_repository_git_commands_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), &["staged"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );
}
