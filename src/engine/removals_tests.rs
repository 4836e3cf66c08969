use super::*;
use crate::model::{all_lines_removed, Base, RemovedLine};
use crate::source::{whole_file, AddedLines};

const CHECKS: &str = r#"
- id: test.removed.login-required
  category: attack
  severity: warning
  languages: [python]
  keywords: [login_required]
  pattern: '@login_required\b'
  message: "login_required decorator"
  help: "x"
- id: test.removed.gitignore-env
  category: secret
  severity: warning
  paths: ['**/.gitignore', '.gitignore']
  pattern: '^\s*/?\.env\s*$'
  in: any
  unless:
    - new_file: '(?m)^\s*/?\.env\s*$'
  message: ".env entry of .gitignore"
  help: "x"
- id: test.deleted.lockfile
  category: dependency
  severity: warning
  on: deleted
  paths: ['**/package-lock.json', 'package-lock.json']
  message: "the lockfile"
  help: "x"
"#;

fn set() -> CheckSet {
    let mut slots = 0;
    let yaml = CHECKS.replace("  pattern: '@login", "  on: removed\n  pattern: '@login");
    let yaml = yaml.replace("  pattern: '^\\s*/?", "  on: removed\n  pattern: '^\\s*/?");
    let checks = crate::checks::parse_file("t.yml", &yaml, &mut slots, true).expect("checks");
    assert_eq!(
        checks.iter().filter(|c| c.on() == On::Removed).count(),
        2,
        "{yaml}"
    );
    crate::checks::into_set(checks)
}

/// A modified file from its old and new text, with the given removed and added line numbers.
fn modified(
    path: &str,
    old: &str,
    new: &str,
    removed: &[u32],
    added: &[(u32, u32)],
) -> ChangedFile {
    let mut file = whole_file(path.into(), new.into(), AddedLines::Ranges(added));
    file.removed = all_lines_removed(old)
        .into_iter()
        .filter(|l| removed.contains(&l.number))
        .collect();
    file.old_text = Some(old.into());
    file.base = Base::Modified;
    file
}

fn found(files: &[ChangedFile]) -> Vec<(String, u32, String)> {
    run(&set(), files)
        .findings
        .into_iter()
        .map(|f| (f.check, f.line, f.message))
        .collect()
}

const VIEW: &str =
    "from x import login_required\n\n@login_required\ndef view(request):\n    return 1\n";

#[test]
fn a_removed_decorator_is_reported_on_its_old_line() {
    let new = "from x import login_required\n\ndef view(request):\n    return 1\n";
    let file = modified("app/views.py", VIEW, new, &[3], &[]);
    let got = run(&set(), &[file]).findings;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].check, "test.removed.login-required");
    assert_eq!(got[0].line, 3);
    assert_eq!(got[0].side, Side::Removed);
    assert_eq!(got[0].message, "removes: login_required decorator");
}

#[test]
fn a_moved_or_reindented_line_is_no_removal() {
    // The decorator moves to another function: removed once, added once.
    let new = "from x import login_required\n\ndef view(request):\n    return 1\n\n  @login_required\ndef other(request):\n    return 2\n";
    let file = modified("app/views.py", VIEW, new, &[3], &[(6, 1)]);
    assert!(found(&[file]).is_empty());
}

#[test]
fn only_the_surplus_is_reported_and_lines_not_added_back_come_first() {
    let old = "@login_required\ndef a(): pass\n@login_required\ndef b(): pass\n@login_required  # c\ndef c(): pass\n";
    let new = "@login_required  # c\ndef c(): pass\n";
    // Lines 1-4 removed, 5-6 removed and re-added as 1-2 (moved up).
    let file = modified("v.py", old, new, &[1, 2, 3, 4, 5, 6], &[(1, 2)]);
    let lines: Vec<u32> = found(&[file]).iter().map(|f| f.1).collect();
    assert_eq!(lines, [1, 3], "the re-added line 5 is the one netted out");
}

#[test]
fn removal_checks_never_run_on_added_lines_and_added_checks_never_on_removed_lines() {
    // The added decorator is no removal finding.
    let new = "@login_required\ndef view(request):\n    return 1\n";
    let file = modified(
        "v.py",
        "def view(request):\n    return 1\n",
        new,
        &[],
        &[(1, 1)],
    );
    assert!(found(&[file]).is_empty());
    // A removed os.system call is not an added-line finding.
    let all = crate::checks::into_set(crate::checks::load_checked(&[]).expect("checks"));
    let old = "import os\nos.system(cmd)\n";
    let file = modified("v.py", old, "import os\n", &[2], &[]);
    let out = crate::engine::review(
        &all,
        &crate::model::ChangeSet {
            files: vec![file],
            ..Default::default()
        },
        &Default::default(),
    );
    assert!(
        out.findings.iter().all(|f| !f.check.starts_with("exec.")),
        "{:?}",
        out.findings
    );
}

#[test]
fn a_marker_on_the_removed_line_does_not_silence_the_removal() {
    let old = "# review-gate: allow test.removed.login-required -- legacy\n@login_required  # review-gate: allow\ndef view(): pass\n";
    let file = modified("v.py", old, "def view(): pass\n", &[1, 2], &[]);
    let got = found(&[file]);
    assert_eq!(got.len(), 1, "{got:?}");
}

#[test]
fn new_file_conditions_read_the_file_after_the_change() {
    let old = ".env\nnode_modules/\n";
    // Moved within the file: netted. Removed for good: reported.
    let file = modified(".gitignore", old, "node_modules/\n", &[1], &[]);
    assert_eq!(found(&[file]).len(), 1);
    // Still ignored further down (another spelling of the same entry): `unless: new_file` holds.
    let file = modified(".gitignore", old, "node_modules/\n/.env\n", &[1], &[(2, 1)]);
    assert!(found(&[file]).is_empty());
}

#[test]
fn a_deleted_file_removes_every_line_and_fires_the_deletion_checks() {
    let mut file = whole_file(".gitignore".into(), String::new(), AddedLines::All);
    file.old_text = Some("dist/\n.env\n".into());
    file.removed = all_lines_removed("dist/\n.env\n");
    file.deleted = true;
    let mut lock = whole_file("package-lock.json".into(), String::new(), AddedLines::All);
    lock.old_text = Some("{\n}\n".into());
    lock.removed = all_lines_removed("{\n}\n");
    lock.deleted = true;
    let got = found(&[file, lock]);
    assert!(
        got.contains(&(
            "test.removed.gitignore-env".into(),
            2,
            "removes: .env entry of .gitignore".into()
        )),
        "{got:?}"
    );
    assert!(
        got.iter().any(|f| f.0 == "test.deleted.lockfile" && f.2.starts_with("deletes package-lock.json")),
        "{got:?}"
    );
}

#[test]
fn patch_pieces_of_the_old_file_are_read() {
    let patch = "--- a/v.py\n+++ b/v.py\n@@ -10,3 +10,2 @@ def x():\n x = 1\n-@login_required\n def view(): pass\n";
    let changes = crate::source::patch::parse(patch.as_bytes()).unwrap();
    assert_eq!(
        changes.files[0].removed,
        [RemovedLine {
            number: 11,
            start: 6,
            end: 21
        }]
    );
    let got = found(&changes.files);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, 11);
}

#[test]
fn net_prefers_lines_not_added_back() {
    let f = |line: u32| Finding {
        line,
        ..found_template()
    };
    let removed = vec![f(1), f(2), f(3)];
    let back = vec![f(9)];
    let kept = net(removed, &back, |x| x.line == 1);
    assert_eq!(kept.iter().map(|f| f.line).collect::<Vec<_>>(), [2, 3]);
}

fn found_template() -> Finding {
    let mut file = whole_file("v.py".into(), String::new(), AddedLines::All);
    file.old_text = Some("@login_required\n".into());
    file.removed = all_lines_removed("@login_required\n");
    file.deleted = true;
    run(&set(), &[file]).findings.remove(0)
}

#[test]
fn a_plain_diff_u_deletion_is_a_deleted_file_under_its_old_name() {
    let patch = "--- a/.gitignore\t2026-12-01 10:00:00\n+++ /dev/null\t1970-01-01 00:00:00\n@@ -1,2 +0,0 @@\n-dist/\n-.env\n";
    let changes = crate::source::patch::parse(patch.as_bytes()).unwrap();
    assert_eq!(changes.files.len(), 1);
    let file = &changes.files[0];
    assert_eq!(file.path, ".gitignore");
    assert!(file.deleted && file.old_text.as_deref() == Some("dist/\n.env\n"));
    let got = found(&changes.files);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].0.as_str(), got[0].1),
        ("test.removed.gitignore-env", 2)
    );
}
