//! The check reference in `docs/checks/` is generated from the checks (`checks::reference::pages`) and
//! must match them; `UPDATE_DOCS=1 cargo test --test docs` rewrites it. Every built-in check's help has
//! its four sections, and `explain` renders them under their headings.

mod common;

use std::path::Path;

fn builtin() -> Vec<review_gate::checks::Check> {
    review_gate::checks::load(&[]).expect("built-in checks load")
}

#[test]
fn every_builtin_check_has_four_nonempty_help_sections() {
    let checks = builtin();
    let thin: Vec<String> = checks
        .iter()
        .filter_map(|check| match check.help.sections() {
            None => Some(format!("{}: plain-text help, not the four sections", check.id)),
            Some(_) if !check.help.empty_sections().is_empty() => Some(format!(
                "{}: empty {:?}",
                check.id,
                check.help.empty_sections()
            )),
            Some(help) if help.fix.trim() == help.why.trim() => {
                Some(format!("{}: the fix repeats why it matters", check.id))
            }
            Some(_) => None,
        })
        .collect();
    assert!(thin.is_empty(), "{} checks:\n{}", thin.len(), thin.join("\n"));
}

#[test]
fn check_reference_is_in_sync() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = review_gate::checks::reference::pages(&builtin());
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (path, contents) in &pages {
        let file = root.join(path);
        if std::fs::read_to_string(&file).ok().as_deref() == Some(contents.as_str()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(file.parent().expect("a folder")).expect("docs/checks creatable");
            std::fs::write(&file, contents).expect("page writable");
        } else {
            stale.push(path.clone());
        }
    }
    // A page of a category that no longer has checks is stale too.
    let dir = root.join(review_gate::checks::reference::DIR);
    for entry in std::fs::read_dir(&dir).expect("docs/checks exists").flatten() {
        let rel = format!(
            "{}/{}",
            review_gate::checks::reference::DIR,
            entry.file_name().to_string_lossy()
        );
        if !pages.iter().any(|(path, _)| *path == rel) {
            if update {
                std::fs::remove_file(entry.path()).expect("stale page removable");
            } else {
                stale.push(format!("{rel} (no longer generated)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "the check reference differs from the checks: {}\nrun `UPDATE_DOCS=1 cargo test --test docs` and commit docs/checks/",
        stale.join(", ")
    );
}

#[test]
fn explain_prints_the_four_sections_under_headings() {
    let repo = common::Repo::new();
    let run = repo.run(&["explain", "exec.python.os-system"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let help = run
        .stdout
        .split_once("\n\nWhat it finds\n")
        .map(|(_, help)| format!("What it finds\n{help}"))
        .expect("the help starts with its first heading");
    insta_like(&help, &["What it finds", "Why it matters", "Example", "Fix"]);
}

/// The text is the headings in order, each followed by lines indented two spaces, sections separated
/// by one blank line.
fn insta_like(text: &str, headings: &[&str]) {
    let sections: Vec<&str> = text.trim_end().split("\n\n").collect();
    assert_eq!(sections.len(), headings.len(), "{text}");
    for (section, heading) in sections.iter().zip(headings) {
        let mut lines = section.lines();
        assert_eq!(lines.next(), Some(*heading), "{text}");
        let body: Vec<&str> = lines.collect();
        assert!(!body.is_empty(), "{heading} is empty:\n{text}");
        assert!(body.iter().all(|l| l.starts_with("  ")), "{text}");
    }
}
