//! Walks every annotated fixture under `fixtures/checks/` against the built-in checks: each `expect`
//! line must fire its check (at the stated severity), each `ok` line must stay quiet, nothing else of the
//! category may fire, and every built-in check must be expected somewhere.

use std::path::Path;

#[test]
fn every_fixture_agrees_with_the_checks() {
    let checks = review_gate::checks::into_set(
        review_gate::checks::load_checked(&[]).expect("built-in checks load"),
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/checks");
    let failures =
        review_gate::checks::fixtures::verify(&dir, &checks, None).expect("fixtures readable");
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n{}",
        failures.len(),
        report.join("\n")
    );
}

/// Removal fixtures (`fixtures/removals/`): the file as written is the old version, the new one lacks
/// every annotated line; `expect` lines fire on the removed side, `ok` lines do not, and every removal
/// check is expected somewhere.
#[test]
fn every_removal_fixture_agrees_with_the_removal_checks() {
    let checks = review_gate::checks::into_set(
        review_gate::checks::load_checked(&[]).expect("built-in checks load"),
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/removals");
    let failures = review_gate::checks::fixtures::verify_removals(&dir, &checks, None)
        .expect("fixtures readable");
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} removal fixture failures:\n{}",
        failures.len(),
        report.join("\n")
    );
    let removal_checks = checks
        .checks
        .iter()
        .filter(|c| c.on() != review_gate::checks::compile::On::Added)
        .count();
    assert!(removal_checks > 0, "no removal check is built in");
}

#[test]
fn every_command_fixture_agrees_with_the_command_checks() {
    let checks = review_gate::checks::load_checked(&[]).expect("built-in checks load");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/commands");
    let failures =
        review_gate::checks::fixtures::commands::verify(&dir, &checks).expect("fixtures readable");
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} command fixture failures:\n{}",
        failures.len(),
        report.join("\n")
    );
}

#[test]
fn every_code_category_has_fixtures_in_the_required_languages() {
    let required = [
        "javascript",
        "typescript",
        "python",
        "go",
        "rust",
        "java",
        "ruby",
        "php",
        "csharp",
        "shell",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/checks");
    for category in ["network", "exec", "eval", "env", "path-traversal"] {
        let names: Vec<String> = std::fs::read_dir(root.join(category))
            .unwrap_or_else(|e| panic!("fixtures/checks/{category}: {e}"))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        for language in required {
            assert!(
                names.iter().any(|n| n.starts_with(language) && n[language.len()..].starts_with(['.', '-'])),
                "fixtures/checks/{category} has no {language} fixture: {names:?}"
            );
        }
    }
}

#[test]
fn built_in_checks_all_have_keywords_help_and_message() {
    let checks = review_gate::checks::load_checked(&[]).expect("built-in checks load");
    assert!(checks.len() > 100, "only {} built-in checks", checks.len());
    // Command checks match parsed commands, not lines: they have no keywords (see tests/commands.rs).
    for check in checks.iter() {
        let Some(pattern) = check.pattern() else {
            continue;
        };
        // An `on: deleted` check reads no line: it names deleted files by path.
        if check.on() == review_gate::checks::compile::On::Deleted {
            continue;
        }
        let check = &check.meta;
        assert!(
            !pattern.keywords.is_empty(),
            "{} has no keywords: every line would run its regex",
            check.id
        );
        assert!(
            check.help.to_text().len() > 80,
            "{} has thin help",
            check.id
        );
        assert!(
            check.id.starts_with(check.category.as_str()),
            "{} should start with its category",
            check.id
        );
    }
}
