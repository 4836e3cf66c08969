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
        .filter_map(|check| match check.meta.help.sections() {
            None => Some(format!(
                "{}: plain-text help, not the four sections",
                check.meta.id
            )),
            Some(_) if !check.meta.help.empty_sections().is_empty() => Some(format!(
                "{}: empty {:?}",
                check.meta.id,
                check.meta.help.empty_sections()
            )),
            Some(help) if help.fix.trim() == help.why.trim() => {
                Some(format!("{}: the fix repeats why it matters", check.meta.id))
            }
            Some(_) => None,
        })
        .collect();
    assert!(
        thin.is_empty(),
        "{} checks:\n{}",
        thin.len(),
        thin.join("\n")
    );
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
            std::fs::create_dir_all(file.parent().expect("a folder"))
                .expect("docs/checks creatable");
            std::fs::write(&file, contents).expect("page writable");
        } else {
            stale.push(path.clone());
        }
    }
    // A page of a category that no longer has checks is stale too.
    let dir = root.join(review_gate::checks::reference::DIR);
    for entry in std::fs::read_dir(&dir)
        .expect("docs/checks exists")
        .flatten()
    {
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
    let run = repo.run(&["explain", "network.go.ssh-insecure-hostkey"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "network.go.ssh-insecure-hostkey

  category:  network
  severity:  warning
  languages: go
  looks in:  code
  novelty:   always reported, even where the file already had the capability
  cwe:       CWE-295
  message:   SSH client accepts any host key
  defined in checks/network/go.yml

What it finds
  `ssh.InsecureIgnoreHostKey()` used as a HostKeyCallback (gosec G106).

Why it matters
  The client connects to whatever host answers, so a man in the middle gets the session and
  credentials. Use `knownhosts.New(...)` or a pinned key.

Example
  cfg := &ssh.ClientConfig{User: \"deploy\", HostKeyCallback: ssh.InsecureIgnoreHostKey()}

Fix
  Verify the server's key: `HostKeyCallback: ssh.FixedHostKey(pinnedKey)` or
  `knownhosts.New(\"/etc/ssh/ssh_known_hosts\")`.
"
    );
}

/// A user check file may give the four sections too (or, as `TEST_CHECKS` does, one plain text);
/// `explain` renders both, and an unknown section is refused naming the file and line.
#[test]
fn user_checks_give_help_in_sections_or_as_plain_text() {
    let sections = common::TEST_CHECKS.replace(
        "  help: |\n    What it finds: calls to danger().\n    Why it matters: it is a test.\n    Example: danger()\n",
        "  help:\n    finds: calls to danger().\n    why: it is a test.\n    example: danger(x)\n    fix: call safe(x).\n",
    );
    assert_ne!(sections, common::TEST_CHECKS, "the plain help was replaced");
    let repo = common::repo_with_test_check();
    let run = repo.run(&["explain", "test.python.danger"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with(
            "\n\nWhat it finds: calls to danger().\nWhy it matters: it is a test.\nExample: danger()\n"
        ),
        "plain text is rendered as written:\n{}",
        run.stdout
    );
    repo.write("test-checks.yml", &sections);
    let run = repo.run(&["explain", "test.python.danger"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with(
            "\n\nWhat it finds\n  calls to danger().\n\nWhy it matters\n  it is a test.\n\nExample\n  danger(x)\n\nFix\n  call safe(x).\n"
        ),
        "{}",
        run.stdout
    );
    repo.write(
        "test-checks.yml",
        sections.replace("    fix:", "    fixes:"),
    );
    let run = repo.run(&["explain", "test.python.danger"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("test-checks.yml:") && run.stderr.contains("fixes"),
        "{}",
        run.stderr
    );
}
