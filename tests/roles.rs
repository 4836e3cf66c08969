//! End-to-end: file roles on a temporary repository. A test file's process start is a note that never
//! fails the gate, while a secret or an attack chain in a test file keeps its weight; a bundle in
//! `dist/` is searched for secrets only; the configuration's `roles:` overrides detection; and the role
//! shows in JSON, SARIF and the text summary.

mod common;

use common::{github_token, Repo};
use serde_json::Value;

const SHELL_TRUE: &str =
    "import subprocess\n\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n";

fn token() -> String {
    github_token("Qw3rTy7uIo9pAs2dFg4hJk6lZx8cVb")
}

/// A repository with one empty commit, ready for staged files.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.commit("init");
    repo
}

/// (path, check, severity, role, role_lowered_from) of every finding.
fn rows_of(json: &Value) -> Vec<(String, String, String, String, Option<String>)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["check"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["role"].as_str().unwrap().to_string(),
                f["role_lowered_from"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn a_process_in_a_test_is_a_note_that_does_not_fail() {
    let repo = repo();
    repo.write("tests/test_jobs.py", SHELL_TRUE);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let rows = rows_of(&json);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (path, check, severity, role, from) = &rows[0];
    assert_eq!(
        (
            path.as_str(),
            check.as_str(),
            severity.as_str(),
            role.as_str()
        ),
        (
            "tests/test_jobs.py",
            "exec.python.subprocess",
            "note",
            "test"
        )
    );
    assert!(
        from.is_some(),
        "the trace of the lowering is kept: {rows:?}"
    );
    assert_eq!(json["summary"]["roles"]["files"]["test"], 1);
    assert_eq!(json["summary"]["roles"]["lowered"], 1);

    // The same code in production fails; its finding says `production`.
    repo.write("app/jobs.py", SHELL_TRUE);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let prod: Vec<_> = rows_of(&run.json())
        .into_iter()
        .filter(|r| r.0 == "app/jobs.py")
        .collect();
    assert_eq!(prod[0].2, "error", "{prod:?}");
    assert_eq!(prod[0].3, "production");
    assert_eq!(prod[0].4, None);

    // Text: the lowered finding says why (notes are listed with -v), the summary counts the roles.
    let text = repo.run(&["staged", "-v"]).stdout;
    assert!(
        text.contains("note[exec.python.subprocess] ") && text.contains("(test file: "),
        "{text}"
    );
    assert!(text.contains("Roles: 1 test file."), "{text}");
}

#[test]
fn a_secret_and_an_attack_chain_in_a_test_keep_their_weight() {
    let repo = repo();
    repo.write(
        "tests/conftest.py",
        format!("import os\nGH = \"{}\"\n", token()),
    );
    let chain = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/attacks/python-credential-exfil/change/tool/update_check.py"),
    )
    .unwrap();
    repo.write("tests/test_update_check.py", chain);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rows = rows_of(&run.json());
    assert!(
        rows.iter().any(|r| r.0 == "tests/conftest.py"
            && r.1.starts_with("secret.github")
            && r.2 == "error"
            && r.3 == "test"),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.0 == "tests/test_update_check.py"
            && r.1 == "attack.exfiltration"
            && r.2 == "error"
            && r.4.is_none()),
        "{rows:?}"
    );
}

#[test]
fn a_bundle_in_dist_is_searched_for_secrets_only() {
    let repo = repo();
    let calls: Vec<String> = (0..200)
        .map(|i| format!("a{i}=fetch(\"https://api.example.com/v{i}\")"))
        .collect();
    let bundle = format!("var {};var t=\"{}\";\n", calls.join(","), token());
    // A bundle outside `dist/` that was one before the change (a few lines of thousands of characters)
    // and is rebuilt by it is still generated.
    repo.write(
        "public/app.js",
        format!("var {};\n", calls[..150].join(",")),
    );
    repo.commit("the old bundle");
    repo.write("dist/app.min.js", &bundle);
    repo.write("public/app.js", &bundle);
    // The source the bundles are built from is in the change.
    repo.write("src/api.js", "export const get = (u) => fetch(u);\n");
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let rows = rows_of(&json);
    assert!(
        rows.iter()
            .filter(|r| r.0 != "src/api.js")
            .all(|r| r.1.starts_with("secret.") && r.3 == "generated"),
        "only secrets are reported in generated files: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "src/api.js" && r.1 == "network.js.fetch"),
        "{rows:?}"
    );
    for path in ["dist/app.min.js", "public/app.js"] {
        assert!(rows.iter().any(|r| r.0 == path), "{path}: {rows:?}");
    }
    assert_eq!(json["summary"]["roles"]["files"]["generated"], 2);
    assert!(json["summary"]["roles"]["not_reported"].as_u64().unwrap() > 0);
    let text = repo.run(&["staged"]).stdout;
    assert!(
        text.contains("Generated or vendored files: only secrets, attacks and policy checked"),
        "{text}"
    );
    assert!(!text.contains(&token()), "{text}");
}

/// What the new text alone says (a `DO NOT EDIT` header, one very long line) is written by the change
/// itself: it makes a file generated only when the old version said so too.
#[test]
fn text_that_calls_itself_generated_is_reviewed_unless_it_was_generated_before() {
    let repo = repo();
    let header =
        "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage main\n\nimport \"os/exec\"\n\n";
    repo.write("gen.go", format!("{header}func old() {{}}\n"));
    repo.commit("a generated file");
    repo.write(
        "main.go",
        "package main\n\nfunc main() { println(\"x\") }\n",
    );
    let shell = "func run(cmd string) { exec.Command(\"sh\", \"-c\", cmd).Run() }\n";
    // A new file whose header claims it is generated: reviewed in full.
    repo.write("x.go", format!("{header}{shell}"));
    // A long one-line file that is new: reviewed in full.
    let long = format!("{}\n", "var a = 1; ".repeat(500));
    repo.write(
        "blob.js",
        format!("require('child_process').exec(process.argv[2]);{long}"),
    );
    // A file generated before and regenerated: only secrets, attacks and policy.
    repo.write("gen.go", format!("{header}{shell}"));
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rows = rows_of(&run.json());
    let of = |path: &str| rows.iter().filter(|r| r.0 == path).collect::<Vec<_>>();
    assert!(
        of("x.go")
            .iter()
            .any(|r| r.1 == "exec.go.exec-command" && r.2 == "error" && r.3 == "production"),
        "{rows:?}"
    );
    assert!(
        of("blob.js")
            .iter()
            .any(|r| r.1.starts_with("exec.") && r.3 == "production"),
        "{rows:?}"
    );
    assert!(of("gen.go").is_empty(), "{rows:?}");
}

#[test]
fn configured_roles_override_detection() {
    let repo = Repo::new();
    repo.write(
        ".review-gate.yml",
        "roles:\n  test: ['qa/**']\n  production: ['tests/live/**']\n",
    );
    repo.commit("config");
    repo.write("qa/smoke.py", SHELL_TRUE);
    repo.write("tests/live/probe.py", SHELL_TRUE);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    let rows = rows_of(&run.json());
    let role_of = |path: &str| {
        rows.iter()
            .find(|r| r.0 == path)
            .map(|r| (r.2.clone(), r.3.clone()))
            .unwrap_or_else(|| panic!("{path}: {rows:?}"))
    };
    assert_eq!(role_of("qa/smoke.py"), ("note".into(), "test".into()));
    assert_eq!(
        role_of("tests/live/probe.py"),
        ("error".into(), "production".into())
    );
    assert_eq!(run.code, 1);
}

#[test]
fn an_unknown_role_is_a_configuration_error() {
    let repo = Repo::new();
    repo.write(".review-gate.yml", "roles:\n  tests: ['qa/**']\n");
    repo.write("a.py", "x = 1\n");
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("unknown role `tests`") && run.stderr.contains(":2"),
        "{}",
        run.stderr
    );
}

#[test]
fn sarif_results_carry_the_role() {
    let repo = repo();
    repo.write("tests/test_jobs.py", SHELL_TRUE);
    repo.write("app/jobs.py", SHELL_TRUE);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let props: Vec<(String, Value)> = results
        .iter()
        .map(|r| {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["properties"].clone(),
            )
        })
        .collect();
    assert!(
        props
            .iter()
            .any(|(uri, p)| uri.ends_with("tests/test_jobs.py")
                && p["role"] == "test"
                && p["roleLoweredFrom"].is_string()),
        "{props:?}"
    );
    assert!(
        props
            .iter()
            .any(|(uri, p)| uri.ends_with("app/jobs.py") && p["role"] == "production"),
        "{props:?}"
    );
}

#[test]
fn a_change_whose_only_code_is_a_bundle_reviews_it_as_the_product() {
    // A package release or a rebuilt GitHub Action: the bundle is what runs, and no source stands
    // for it. Vendored code stays generated.
    let repo = repo();
    let calls: Vec<String> = (0..200)
        .map(|i| format!("a{i}=require(\"child_process\").execSync(x{i})"))
        .collect();
    repo.write("dist/index.js", format!("var {};\n", calls.join(",")));
    repo.write(
        "package.json",
        "{\"name\": \"acme\", \"version\": \"1.0.1\"}\n",
    );
    repo.write("README.md", "# acme\n");
    repo.write(
        "vendor/lib/run.js",
        "require(\"child_process\").execSync(cmd);\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    let json = run.json();
    let rows = rows_of(&json);
    assert!(
        rows.iter()
            .any(|r| r.0 == "dist/index.js" && r.1.starts_with("exec.") && r.3 == "production"),
        "{rows:?}"
    );
    assert!(!rows.iter().any(|r| r.0 == "vendor/lib/run.js"), "{rows:?}");
    assert_eq!(json["summary"]["roles"]["files"]["generated"], 1);
}
