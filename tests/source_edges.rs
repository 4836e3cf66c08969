//! End-to-end: the edges of the sources (issue 11) — merge conflicts and combined diffs, input to
//! `patch` that is empty, not a diff, malformed, non-ASCII or oddly encoded, bare repositories and
//! shallow clones. Each drives the built binary on temporary repositories.

mod common;

use common::{git_command, only_test, repo_with_test_check, run_in, Repo};

/// A repository in the middle of a conflicted merge of `feature` into `main`, the conflict in app.py
/// resolved in the working tree (not yet added) with a line that is in neither parent.
fn conflicted_merge() -> Repo {
    let repo = repo_with_test_check();
    repo.write("app.py", "import os\n\ndef main():\n    return 1\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("app.py", "import os\n\ndef main():\n    return 2\n");
    repo.commit("feature");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("app.py", "import os\n\ndef main():\n    return 3\n");
    repo.commit("main");
    let out = git_command(repo.path())
        .args(["merge", "-q", "feature"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "the merge conflicts");
    repo.write(
        "app.py",
        "import os\n\ndef main():\n    danger()\n    return 3\n",
    );
    repo
}

/// Issue 11 item 6: `git diff` during a conflict prints a combined diff; it was read as no change at all.
#[test]
fn a_combined_diff_of_a_conflict_is_reviewed() {
    let repo = conflicted_merge();
    let patch = repo.git(&["diff"]);
    assert!(patch.starts_with("diff --cc app.py"), "{patch}");
    let run = repo.run_stdin(&["patch", "-", "--format", "json"], patch.as_bytes());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(only_test(&run), vec![("app.py".to_string(), 4)]);
    // The same resolution committed: `git show` of the merge is a combined diff too.
    repo.git(&["add", "app.py"]);
    repo.git(&["commit", "-q", "--no-edit"]);
    let shown = repo.git(&["show", "HEAD"]);
    let run = repo.run_stdin(&["patch", "-", "--format", "json"], shown.as_bytes());
    assert_eq!(only_test(&run), vec![("app.py".to_string(), 4)], "{shown}");
}

/// Issue 11 item 6: `diff BASE --worktree` dropped conflicted files (libgit2 leaves unmerged entries
/// out of a tree-to-workdir diff through the index).
#[test]
fn diff_worktree_reviews_a_conflicted_file() {
    let repo = conflicted_merge();
    let run = repo.run(&["diff", "main", "--worktree", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(only_test(&run), vec![("app.py".to_string(), 4)]);
    // Only the lines that differ from the base count: the rest of the file is not "added".
    let json = run.json();
    assert_eq!(json["summary"]["files"], 1, "{json}");
    assert_eq!(json["summary"]["added_lines"], 1, "{json}");
}

/// Issue 11 item 7: garbage piped to `patch` passed as a clean diff.
#[test]
fn patch_input_that_is_not_a_diff_is_an_error_and_empty_input_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(
        dir.path(),
        &["patch", "-"],
        Some(b"hello, this is not a diff\n"),
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("no diff found"), "{}", run.stderr);

    let run = run_in(dir.path(), &["patch", "-", "--format", "json"], Some(b""));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("empty patch: nothing reviewed"),
        "{}",
        run.stderr
    );
    let _ = run.json();
    let run = run_in(dir.path(), &["patch", "-", "--require-changes"], Some(b""));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("empty patch"), "{}", run.stderr);

    // A hunk whose counts lie, and a malformed header that carries a secret.
    let truncated = "--- a/a.py\n+++ b/a.py\n@@ -1,1 +1,5 @@\n x\n+danger()\n";
    let run = run_in(dir.path(), &["patch", "-"], Some(truncated.as_bytes()));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("malformed patch: hunk at line 3"),
        "{}",
        run.stderr
    );
    let token = common::github_token("R8fK2mQ9xZ4vB7nT1wL6yH3jC5dP0s");
    let leaky = format!("--- a/a.py\n+++ b/a.py\n@@ -1,x +1 @@ {token}\n+x\n");
    let run = run_in(dir.path(), &["patch", "-"], Some(leaky.as_bytes()));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert!(!run.stderr.contains(&token[4..12]), "{}", run.stderr);
}

/// Issue 11 item 11: a 6-line patch with a huge hunk start aborted the process (rc 134) on every
/// line-based manifest. The header itself is malformed now; a large but possible start is read fine.
#[test]
fn huge_hunk_starts_on_manifests_do_not_abort() {
    let dir = tempfile::tempdir().unwrap();
    for manifest in [
        "requirements.txt",
        "go.mod",
        "Gemfile",
        "Dockerfile",
        ".github/workflows/ci.yml",
    ] {
        let absurd = format!(
            "diff --git a/{manifest} b/{manifest}\nindex 1..2 100644\n--- a/{manifest}\n+++ b/{manifest}\n@@ -0,0 +2147483648,1 @@\n+requests\n"
        );
        let run = run_in(dir.path(), &["patch", "-"], Some(absurd.as_bytes()));
        assert_eq!(run.code, 2, "{manifest}: {}", run.stderr);
        assert!(run.stderr.contains("line 5"), "{}", run.stderr);
        let large = absurd.replace("+2147483648,1", "+2147480000,1");
        let run = run_in(
            dir.path(),
            &["patch", "-", "--format", "json"],
            Some(large.as_bytes()),
        );
        assert!(run.code == 0 || run.code == 1, "{manifest}: {}", run.stderr);
        let _ = run.json();
    }
}

/// Issue 11 item 10: a rename to a non-ASCII name, as git prints it with and without
/// `core.quotePath`, panicked the parser.
#[test]
fn non_ascii_renames_from_git_are_reviewed() {
    let repo = repo_with_test_check();
    repo.write("euro.py", "x = 1\ny = 2\nz = 3\n");
    repo.commit("base");
    repo.git(&["mv", "euro.py", "€uro.py"]);
    repo.write("€uro.py", "x = 1\ny = 2\nz = 3\ndanger()\n");
    repo.git(&["add", "-A"]);
    for quote in ["core.quotePath=false", "core.quotePath=true"] {
        let patch = repo.git(&["-c", quote, "diff", "--cached", "-M"]);
        assert!(patch.contains("rename to"), "{patch}");
        let run = repo.run_stdin(&["patch", "-", "--format", "json"], patch.as_bytes());
        assert_eq!(run.code, 1, "{quote}: {}{}", run.stdout, run.stderr);
        assert_eq!(only_test(&run), vec![("€uro.py".to_string(), 4)], "{quote}");
    }
}

/// Issue 11 item 7: a UTF-16 or CR-only patch was read as nothing.
#[test]
fn utf16_and_cr_only_patches_are_decoded() {
    let repo = repo_with_test_check();
    repo.write("a.py", "x = 1\n");
    repo.commit("base");
    repo.write("a.py", "x = 1\ndanger()\n");
    let patch = repo.git(&["diff"]);
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(patch.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let cr_only = patch.replace('\n', "\r");
    for input in [utf16, cr_only.into_bytes()] {
        let run = repo.run_stdin(&["patch", "-", "--format", "json"], &input);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert_eq!(only_test(&run), vec![("a.py".to_string(), 2)]);
    }
}

/// Issue 11: `diff A..B` compares two trees and needs no working tree, so it works in a bare repository
/// (a server-side pre-receive hook); what needs a working tree says so.
#[test]
fn a_range_is_reviewed_in_a_bare_repository() {
    let repo = Repo::new();
    repo.write("a.py", "x = 1\n");
    let first = repo.commit("one");
    repo.write("a.py", "import os\nx = 1\nos.system(cmd)\n");
    let second = repo.commit("two");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let out = git_command(dir.path())
        .args(["clone", "-q", "--bare", &url, "bare.git"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bare = dir.path().join("bare.git");
    let range = format!("{first}..{second}");
    let run = run_in(&bare, &["diff", &range, "--format", "json"], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.findings().iter().any(|f| f.0 == "a.py" && f.1 == 3),
        "{}",
        run.stdout
    );
    let run = run_in(&bare, &["diff", &first, "--worktree"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bare"), "{}", run.stderr);
    let run = run_in(&bare, &["staged"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bare"), "{}", run.stderr);
}

/// Issue 11: in a shallow clone, `diff origin/feature` suggested `git fetch origin origin/feature`.
#[test]
fn a_missing_remote_tracking_branch_suggests_fetching_the_branch() {
    let repo = Repo::new();
    repo.write("a.py", "x = 1\n");
    repo.commit("one");
    repo.git(&["branch", "feature"]);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let out = git_command(dir.path())
        .args(["clone", "-q", "--depth", "1", &url, "shallow"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shallow = dir.path().join("shallow");
    let run = run_in(&shallow, &["diff", "origin/feature"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("git fetch origin feature:refs/remotes/origin/feature"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("git fetch origin origin/feature"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
}
