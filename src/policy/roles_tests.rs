use std::path::Path;

use super::*;
use crate::model::Role;
use crate::policy::Policy;

fn finding(check: &str, category: Category, severity: Severity, path: &str) -> Finding {
    Finding {
        path: path.into(),
        line: 1,
        column: 1,
        end_column: 2,
        role: Role::Production,
        ..Finding::of(check, category, severity, String::new())
    }
}

#[test]
fn every_role_and_category_has_a_decision() {
    use Category::*;
    // The table, spelled out: a change to it must change this test.
    let expect = |role: Role, category: Category| -> Effect {
        match (role, category) {
            (Role::Production | Role::Build | Role::Ci, _) => Effect::Keep,
            (
                Role::Test | Role::Docs | Role::Instructions,
                Network | Exec | Eval | Env | PathTraversal,
            ) => Effect::Note,
            (Role::Generated, Network | Exec | Eval | Env | PathTraversal | Dependency) => {
                Effect::Drop
            }
            _ => Effect::Keep,
        }
    };
    for role in Role::ALL {
        for category in Category::ALL {
            assert_eq!(
                effect(role, category, "x.y.z"),
                expect(role, category),
                "{role} × {category}"
            );
        }
    }
    // Reads of sensitive locations keep their weight in tests, not in docs.
    let ssh = "path-traversal.any.ssh-key";
    assert_eq!(effect(Role::Test, PathTraversal, ssh), Effect::Keep);
    assert_eq!(effect(Role::Docs, PathTraversal, ssh), Effect::Note);
    let climb = "path-traversal.any.climb";
    assert_eq!(effect(Role::Test, PathTraversal, climb), Effect::Note);
    // Generic secret shapes are notes in tests and docs; provider keys keep their weight.
    for role in [Role::Test, Role::Docs] {
        assert_eq!(effect(role, Secret, "secret.url.http"), Effect::Note);
        assert_eq!(
            effect(role, Secret, "secret.http.basic-auth-header"),
            Effect::Note
        );
        assert_eq!(
            effect(role, Secret, "secret.generic.assignment"),
            Effect::Note
        );
        assert_eq!(
            effect(role, Secret, "secret.aws.access-key-id"),
            Effect::Keep
        );
        assert_eq!(effect(role, Secret, "secret.private-key.rsa"), Effect::Keep);
    }
    // An agent instruction file is sent to the model: every secret keeps its weight there.
    for check in [
        "secret.url.http",
        "secret.generic.assignment",
        "secret.aws.access-key-id",
    ] {
        assert_eq!(effect(Role::Instructions, Secret, check), Effect::Keep);
    }
    assert_eq!(
        effect(Role::Production, Secret, "secret.url.http"),
        Effect::Keep
    );
    assert_eq!(
        effect(Role::Generated, Secret, "secret.url.http"),
        Effect::Keep
    );
}

#[test]
fn apply_lowers_drops_and_keeps_a_trace() {
    let findings = vec![
        finding(
            "exec.python.subprocess",
            Category::Exec,
            Severity::Warning,
            "tests/test_cli.py",
        ),
        finding(
            "secret.aws.access-key-id",
            Category::Secret,
            Severity::Error,
            "tests/test_cli.py",
        ),
        finding(
            "network.js.fetch",
            Category::Network,
            Severity::Note,
            "dist/app.min.js",
        ),
        finding(
            "secret.github.pat",
            Category::Secret,
            Severity::Error,
            "dist/app.min.js",
        ),
        finding(
            "exec.python.subprocess",
            Category::Exec,
            Severity::Warning,
            "src/run.py",
        ),
        finding(
            "attack.exfiltration",
            Category::Attack,
            Severity::Error,
            "tests/test_cli.py",
        ),
    ];
    let (out, outcome) = apply(findings, |p| Role::detect(p, "", std::iter::empty()));
    assert_eq!(
        outcome,
        RoleOutcome {
            lowered: 1,
            dropped: 1
        }
    );
    let seen: Vec<(&str, &str, Severity, Role, Option<Severity>)> = out
        .iter()
        .map(|f| {
            (
                f.check.as_str(),
                f.path.as_str(),
                f.severity,
                f.role,
                f.role_lowered_from,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "exec.python.subprocess",
                "tests/test_cli.py",
                Severity::Note,
                Role::Test,
                Some(Severity::Warning)
            ),
            (
                "secret.aws.access-key-id",
                "tests/test_cli.py",
                Severity::Error,
                Role::Test,
                None
            ),
            (
                "secret.github.pat",
                "dist/app.min.js",
                Severity::Error,
                Role::Generated,
                None
            ),
            (
                "exec.python.subprocess",
                "src/run.py",
                Severity::Warning,
                Role::Production,
                None
            ),
            (
                "attack.exfiltration",
                "tests/test_cli.py",
                Severity::Error,
                Role::Test,
                None
            ),
        ]
    );
}

#[test]
fn configured_globs_override_detection_in_precedence_order() {
    let policy = Policy::parse(
        Path::new(".review-gate.yml"),
        "roles:\n  test: ['qa/**', '**/*_integration.py']\n  production: ['tools/release.py', 'tests/live/**']\n  generated: [src/proto/**]\n",
    )
    .expect("valid");
    let role = |p: &str| policy.role_for(p, Role::detect(p, "", std::iter::empty()));
    assert_eq!(role("qa/smoke.py"), Role::Test);
    assert_eq!(role("src/db_integration.py"), Role::Test);
    assert_eq!(role("tools/release.py"), Role::Production);
    assert_eq!(role("tests/live/check.py"), Role::Production);
    assert_eq!(role("tests/unit/check.py"), Role::Test);
    assert_eq!(role("src/proto/api.rs"), Role::Generated);
    assert_eq!(role("src/main.rs"), Role::Production);
}

#[test]
fn an_unknown_role_is_an_error_on_its_line() {
    let err = Policy::parse(
        Path::new(".review-gate.yml"),
        "fail_on: error\nroles:\n  test: ['qa/**']\n  tests:\n    - 'x/**'\n",
    )
    .unwrap_err();
    assert_eq!(err.line, 4, "{err}");
    assert!(err.message.contains("unknown role `tests`"), "{err}");
    let err = Policy::parse(Path::new("c.yml"), "roles:\n  test: ['src/[a']\n").unwrap_err();
    assert_eq!(err.line, 2, "{err}");
    assert!(err.message.contains("roles.test"), "{err}");
}

#[test]
fn relabelling_files_as_tests_is_a_weakening() {
    let policy = |text: &str| Policy::parse(Path::new(".review-gate.yml"), text).expect("valid");
    let old = policy("roles:\n  production: [tools/**]\n  test: [qa/**]\n");
    let new = policy("roles:\n  test: [qa/**, src/**]\n");
    let found: Vec<(u32, String)> =
        crate::policy::change::weakenings(&old, &new, &|_| Severity::Error)
            .into_iter()
            .map(|w| (w.line, w.what))
            .collect();
    assert!(
        found
            .iter()
            .any(|(line, what)| *line == 2 && what.contains("`src/**` the role test")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(_, what)| what.contains("`tools/**`")),
        "{found:?}"
    );
}
