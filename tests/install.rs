//! End-to-end: `review-gate install` gates real `git commit`s in temporary repositories, chains an
//! existing hook, follows core.hooksPath and linked worktrees, and `uninstall` restores what was there.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{git_command, Repo};

const AWS_KEY_ID: &str = "AKIAQ3EGRZ7XK2MNB5TW";
const AWS_SECRET: &str = "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";

/// A repository with one commit, ready for hooks.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "demo\n");
    repo.commit("base");
    repo
}

fn secret_file() -> String {
    format!("[default]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n")
}

/// Runs `git commit` (hooks enabled) in `dir` with extra arguments; returns the whole output.
fn git_commit(dir: &Path, args: &[&str]) -> Output {
    git_command(dir)
        .args(["commit", "-q", "-m", "change"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("git runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn hooks_dir(repo: &Repo) -> PathBuf {
    repo.path().join(".git/hooks")
}

fn install(repo: &Repo, args: &[&str]) -> common::Run {
    let mut all = vec!["install"];
    all.extend_from_slice(args);
    repo.run(&all)
}

fn assert_blocked_with_redacted_secret(out: &Output) {
    let all = text(out);
    assert_ne!(out.status.code(), Some(0), "the commit went through: {all}");
    assert!(
        all.contains("secret.aws"),
        "the finding is not printed: {all}"
    );
    assert!(
        !all.contains(AWS_SECRET),
        "the secret is printed in full: {all}"
    );
    assert!(
        all.contains("--no-verify"),
        "the escape hatch is not named: {all}"
    );
}

#[test]
fn a_commit_adding_a_secret_is_refused_and_a_clean_one_succeeds() {
    let repo = repo();
    let run = install(&repo, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let hook = hooks_dir(&repo).join("pre-commit");
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.starts_with("#!/bin/sh\n"));
    assert!(script.contains("# review-gate-managed-hook"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "the hook is not executable: {mode:o}");
    }

    repo.write("config/aws.ini", secret_file());
    repo.git(&["add", "-A"]);
    let refused = git_commit(repo.path(), &[]);
    assert_blocked_with_redacted_secret(&refused);
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");

    repo.git(&["rm", "-q", "--cached", "config/aws.ini"]);
    std::fs::remove_file(repo.path().join("config/aws.ini")).unwrap();
    repo.write(
        "src/lib.rs",
        "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    );
    repo.git(&["add", "-A"]);
    let clean = git_commit(repo.path(), &[]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "2");
}

#[test]
fn commit_all_and_commit_of_paths_review_the_index_being_committed() {
    let repo = repo();
    repo.write("config/aws.ini", "[default]\n");
    repo.commit("config");
    install(&repo, &[]);
    repo.write("config/aws.ini", secret_file());
    // Nothing is staged: `commit -a` stages into a temporary index (GIT_INDEX_FILE) for the hook.
    assert_blocked_with_redacted_secret(&git_commit(repo.path(), &["-a"]));
    assert_blocked_with_redacted_secret(&git_commit(repo.path(), &["config/aws.ini"]));
}

#[test]
fn an_existing_hook_is_chained_runs_first_and_its_failure_blocks() {
    let repo = repo();
    let hooks = hooks_dir(&repo);
    let marker = repo.path().join("old-hook-ran");
    let old = format!(
        "#!/bin/sh\necho ran > '{}'\nexit \"${{OLD_HOOK_EXIT:-0}}\"\n",
        marker.display()
    );
    write_hook(&hooks.join("pre-commit"), &old);

    let run = install(&repo, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("chained"), "{}", run.stdout);
    let saved = hooks.join("pre-commit.review-gate-saved");
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), old);

    // The old hook runs, and a clean commit passes.
    repo.write("a.txt", "hello\n");
    repo.git(&["add", "-A"]);
    let ok = git_commit(repo.path(), &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(marker.exists(), "the chained hook did not run");

    // Its failure blocks the commit even when review-gate has nothing to say.
    std::fs::remove_file(&marker).unwrap();
    repo.write("b.txt", "hello\n");
    repo.git(&["add", "-A"]);
    let failed = git_command(repo.path())
        .args(["commit", "-q", "-m", "b"])
        .env("OLD_HOOK_EXIT", "3")
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert!(marker.exists());
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "2");

    // Our hook still runs after a passing chained hook.
    repo.write("config/aws.ini", secret_file());
    repo.git(&["add", "-A"]);
    assert_blocked_with_redacted_secret(&git_commit(repo.path(), &[]));

    // Installing twice changes nothing; uninstall restores the old hook byte for byte.
    let before = std::fs::read_to_string(hooks.join("pre-commit")).unwrap();
    let again = install(&repo, &[]);
    assert_eq!(again.code, 0);
    assert!(
        again.stdout.contains("already installed"),
        "{}",
        again.stdout
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        before
    );
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), old);

    let removed = repo.run(&["uninstall"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(removed.stdout.contains("restored"), "{}", removed.stdout);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        old
    );
    assert!(!saved.exists());
    // With the old hook back, the secret goes through: the gate is really gone.
    let through = git_commit(repo.path(), &[]);
    assert_eq!(through.status.code(), Some(0), "{}", text(&through));
}

#[test]
fn uninstall_refuses_a_hook_that_is_not_ours() {
    let repo = repo();
    let hook = hooks_dir(&repo).join("pre-commit");
    write_hook(&hook, "#!/bin/sh\nexit 0\n");
    let run = repo.run(&["uninstall"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not installed by review-gate"),
        "{}",
        run.stderr
    );
    assert!(hook.exists());
    let nothing = Repo::new();
    let run = nothing.run(&["uninstall"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("nothing to uninstall"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_taken_saved_slot_is_refused_unless_forced() {
    let repo = repo();
    let hooks = hooks_dir(&repo);
    write_hook(&hooks.join("pre-commit"), "#!/bin/sh\necho current\n");
    write_hook(
        &hooks.join("pre-commit.review-gate-saved"),
        "#!/bin/sh\necho older\n",
    );
    let refused = install(&repo, &[]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        "#!/bin/sh\necho current\n"
    );

    let forced = install(&repo, &["--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(std::fs::read_to_string(hooks.join("pre-commit"))
        .unwrap()
        .contains("# review-gate-managed-hook"));
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit.review-gate-backup")).unwrap(),
        "#!/bin/sh\necho current\n"
    );
}

#[test]
fn core_hooks_path_is_respected_relative_to_the_work_tree() {
    let repo = repo();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    std::fs::create_dir_all(repo.path().join("sub")).unwrap();
    // Installing from a subdirectory still resolves .githooks against the work tree root.
    let run = common::run_in(&repo.path().join("sub"), &["install"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(repo.path().join(".githooks/pre-commit").exists());
    assert!(!hooks_dir(&repo).join("pre-commit").exists());
    repo.write("config/aws.ini", secret_file());
    repo.git(&["add", "-A"]);
    assert_blocked_with_redacted_secret(&git_commit(repo.path(), &[]));
}

#[test]
fn husky_hooks_path_is_refused_unless_forced() {
    let repo = repo();
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let refused = install(&repo, &[]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("husky"), "{}", refused.stderr);
    assert!(!repo.path().join(".husky/_/pre-commit").exists());
    let forced = install(&repo, &["--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(repo.path().join(".husky/_/pre-commit").exists());
}

#[test]
fn a_commit_in_a_linked_worktree_is_gated() {
    let repo = repo();
    let parent = tempfile::tempdir().unwrap();
    let linked = parent.path().join("linked");
    repo.git(&["worktree", "add", "-q", linked.to_str().unwrap()]);
    // Installed from the linked worktree, the hook lands in the common directory.
    let run = common::run_in(&linked, &["install"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(hooks_dir(&repo).join("pre-commit").exists());
    std::fs::create_dir_all(linked.join("config")).unwrap();
    std::fs::write(linked.join("config/aws.ini"), secret_file()).unwrap();
    git_command(&linked).args(["add", "-A"]).output().unwrap();
    assert_blocked_with_redacted_secret(&git_commit(&linked, &[]));
    // And the main worktree is gated by the same hook.
    repo.write("config/aws.ini", secret_file());
    repo.git(&["add", "-A"]);
    assert_blocked_with_redacted_secret(&git_commit(repo.path(), &[]));
}

#[test]
fn a_bare_repository_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    git_command(dir.path())
        .args(["init", "-q", "--bare"])
        .output()
        .unwrap();
    let run = common::run_in(dir.path(), &["install"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bare"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn the_hook_falls_back_to_path_and_blocks_when_the_binary_is_gone() {
    let repo = repo();
    let bin = tempfile::tempdir().unwrap();
    let copy = bin.path().join("review-gate");
    std::fs::copy(common::binary(), &copy).unwrap();
    // A binary copied a moment ago can be "busy" (ETXTBSY) while another test thread forks with the
    // copy's write descriptor still inherited: retry the start briefly.
    let out = (0..100)
        .find_map(|_| {
            match std::process::Command::new(&copy)
                .arg("install")
                .current_dir(repo.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
            {
                Ok(out) => Some(out),
                Err(e) if e.raw_os_error() == Some(26) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    None
                }
                Err(e) => panic!("cannot run the copied binary: {e}"),
            }
        })
        .expect("the copied binary starts");
    assert!(out.status.success(), "{}", text(&out));
    std::fs::remove_file(&copy).unwrap();
    repo.write("config/aws.ini", secret_file());
    repo.git(&["add", "-A"]);

    // Not at the installed path: review-gate on PATH reviews the commit.
    let real_dir = common::binary().parent().unwrap().to_path_buf();
    let without = path_without_review_gate();
    let path = format!("{}:{without}", real_dir.display());
    let commit = |path: &str| {
        git_command(repo.path())
            .args(["commit", "-q", "-m", "x"])
            .env("PATH", path)
            .output()
            .unwrap()
    };
    assert_blocked_with_redacted_secret(&commit(&path));

    // Nowhere: the commit is blocked and the message says why.
    let gone = commit(&without);
    assert_eq!(gone.status.code(), Some(1), "{}", text(&gone));
    assert!(text(&gone).contains("not found"), "{}", text(&gone));
    assert!(text(&gone).contains("--no-verify"));
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}

fn write_hook(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The directories of PATH that hold no `review-gate` (git and sh stay reachable).
fn path_without_review_gate() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !dir.join("review-gate").exists())
        .collect();
    std::env::join_paths(dirs)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// One hook of `.pre-commit-hooks.yaml`, with every field this repository uses (unknown fields fail:
/// a typo would be ignored silently by pre-commit).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestHook {
    id: String,
    name: String,
    description: String,
    entry: String,
    language: String,
    pass_filenames: bool,
    always_run: bool,
    require_serial: bool,
    stages: Vec<String>,
    minimum_pre_commit_version: String,
}

#[test]
fn the_pre_commit_framework_manifest_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let hooks: Vec<ManifestHook> = serde_saphyr::from_str(&text).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "review-gate",
            "review-gate-system",
            "review-gate-pre-push",
            "review-gate-pre-push-system"
        ]
    );
    let main = &hooks[0];
    assert_eq!(main.language, "rust");
    assert_eq!(hooks[1].language, "system");
    assert_eq!(hooks[2].language, "rust");
    assert_eq!(hooks[3].language, "system");
    for (i, hook) in hooks.iter().enumerate() {
        let (entry, stage) = if i < 2 {
            ("review-gate staged", "pre-commit")
        } else {
            ("review-gate pre-push", "pre-push")
        };
        assert!(!hook.name.is_empty() && !hook.description.is_empty());
        assert_eq!(hook.entry, entry);
        assert!(
            !hook.pass_filenames,
            "{}: review-gate reads the index itself",
            hook.id
        );
        assert!(hook.always_run && hook.require_serial);
        // pre-commit ≥ 3.2 names stages after git hooks.
        assert_eq!(hook.stages, [stage]);
        assert_eq!(hook.minimum_pre_commit_version, "3.2.0");
    }
    // The entry is a binary this package builds, and a command it has: run it as pre-commit would.
    let repo = repo();
    repo.write("config/aws.ini", secret_file());
    repo.git(&["add", "-A"]);
    let mut words = main.entry.split_whitespace();
    assert_eq!(common::binary().file_stem().unwrap(), words.next().unwrap());
    let args: Vec<&str> = words.collect();
    let run = repo.run(&args);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("secret.aws"), "{}", run.stdout);
}
