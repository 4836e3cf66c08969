//! End-to-end: configuration, suppressions, exit codes, output formats and the check listing.

mod common;

use common::Repo;

const TEST_CHECKS: &str = r#"
- id: test.python.danger
  category: exec
  severity: warning
  languages: [python]
  keywords: [danger]
  pattern: '\bdanger\((?P<arg>[^)]*)\)'
  adjust:
    - args: 'root'
      severity: error
      reason: as root
  message: calls danger with {arg}
  help: |
    What it finds: calls to danger().
    Why it matters: it is a test.
    Example: danger()
"#;

fn repo_with(config: &str, files: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write(".review-gate.yml", config);
    repo.write("test-checks.yml", TEST_CHECKS);
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.git(&["add", "-A"]);
    repo
}

const CONFIG: &str = "checks: [test-checks.yml]\n";

#[test]
fn fail_on_levels_decide_the_exit_code() {
    let repo = repo_with(CONFIG, &[("a.py", "danger(x)\n")]);
    assert_eq!(
        repo.run(&["staged"]).code,
        0,
        "a warning does not fail at the default level"
    );
    assert_eq!(repo.run(&["staged", "--fail-on", "warning"]).code, 1);
    assert_eq!(repo.run(&["staged", "--fail-on", "note"]).code, 1);
    assert_eq!(
        repo.run(&[
            "staged",
            "--fail-on",
            "never",
            "--check",
            "test.python.danger"
        ])
        .code,
        0
    );
    repo.write("b.py", "danger(root)\n");
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    let b = findings.iter().find(|f| f["path"] == "b.py").unwrap();
    assert_eq!(b["severity"], "error");
    assert_eq!(b["message"], "calls danger with root (as root)");
    // The configuration's fail_on applies unless the command line overrides it.
    repo.write(
        ".review-gate.yml",
        "checks: [test-checks.yml]\nfail_on: never\n",
    );
    assert_eq!(repo.run(&["staged"]).code, 0);
    assert_eq!(repo.run(&["staged", "--fail-on", "error"]).code, 1);
}

#[test]
fn usage_errors_exit_2() {
    let repo = repo_with(CONFIG, &[]);
    let run = repo.run(&["staged", "--no-such-flag"]);
    assert_eq!(run.code, 2);
    let run = repo.run(&["staged", "--fail-on", "sometimes"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("sometimes"), "{}", run.stderr);
    let run = repo.run(&["staged", "--category", "nonsense"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nonsense"), "{}", run.stderr);
    let run = repo.run(&["staged", "--check", "no.such.check"]);
    assert_eq!(run.code, 2);
    assert_eq!(repo.run(&["--help"]).code, 0);
}

#[test]
fn json_report_has_the_documented_schema() {
    let repo = repo_with(CONFIG, &[("src/a.py", "x = 1\n  danger(root)\n")]);
    let run = repo.run(&["staged", "--format", "json"]);
    let json = run.json();
    assert_eq!(json["version"], 1);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "test.python.danger")
        .unwrap()
        .clone();
    for key in [
        "check",
        "category",
        "severity",
        "path",
        "line",
        "column",
        "end_column",
        "message",
        "snippet",
    ] {
        assert!(f.get(key).is_some(), "missing {key}");
    }
    assert_eq!(f["path"], "src/a.py");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 3);
    assert_eq!(f["end_column"], 15);
    assert_eq!(f["category"], "exec");
    assert_eq!(f["snippet"], "danger(root)");
    let summary = &json["summary"];
    assert_eq!(summary["files"], 3);
    assert_eq!(summary["by_category"]["exec"], 1);
    assert_eq!(summary["by_severity"]["error"], 1);
    assert_eq!(summary["by_severity"]["note"], 0);
}

#[test]
fn text_report_shows_location_marker_and_summary() {
    let repo = repo_with(CONFIG, &[("a.py", "x = 1\n    danger(root)\n")]);
    let run = repo.run(&["staged", "--check", "test"]);
    assert_eq!(run.code, 1);
    let expected = "a.py:2:5: error[test.python.danger] calls danger with root (as root)\n  |\n2 | danger(root)\n  | ^^^^^^^^^^^^\n";
    // The capability digest, then the finding.
    let digest = "Capabilities:\n  .: gains exec (danger) — new\n\n";
    assert!(
        run.stdout.starts_with(&format!("{digest}{expected}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 finding in 3 files with "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("lines added: 1 error (exec 1)."),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\u{1b}'), "no color when piped");
}

#[test]
fn output_file_receives_the_report() {
    let repo = repo_with(CONFIG, &[("a.py", "danger(root)\n")]);
    let run = repo.run(&["staged", "--format", "json", "--output", "report.json"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let text = std::fs::read_to_string(repo.path().join("report.json")).unwrap();
    assert!(text.contains("\"version\": 1"));
}

#[test]
fn inline_suppressions_need_a_reason_and_a_known_target() {
    let source = "\
danger(root)  # review-gate: allow test.python.danger -- reviewed, runs in a sandbox
# review-gate: allow exec -- the next line is fine too
danger(root)
danger(root)  # review-gate: allow exec
danger(root)  # review-gate: allow network -- wrong category: still reported
danger(root)  # review-gate: allow no.such.check -- typo
danger(root)  # nosec
x = 'danger(root)  # review-gate: allow exec -- in a string, not a comment'
";
    let repo = repo_with(CONFIG, &[("a.py", source)]);
    let run = repo.run(&["staged", "--format", "json"]);
    let found: Vec<(u64, String)> = run.findings().into_iter().map(|f| (f.1, f.2)).collect();
    assert_eq!(
        found,
        vec![
            (4, "policy.allow-without-reason".to_string()),
            (5, "test.python.danger".to_string()),
            (6, "test.python.danger".to_string()),
            (6, "policy.allow-unknown-check".to_string()),
        ]
    );
}

#[test]
fn configuration_excludes_disables_overrides_and_allows() {
    let config = "\
checks: [test-checks.yml]
exclude: ['vendor/**', '*.generated.py']
severity:
  test.python.danger: note
allow:
  - paths: ['tests/**']
    checks: [exec]
    reason: tests may run things
";
    let repo = repo_with(
        config,
        &[
            ("a.py", "danger(root)\n"),
            ("vendor/lib.py", "danger(root)\n"),
            ("x.generated.py", "danger(root)\n"),
            ("tests/t.py", "danger(root)\n"),
        ],
    );
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(
        run.code, 0,
        "the override lowered the only finding to a note"
    );
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    let test_findings: Vec<_> = findings
        .iter()
        .filter(|f| f["check"] == "test.python.danger")
        .collect();
    assert_eq!(test_findings.len(), 1);
    assert_eq!(test_findings[0]["path"], "a.py");
    assert_eq!(test_findings[0]["severity"], "note");
    assert_eq!(json["summary"]["skipped"]["excluded"], 2);

    repo.write(
        ".review-gate.yml",
        "checks: [test-checks.yml]\ndisable: [test.python.danger]\n",
    );
    let run = repo.run(&["staged", "--format", "json"]);
    assert!(!run.findings().iter().any(|f| f.2 == "test.python.danger"));
}

#[test]
fn malformed_configuration_names_file_line_and_problem() {
    let repo = repo_with(
        "checks: [test-checks.yml]\nfail_on: error\nexclud: ['x']\n",
        &[("a.py", "danger()\n")],
    );
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".review-gate.yml:3") && run.stderr.contains("exclud"),
        "{}",
        run.stderr
    );

    repo.write(
        ".review-gate.yml",
        "checks: [test-checks.yml]\nexclude:\n  - 'src/[oops'\n",
    );
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".review-gate.yml:3") && run.stderr.contains("src/[oops"),
        "{}",
        run.stderr
    );

    repo.write(
        ".review-gate.yml",
        "checks: [test-checks.yml]\ndisable: [test.python.dangr]\n",
    );
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".review-gate.yml:2") && run.stderr.contains("test.python.dangr"),
        "{}",
        run.stderr
    );

    repo.write(".review-gate.yml", "checks: [missing.yml]\n");
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.yml"), "{}", run.stderr);
}

#[test]
fn malformed_check_files_name_file_check_and_line() {
    let repo = repo_with(CONFIG, &[("a.py", "danger()\n")]);
    let bad_regex = TEST_CHECKS.replace(
        r"'\bdanger\((?P<arg>[^)]*)\)'",
        r"'\bdanger\((?P<arg>[^)]*'",
    );
    repo.write("test-checks.yml", &bad_regex);
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("test-checks.yml:7")
            && run.stderr.contains("test.python.danger")
            && run.stderr.contains("regex"),
        "{}",
        run.stderr
    );
    repo.write(
        "test-checks.yml",
        TEST_CHECKS.replace("languages: [python]", "languages: [pyton]"),
    );
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("test-checks.yml:5") && run.stderr.contains("pyton"),
        "{}",
        run.stderr
    );
    repo.write(
        "test-checks.yml",
        TEST_CHECKS.replace("  keywords:", "  keywrds:"),
    );
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("test-checks.yml:6") && run.stderr.contains("keywrds"),
        "{}",
        run.stderr
    );
    repo.write("test-checks.yml", format!("{TEST_CHECKS}{TEST_CHECKS}"));
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("duplicate"), "{}", run.stderr);
}

#[test]
fn checks_and_explain_list_and_describe() {
    let repo = repo_with(CONFIG, &[]);
    let run = repo.run(&["checks"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("test.python.danger"));
    for category in ["network", "exec", "eval", "env", "path-traversal"] {
        assert!(
            run.stdout.contains(&format!("  {category} ")),
            "no {category} checks:\n{}",
            run.stdout
        );
    }
    let run = repo.run(&["explain", "test.python.danger"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("What it finds: calls to danger()."),
        "{}",
        run.stdout
    );
    let run = repo.run(&["explain", "test.python"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean: test.python.danger"),
        "{}",
        run.stderr
    );
}

/// `review-gate github` in a build without the `github` feature (`--no-default-features`) fails with
/// exit 2 and says how to get the gate; with the feature (the default) it is the gate itself, which
/// here (no Actions context) fails as a usage error for another reason.
#[test]
fn the_github_command_says_when_the_build_has_no_github_support() {
    let repo = Repo::new();
    let run = common::run_in(repo.path(), &["github"], None);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let said = run
        .stderr
        .contains("this build has no GitHub support; rebuild with the default features");
    assert_eq!(said, cfg!(not(feature = "github")), "{}", run.stderr);
}
