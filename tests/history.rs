//! End-to-end: every commit of a range is reviewed for secrets (`--commits`), and the pre-push hook
//! reviews what `git push` sends, on temporary repositories and a bare remote.

mod common;

use common::{git_command, Repo};

const AWS_KEY_ID: &str = "AKIAQ3EGRZ7XK2MNB5TW";
const AWS_SECRET: &str = "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";

fn secret_file() -> String {
    format!("[default]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n")
}

/// `main` with one commit, and `topic` checked out from it.
fn branch() -> Repo {
    let repo = Repo::new();
    repo.write("app.py", "print('hello')\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo
}

/// The findings of a JSON report that come from one commit: (check, sha, still_present).
fn from_commits(run: &common::Run) -> Vec<(String, String, bool)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("commit").is_some())
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["commit"]["sha"].as_str().unwrap().to_string(),
                f["still_present"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_key_added_then_deleted_is_reported_at_its_commit() {
    let repo = branch();
    repo.write("config/aws.ini", secret_file());
    let added = repo.commit("add the AWS config");
    repo.git(&["rm", "-q", "config/aws.ini"]);
    repo.commit("remove the AWS config");

    // The net change is empty: today's behaviour with --commits none.
    let run = repo.run(&["diff", "main", "--commits", "none"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("No findings in 0 files"),
        "{}",
        run.stdout
    );

    let run = repo.run(&["diff", "main"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&added[..12]), "{}", run.stdout);
    assert!(run.stdout.contains("add the AWS config"), "{}", run.stdout);
    assert!(run.stdout.contains("still in history"), "{}", run.stdout);
    assert!(
        run.stdout.contains("2 commits one by one"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(AWS_KEY_ID), "{}", run.stdout);
    assert!(!run.stdout.contains(AWS_SECRET), "{}", run.stdout);

    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(run.code, 1);
    let found = from_commits(&run);
    assert!(!found.is_empty(), "{}", run.stdout);
    for (check, sha, still) in &found {
        assert!(check.starts_with("secret."), "{check}");
        assert_eq!(sha, &added[..12]);
        assert!(!still);
    }
    let json = run.json();
    let first = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f.get("commit").is_some())
        .unwrap();
    assert_eq!(first["severity"], "error");
    assert_eq!(first["path"], "config/aws.ini");
    assert_eq!(first["commit"]["subject"], "add the AWS config");
    assert_eq!(json["summary"]["commits"], 2);
    assert!(!run.stdout.contains(AWS_KEY_ID));

    // SARIF carries the commit in the result's properties.
    let run = repo.run(&["diff", "main", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["properties"]["commit"]["sha"] == added[..12]
            && r["properties"]["stillPresent"] == false));

    // A..B and A...B walk the same commits.
    for spec in ["main..topic", "main...topic", "main...HEAD"] {
        let run = repo.run(&["diff", spec, "--format", "json"]);
        assert_eq!(run.code, 1, "{spec}: {}", run.stdout);
        assert!(!from_commits(&run).is_empty(), "{spec}");
    }
}

#[test]
fn the_same_key_in_three_commits_is_reported_once() {
    let repo = branch();
    repo.write("config/aws.ini", secret_file());
    let first = repo.commit("one");
    repo.write("config/aws.ini", format!("# edited\n{}", secret_file()));
    repo.commit("two");
    repo.write(
        "config/aws.ini",
        format!("# edited again\n{}", secret_file()),
    );
    repo.commit("three");
    repo.git(&["rm", "-q", "config/aws.ini"]);
    repo.commit("gone");
    let run = repo.run(&["diff", "main", "--format", "json"]);
    let found = from_commits(&run);
    let mut checks: Vec<&str> = found.iter().map(|(c, _, _)| c.as_str()).collect();
    let n = checks.len();
    checks.dedup();
    assert_eq!(n, checks.len(), "reported more than once: {found:?}");
    assert!(
        found.iter().all(|(_, sha, _)| *sha == first[..12]),
        "{found:?}"
    );
}

#[test]
fn a_key_still_at_the_tip_is_reported_by_the_net_change_only() {
    let repo = branch();
    repo.write("config/aws.ini", secret_file());
    repo.commit("add");
    repo.write("app.py", "print('hello')\nprint('more')\n");
    repo.commit("more");
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(from_commits(&run).is_empty(), "{}", run.stdout);
    // Moved to another file later: still at the tip, reported there only.
    repo.git(&["mv", "config/aws.ini", "config/moved.ini"]);
    repo.write("config/moved.ini", format!("# moved\n{}", secret_file()));
    repo.commit("move");
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert!(from_commits(&run).is_empty(), "{}", run.stdout);
}

#[test]
fn commits_all_reviews_every_check_per_commit() {
    let repo = branch();
    repo.write(
        "run.py",
        "import subprocess\nsubprocess.run(user_cmd, shell=True)\n",
    );
    repo.commit("run things");
    repo.git(&["rm", "-q", "run.py"]);
    repo.commit("not anymore");
    let secrets = repo.run(&["diff", "main", "--format", "json"]);
    assert!(from_commits(&secrets).is_empty(), "{}", secrets.stdout);
    let all = repo.run(&["diff", "main", "--format", "json", "--commits", "all"]);
    let found = from_commits(&all);
    assert!(
        found.iter().any(|(c, _, _)| c.starts_with("exec.")),
        "{}",
        all.stdout
    );
}

#[test]
fn a_merge_commit_is_reviewed_against_its_first_parent() {
    let repo = branch();
    repo.git(&["checkout", "-q", "-b", "side", "main"]);
    repo.write("side.ini", secret_file());
    repo.commit("side adds a key");
    repo.git(&["rm", "-q", "side.ini"]);
    repo.commit("side removes it");
    repo.git(&["checkout", "-q", "topic"]);
    repo.write("t.txt", "x\n");
    repo.commit("topic work");
    repo.git(&["merge", "-q", "--no-edit", "side"]);
    let run = repo.run(&["diff", "main", "--format", "json"]);
    let found = from_commits(&run);
    assert!(!found.is_empty(), "{}", run.stdout);
}

/// A bare remote `origin` holding `main`, and a clone of it with the pre-push hook installed.
fn clone_with_hook() -> (tempfile::TempDir, Repo) {
    let remote = tempfile::tempdir().unwrap();
    let seed = Repo::new();
    seed.write("app.py", "print('hello')\n");
    seed.commit("base");
    git_command(remote.path())
        .args(["init", "-q", "--bare", "-b", "main"])
        .output()
        .unwrap();
    seed.git(&["push", "-q", remote.path().to_str().unwrap(), "main"]);
    let repo = Repo {
        dir: tempfile::tempdir().unwrap(),
    };
    let out = git_command(repo.path())
        .args(["clone", "-q", remote.path().to_str().unwrap(), "."])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = repo.run(&["install", "--hook", "pre-push"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    (remote, repo)
}

fn push(repo: &Repo, args: &[&str]) -> std::process::Output {
    git_command(repo.path())
        .arg("push")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_pre_push_hook_blocks_a_new_branch_with_a_key_in_history() {
    let (remote, repo) = clone_with_hook();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("aws.ini", secret_file());
    let added = repo.commit("oops");
    repo.git(&["rm", "-q", "aws.ini"]);
    repo.commit("remove the key");
    let out = push(&repo, &["-q", "origin", "feature"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    assert!(all.contains(&added[..12]), "{all}");
    assert!(all.contains("push blocked"), "{all}");
    assert!(!all.contains(AWS_KEY_ID), "{all}");
    let branches = git_command(remote.path())
        .args(["branch", "--list", "feature"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&branches.stdout).trim().is_empty());
    // --no-verify is the escape hatch.
    let out = push(&repo, &["-q", "--no-verify", "origin", "feature"]);
    assert!(out.status.success());
}

#[test]
fn the_pre_push_hook_reviews_only_new_commits_of_an_existing_branch() {
    let (_remote, repo) = clone_with_hook();
    repo.write("notes.txt", "clean\n");
    repo.commit("clean work");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    repo.write("aws.ini", secret_file());
    repo.commit("key");
    repo.git(&["rm", "-q", "aws.ini"]);
    repo.commit("unkey");
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(!out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("still in history"), "{all}");
    assert!(all.contains("2 new commits"), "{all}");
    // Deleting a remote branch is not reviewed.
    let out = push(&repo, &["-q", "--no-verify", "origin", "main"]);
    assert!(out.status.success());
    let out = push(&repo, &["-q", "origin", "main:refs/heads/copy"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = push(&repo, &["-q", "origin", ":copy"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_pre_push_hook_chains_an_existing_one_and_uninstalls() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit("base");
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let theirs = "#!/bin/sh\ncat > \"$(dirname \"$0\")/../seen-by-theirs\"\nexit 0\n";
    std::fs::write(hooks.join("pre-push"), theirs).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            hooks.join("pre-push"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let run = repo.run(&["install", "--hook", "pre-push"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("chained"), "{}", run.stdout);
    // Push to a bare remote: both hooks see the refs.
    let remote = tempfile::tempdir().unwrap();
    git_command(remote.path())
        .args(["init", "-q", "--bare"])
        .output()
        .unwrap();
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    let out = push(&repo, &["-q", "origin", "main"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = std::fs::read_to_string(repo.path().join(".git/seen-by-theirs")).unwrap();
    assert!(seen.contains("refs/heads/main"), "{seen}");
    let run = repo.run(&["uninstall", "--hook", "pre-push"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        theirs
    );
}

#[test]
fn pre_push_reads_the_pre_commit_frameworks_variables() {
    let repo = branch();
    let base = repo.git(&["rev-parse", "main"]).trim().to_string();
    repo.write("aws.ini", secret_file());
    repo.commit("key");
    repo.git(&["rm", "-q", "aws.ini"]);
    let head = repo.commit("unkey");
    let mut cmd = std::process::Command::new(common::binary());
    let out = cmd
        .current_dir(repo.path())
        .arg("pre-push")
        .env("NO_COLOR", "1")
        .env("PRE_COMMIT_FROM_REF", &base)
        .env("PRE_COMMIT_TO_REF", &head)
        .env("PRE_COMMIT_REMOTE_NAME", "origin")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("still in history"));
}

#[test]
fn diff_without_a_range_compares_with_the_remotes_default_branch() {
    let (_remote, repo) = clone_with_hook();
    // On the base branch itself: said, instead of "0 files".
    let run = repo.run(&["diff"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("base branch"), "{}", run.stdout);
    repo.git(&["checkout", "-q", "-b", "work"]);
    repo.write("aws.ini", secret_file());
    repo.commit("key");
    let run = repo.run(&["diff"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("comparing with origin/main"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("secret.aws"), "{}", run.stdout);
}

#[test]
fn baselines_of_ours_and_of_gitleaks_hide_known_findings() {
    let repo = branch();
    repo.write("config/aws.ini", secret_file());
    repo.commit("add");
    let first = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(first.code, 1);
    let total = first.json()["findings"].as_array().unwrap().len();
    std::fs::write(repo.path().join("ours.json"), &first.stdout).unwrap();
    let run = repo.run(&["diff", "main", "--baseline", "ours.json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!("{total} finding")),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("in the baseline not reported"),
        "{}",
        run.stdout
    );
    // gitleaks' report of the same key: the AWS key id line.
    let gitleaks = format!(
        r#"[{{"RuleID":"aws-access-token","File":"config/aws.ini","StartLine":2,"Secret":"{AWS_KEY_ID}","Fingerprint":"config/aws.ini:aws-access-token:2"}}]"#
    );
    std::fs::write(repo.path().join("gitleaks.json"), gitleaks).unwrap();
    let run = repo.run(&[
        "diff",
        "main",
        "--baseline",
        "gitleaks.json",
        "--format",
        "json",
    ]);
    let left = run.json()["findings"].as_array().unwrap().len();
    assert_eq!(left + 1, total, "{}", run.stdout);
    assert_eq!(run.json()["summary"]["baselined"], 1);
    // A baseline that is neither format is an error, not an empty baseline.
    std::fs::write(repo.path().join("bad.json"), "{}").unwrap();
    assert_eq!(
        repo.run(&["diff", "main", "--baseline", "bad.json"]).code,
        2
    );
}

#[test]
fn color_is_chosen_by_the_option() {
    let repo = branch();
    repo.write("config/aws.ini", secret_file());
    repo.commit("add");
    let always = repo.run(&["diff", "main", "--color", "always"]);
    assert!(always.stdout.contains("\u{1b}["), "{}", always.stdout);
    let never = repo.run(&["diff", "main", "--color", "never"]);
    assert!(!never.stdout.contains("\u{1b}["));
    let auto = repo.run(&["diff", "main"]);
    assert!(!auto.stdout.contains("\u{1b}["), "not a terminal");
}

#[test]
fn a_range_of_trees_has_no_commits_to_walk() {
    let repo = branch();
    repo.write("config/aws.ini", secret_file());
    repo.commit("add");
    let old = repo.git(&["rev-parse", "main^{tree}"]).trim().to_string();
    let new = repo.git(&["rev-parse", "HEAD^{tree}"]).trim().to_string();
    for spec in [format!("{old}..{new}"), format!("main..{new}")] {
        let run = repo.run(&["diff", &spec, "--format", "json"]);
        assert_eq!(run.code, 1, "{spec}: {}{}", run.stdout, run.stderr);
        assert!(from_commits(&run).is_empty());
    }
}
