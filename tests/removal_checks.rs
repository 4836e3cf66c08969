//! The checks written for removals (`checks/removals/`), end to end on temporary repositories: what a
//! change takes away from the repository's protection is reported on the old side, what only moves is not.

mod common;

use common::Repo;

const REVIEW_WORKFLOW: &str = "name: review-gate
on:
  pull_request:
permissions:
  contents: read
  checks: write
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: ./.review-gate-base/.github/actions/review-gate
        with:
          reports: check,summary
      - run: make test
";

/// A repository with a README and `files`, committed as the base.
fn repo_with(files: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write("README.md", "# project\n");
    for (path, content) in files {
        repo.write(path, content);
    }
    repo.commit("base");
    repo
}

/// A finding as (path, line, check, severity, side).
type Found = (String, u64, String, String, String);

/// The findings of `diff HEAD~1`.
fn reviewed(repo: &Repo) -> (i32, Vec<Found>) {
    let run = repo.run(&["diff", "HEAD~1", "--format", "json"]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}{}",
        run.stdout,
        run.stderr
    );
    let json = run.json();
    let found = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["check"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["side"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (run.code, found)
}

fn ids(found: &[Found]) -> Vec<&str> {
    found.iter().map(|f| f.2.as_str()).collect()
}

#[test]
fn removing_the_action_step_is_an_error_on_the_old_side() {
    let repo = repo_with(&[(".github/workflows/review-gate.yml", REVIEW_WORKFLOW)]);
    let without = REVIEW_WORKFLOW.replace(
        "      - uses: ./.review-gate-base/.github/actions/review-gate\n        with:\n          reports: check,summary\n",
        "",
    );
    repo.write(".github/workflows/review-gate.yml", &without);
    repo.commit("ci: simplify");
    let (code, found) = reviewed(&repo);
    assert_eq!(code, 1, "{found:?}");
    let step = found
        .iter()
        .find(|f| f.2 == "policy.github-actions.gate-step-removed")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(
        (step.1, step.3.as_str(), step.4.as_str()),
        (14, "error", "removed"),
        "{step:?}"
    );
    let text = repo.run(&["diff", "HEAD~1"]);
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains("the review-gate step"),
        "{}",
        text.stdout
    );
}

#[test]
fn moving_or_repinning_the_action_step_is_not_reported() {
    let repo = repo_with(&[(".github/workflows/review-gate.yml", REVIEW_WORKFLOW)]);
    let moved = REVIEW_WORKFLOW
        .replace(
            "      - uses: ./.review-gate-base/.github/actions/review-gate\n        with:\n          reports: check,summary\n      - run: make test\n",
            "      - run: make test\n      - uses: ./.review-gate-base/.github/actions/review-gate\n        with:\n          reports: check,review,summary\n",
        );
    assert_ne!(moved, REVIEW_WORKFLOW);
    repo.write(".github/workflows/review-gate.yml", &moved);
    repo.commit("ci: run the tests first");
    let (_, found) = reviewed(&repo);
    assert!(
        !ids(&found).contains(&"policy.github-actions.gate-step-removed"),
        "{found:?}"
    );
}

#[test]
fn deleting_the_configuration_and_the_pre_commit_hook_is_reported() {
    let repo = repo_with(&[
        (".review-gate.yml", "fail_on: warning\n"),
        (
            ".pre-commit-config.yaml",
            "repos:\n  - repo: local\n    hooks:\n      - id: review-gate\n        name: review-gate\n        entry: review-gate staged\n        language: system\n        pass_filenames: false\n",
        ),
    ]);
    repo.git(&["rm", "-q", ".review-gate.yml", ".pre-commit-config.yaml"]);
    repo.commit("chore: remove tooling");
    let (code, found) = reviewed(&repo);
    assert_eq!(code, 1, "{found:?}");
    let config = found
        .iter()
        .find(|f| f.2 == "policy.any.gate-config-deleted")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(config.0, ".review-gate.yml");
    assert_eq!(config.3, "error");
    let hooks: Vec<_> = found
        .iter()
        .filter(|f| f.2 == "policy.pre-commit.gate-hook-removed")
        .collect();
    assert_eq!(
        hooks.len(),
        1,
        "one finding for the hook's entry: {found:?}"
    );
    assert_eq!(hooks[0].3, "error");
}

#[test]
fn deleting_a_lockfile_is_a_warning_and_a_lockfile_bump_is_not() {
    let lock = "{\n  \"name\": \"shop\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\",\n      \"integrity\": \"sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQA5hu4SRmkQ0o6Ir6ixJ0Y19fb9gjbZjeLiXCt6Sm5y9Sw==\"\n    }\n  }\n}\n";
    let repo = repo_with(&[
        (
            "package.json",
            "{\"name\": \"shop\", \"dependencies\": {\"left-pad\": \"1.3.0\"}}\n",
        ),
        ("package-lock.json", lock),
    ]);
    // A bump: the hash changes, one removed and one added.
    repo.write(
        "package-lock.json",
        lock.replace("XI5MPzVNApjAyhQzphX8Bkm", "ZZ5MPzVNApjAyhQzphX8Bkm"),
    );
    repo.commit("bump");
    let (_, found) = reviewed(&repo);
    assert!(
        !ids(&found).iter().any(|id| id.starts_with("policy.any.")),
        "{found:?}"
    );
    repo.git(&["rm", "-q", "package-lock.json"]);
    repo.commit("drop the lockfile");
    let (code, found) = reviewed(&repo);
    let deleted: Vec<_> = found
        .iter()
        .filter(|f| f.2 == "policy.any.lockfile-deleted")
        .collect();
    assert_eq!(deleted.len(), 1, "{found:?}");
    assert_eq!(
        (deleted[0].0.as_str(), deleted[0].3.as_str()),
        ("package-lock.json", "warning")
    );
    assert!(
        !ids(&found).contains(&"policy.any.integrity-removed"),
        "a deleted lockfile is one finding, not one per hash: {found:?}"
    );
    assert_eq!(code, 0, "a warning does not fail the default level");
}

#[test]
fn a_gitignore_entry_moved_is_not_reported_and_one_removed_is() {
    let repo = repo_with(&[(".gitignore", "node_modules/\n.env\n*.pem\ndist/\n")]);
    repo.write(
        ".gitignore",
        "# secrets\n.env\n*.pem\n\nnode_modules/\ndist/\n",
    );
    repo.commit("reorder");
    let (_, found) = reviewed(&repo);
    assert!(
        !ids(&found).contains(&"policy.git.secret-ignore-removed"),
        "{found:?}"
    );
    repo.write(
        ".gitignore",
        "# secrets\n.env\n\nnode_modules/\ndist/\n!.env.example\n",
    );
    repo.commit("commit the certificates");
    let (_, found) = reviewed(&repo);
    let removed: Vec<_> = found
        .iter()
        .filter(|f| f.2 == "policy.git.secret-ignore-removed")
        .collect();
    assert_eq!(removed.len(), 1, "{found:?}");
    assert_eq!((removed[0].1, removed[0].4.as_str()), (3, "removed"));
}

#[test]
fn workflow_protections_removed_are_warnings() {
    let workflow = "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n      - run: npm ci --ignore-scripts\n";
    let repo = repo_with(&[(".github/workflows/ci.yml", workflow)]);
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n",
    );
    repo.commit("ci: defaults");
    let (_, found) = reviewed(&repo);
    let found_ids = ids(&found);
    for id in [
        "policy.github-actions.permissions-removed",
        "policy.github-actions.persist-credentials-removed",
        "policy.any.ignore-scripts-removed",
    ] {
        assert!(found_ids.contains(&id), "{id} missing: {found:?}");
    }
}

#[test]
fn an_action_pinned_to_a_commit_and_moved_to_a_tag_is_reported_once_by_the_dependency_diff() {
    let sha = "11bd71901bbe5b1630ceea73d27597364c9af683";
    let workflow = format!(
        "on: push\npermissions:\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@{sha} # v45\n"
    );
    let repo = repo_with(&[(".github/workflows/ci.yml", &workflow)]);
    repo.write(
        ".github/workflows/ci.yml",
        workflow.replace(&format!("{sha} # v45"), "v45"),
    );
    repo.commit("ci: follow the tag");
    let (_, found) = reviewed(&repo);
    let unpinned: Vec<_> = found
        .iter()
        .filter(|f| f.2 == "dependency.unpinned-action")
        .collect();
    assert_eq!(unpinned.len(), 1, "{found:?}");
    assert_eq!(unpinned[0].3, "warning");
}

#[test]
fn an_auth_decorator_removed_from_a_kept_view_is_reported_in_a_patch_too() {
    let views = "from django.contrib.auth.decorators import login_required\n\n\n@login_required\ndef export(request):\n    return rows(request)\n";
    let repo = repo_with(&[("shop/views.py", views)]);
    repo.write("shop/views.py", views.replace("@login_required\n", ""));
    repo.commit("open the export");
    let (_, found) = reviewed(&repo);
    let guard: Vec<_> = found
        .iter()
        .filter(|f| f.2 == "policy.python.auth-guard-removed")
        .collect();
    assert_eq!(guard.len(), 1, "{found:?}");
    assert_eq!((guard[0].1, guard[0].4.as_str()), (4, "removed"));
    let patch = repo.git(&["diff", "HEAD~1", "HEAD"]);
    let run = repo.run_stdin(&["patch", "--format", "json", "-"], patch.as_bytes());
    assert!(
        run.findings()
            .iter()
            .any(|f| f.2 == "policy.python.auth-guard-removed"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn codeowners_deleted_is_reported() {
    let repo = repo_with(&[(
        ".github/CODEOWNERS",
        "* @acme/maintainers\n/.github/ @acme/security\n",
    )]);
    repo.git(&["rm", "-q", ".github/CODEOWNERS"]);
    repo.commit("drop owners");
    let (_, found) = reviewed(&repo);
    assert!(
        ids(&found).contains(&"policy.git.codeowners-deleted"),
        "{found:?}"
    );
}

#[test]
fn a_removed_tls_minimum_stays_a_note_and_is_no_new_capability() {
    let repo = repo_with(&[(
        "server/tls.go",
        "package server\n\nimport \"crypto/tls\"\n\nvar Config = &tls.Config{\n\tMinVersion: tls.VersionTLS12,\n}\n",
    )]);
    repo.write(
        "server/tls.go",
        "package server\n\nimport \"crypto/tls\"\n\nvar Config = &tls.Config{}\n",
    );
    repo.commit("use the defaults");
    let (code, found) = reviewed(&repo);
    let tls: Vec<_> = found
        .iter()
        .filter(|f| f.2 == "network.any.tls-min-version-removed")
        .collect();
    assert_eq!(tls.len(), 1, "{found:?}");
    assert_eq!(
        tls[0].3, "note",
        "a removal is never raised as the first capability of a file: {found:?}"
    );
    assert_eq!(code, 0);
}

#[test]
fn a_deleted_workflow_reports_no_lost_permissions() {
    let workflow = "on: pull_request\npermissions:\n  contents: read\njobs:\n  label:\n    runs-on: ubuntu-latest\n    permissions:\n      pull-requests: write\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n      - run: npm ci --ignore-scripts\n";
    let repo = repo_with(&[(".github/workflows/labeler.yml", workflow)]);
    repo.git(&["rm", "-q", ".github/workflows/labeler.yml"]);
    repo.commit("drop the labeler");
    let (_, found) = reviewed(&repo);
    assert!(
        !found.iter().any(|f| f.2.starts_with("policy.")),
        "{found:?}"
    );
}

#[test]
fn a_guard_deleted_with_its_view_is_not_reported() {
    let views = "from django.contrib.auth.decorators import login_required\n\n\n@login_required\ndef export(request):\n    return rows(request)\n\n\n@login_required\ndef legacy(request):\n    return old(request)\n";
    let repo = repo_with(&[("shop/views.py", views)]);
    repo.write(
        "shop/views.py",
        "from django.contrib.auth.decorators import login_required\n\n\n@login_required\ndef export(request):\n    return rows(request)\n",
    );
    repo.commit("drop the legacy view");
    let (_, found) = reviewed(&repo);
    assert!(
        !ids(&found).contains(&"policy.python.auth-guard-removed"),
        "{found:?}"
    );
}

#[test]
fn kept_after_belongs_to_removal_checks() {
    let repo = repo_with(&[
        (
            "team-checks.yml",
            "- id: team.python.guard\n  category: policy\n  severity: warning\n  languages: [python]\n  keywords: [login_required]\n  pattern: '@login_required'\n  requires:\n    - kept_after: '^def '\n  message: a guard\n  help: x\n",
        ),
        (".review-gate.yml", "checks: [team-checks.yml]\n"),
    ]);
    let run = repo.run(&["checks"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("kept_after"), "{}", run.stderr);
}
