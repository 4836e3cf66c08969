//! End-to-end: a branch that adds a typosquat, a git dependency and a postinstall script is reported with
//! the right severities and lines; moved dependencies are not new; a broken manifest is a warning.

mod common;

use common::Repo;

const BASE_PACKAGE: &str = r#"{
  "name": "shop",
  "scripts": { "test": "jest" },
  "dependencies": {
    "express": "^4.18.2",
    "lodash": "^4.17.21"
  }
}
"#;

const NEW_PACKAGE: &str = r#"{
  "name": "shop",
  "scripts": {
    "test": "jest",
    "postinstall": "node scripts/setup.js"
  },
  "dependencies": {
    "lodash": "^4.17.21",
    "expresss": "^4.18.2",
    "utils": "github:someone/utils#main",
    "dayjs": "^1.11.10",
    "left-pad": "*"
  },
  "devDependencies": {
    "express": "^4.18.2"
  }
}
"#;

/// The first finding of a check in a JSON report.
fn finding(json: &serde_json::Value, check: &str) -> serde_json::Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no {check} finding in {json}"))
        .clone()
}

fn findings_of(run: &common::Run) -> Vec<(String, u64, String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "dependency")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["check"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_branch_adding_risky_dependencies_is_reported_line_by_line() {
    let repo = Repo::new();
    repo.write("package.json", BASE_PACKAGE);
    repo.write("requirements.txt", "requests==2.31.0\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("package.json", NEW_PACKAGE);
    repo.write(
        "requirements.txt",
        "requests==2.31.0\nreqeusts==2.31.0\nflask\n--extra-index-url https://pypi.example.com/simple\n",
    );
    repo.commit("feature");
    let run = repo.run(&["diff", "main", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let s = |a: &str| a.to_string();
    let found = findings_of(&run);
    let expected = vec![
        (
            s("package.json"),
            5,
            s("dependency.install-script"),
            s("warning"),
        ),
        // A typosquat error already says the package is new: no note beside it.
        (s("package.json"), 9, s("dependency.typosquat"), s("error")),
        (
            s("package.json"),
            10,
            s("dependency.non-registry"),
            s("warning"),
        ),
        (s("package.json"), 11, s("dependency.new"), s("note")),
        (
            s("package.json"),
            12,
            s("dependency.unbounded"),
            s("warning"),
        ),
        (
            s("requirements.txt"),
            2,
            s("dependency.typosquat"),
            s("error"),
        ),
        (
            s("requirements.txt"),
            3,
            s("dependency.unbounded"),
            s("warning"),
        ),
        (
            s("requirements.txt"),
            4,
            s("dependency.index"),
            s("warning"),
        ),
    ];
    assert_eq!(found, expected, "{}", run.stdout);
    let json = run.json();
    let typo = finding(&json, "dependency.typosquat");
    assert!(
        typo["message"]
            .as_str()
            .unwrap()
            .contains("resembles the popular package `express`"),
        "{typo}"
    );
    let deps: Vec<(String, String, String, String)> = json["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["ecosystem"].as_str().unwrap().to_string(),
                d["name"].as_str().unwrap().to_string(),
                d["source"].as_str().unwrap().to_string(),
                d["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        deps,
        vec![
            (s("npm"), s("expresss"), s("registry"), s("added")),
            (s("npm"), s("utils"), s("git"), s("added")),
            (s("npm"), s("dayjs"), s("registry"), s("added")),
            (s("npm"), s("left-pad"), s("registry"), s("added")),
            (s("pypi"), s("reqeusts"), s("registry"), s("added")),
            (s("pypi"), s("flask"), s("registry"), s("added")),
        ]
    );
}

#[test]
fn a_broken_manifest_is_a_warning_that_does_not_stop_the_review() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        "{\n  \"dependencies\": {\n    \"a\": \"1.0.0\",\n  }\n}\n",
    );
    repo.write("app.py", "import os\nos.system(cmd)\n");
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    let json = run.json();
    let broken = finding(&json, "dependency.manifest-unparseable");
    assert_eq!(broken["severity"], "warning");
    assert!(
        broken["message"].as_str().unwrap().contains("line 4"),
        "{broken}"
    );
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "app.py"));
}

#[test]
fn a_scan_counts_every_dependency_as_added() {
    let repo = Repo::new();
    repo.write("package.json", BASE_PACKAGE);
    let run = repo.run(&["scan", "--format", "json"]);
    let names: Vec<String> = run.json()["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["express".to_string(), "lodash".to_string()]);
}

#[test]
fn a_bare_patch_reports_line_based_manifests_at_their_lines() {
    let repo = Repo::new();
    let base_requirements: String = (1..=30).map(|i| format!("pkg{i}==1.0.{i}\n")).collect();
    repo.write("requirements.txt", &base_requirements);
    repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "requirements.txt",
        format!("{base_requirements}reqeusts==2.31.0\n"),
    );
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: dtolnay/rust-toolchain@stable\n      - run: make test\n",
    );
    repo.commit("feature");
    let diff = repo.run(&["diff", "main", "--format", "json"]);
    let patch_text = repo.git(&["diff", "main...HEAD"]);
    let elsewhere = tempfile::tempdir().unwrap();
    let patch = common::run_in(
        elsewhere.path(),
        &["patch", "-", "--format", "json"],
        Some(patch_text.as_bytes()),
    );
    let expected = vec![
        (
            ".github/workflows/ci.yml".to_string(),
            6,
            "dependency.unpinned-action".to_string(),
            "warning".to_string(),
        ),
        // A typosquat error already says the package is new: no note beside it.
        (
            "requirements.txt".to_string(),
            31,
            "dependency.typosquat".to_string(),
            "error".to_string(),
        ),
    ];
    assert_eq!(findings_of(&diff), expected, "{}", diff.stdout);
    assert_eq!(findings_of(&patch), expected, "{}", patch.stdout);
    // The finding marks the package's name on its own line, from the patch as from the repository.
    for run in [&diff, &patch] {
        let json = run.json();
        let typo = finding(&json, "dependency.typosquat");
        assert_eq!(typo["snippet"], "reqeusts==2.31.0");
        assert_eq!(
            (typo["column"].as_u64(), typo["end_column"].as_u64()),
            (Some(1), Some(9))
        );
    }
}
