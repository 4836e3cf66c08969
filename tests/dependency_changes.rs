//! End-to-end: dependency findings say what changed (from, to, change kind), one finding per bump however
//! many places carry it, `unbounded` only where a version is not locked, Python lockfiles and pre-commit
//! hook repositories (issue 13).

mod common;

use common::Repo;
use serde_json::Value;

/// The dependency findings of a JSON report.
fn dependency_findings(json: &Value) -> Vec<Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "dependency")
        .cloned()
        .collect()
}

/// (name, from, to, change) of the report's dependency list.
fn changes(json: &Value) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("-").to_string();
    json["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (s(&d["name"]), s(&d["from"]), s(&d["to"]), s(&d["change"])))
        .collect()
}

fn row(name: &str, from: &str, to: &str, change: &str) -> (String, String, String, String) {
    (name.into(), from.into(), to.into(), change.into())
}

/// A repository on `main` with `base`, then a `feature` branch with `change`.
fn branch(base: &[(&str, &str)], change: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    for (path, text) in base {
        repo.write(path, text);
    }
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    for (path, text) in change {
        repo.write(path, text);
    }
    repo.git(&["add", "-A"]);
    repo.commit("feature");
    repo
}

const PACKAGE: &str = "{\n  \"private\": true,\n  \"dependencies\": {\n    \"cookie\": \"0.7.1\",\n    \"express\": \"^4.18.2\",\n    \"lodash\": \"^4.17.20\",\n    \"left-pad\": \"^1.3.0\"\n  }\n}\n";
const PACKAGE_NEW: &str = "{\n  \"private\": true,\n  \"dependencies\": {\n    \"cookie\": \"^0.7.1\",\n    \"express\": \"^4.18.2\",\n    \"lodash\": \"^4.17.21\"\n  }\n}\n";

#[test]
fn a_changed_dependency_says_from_what_to_what_and_how() {
    let repo = branch(
        &[
            ("package.json", PACKAGE),
            (
                "requirements.txt",
                "django>=1.9\nflask==2.0.0\nrich == 13.7\n",
            ),
        ],
        &[
            ("package.json", PACKAGE_NEW),
            // django and rich are written differently but say the same: no change.
            (
                "requirements.txt",
                "django >= 1.9.0\nflask==3.0.0\nrich==13.7.0\n",
            ),
        ],
    );
    let run = repo.run(&["diff", "main", "--format", "json"]);
    let json = run.json();
    let messages: Vec<String> = dependency_findings(&json)
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.ends_with("npm package `cookie` 0.7.1 → ^0.7.1 (loosened pin)")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.ends_with("pypi package `flask` ==2.0.0 → ==3.0.0 (upgraded)")),
        "{messages:#?}"
    );
    assert_eq!(messages.len(), 3, "{messages:#?}");
    // The finding carries the same change as the dependency list.
    let cookie = dependency_findings(&json)
        .into_iter()
        .find(|f| f["message"].as_str().unwrap().contains("cookie"))
        .unwrap();
    // A loosened pin is a finding of its own, a warning: someone pinned that version on purpose.
    assert_eq!(
        (cookie["check"].as_str(), cookie["severity"].as_str()),
        (Some("dependency.loosened"), Some("warning"))
    );
    assert_eq!(
        cookie["dependency"],
        serde_json::json!({"ecosystem": "npm", "name": "cookie", "from": "0.7.1", "to": "^0.7.1", "change": "loosened"})
    );
    assert!(!messages
        .iter()
        .any(|m| m.contains("django") || m.contains("rich")));
    assert_eq!(
        changes(&json),
        vec![
            row("cookie", "0.7.1", "^0.7.1", "loosened"),
            row("lodash", "^4.17.20", "^4.17.21", "upgraded"),
            row("left-pad", "^1.3.0", "-", "removed"),
            row("flask", "==2.0.0", "==3.0.0", "upgraded"),
        ]
    );
    // The old wording, "new dependency: changes …", is gone from every output.
    let text = repo.run(&["diff", "main"]);
    assert!(
        text.stdout
            .contains("npm cookie 0.7.1 → ^0.7.1 (loosened) (package.json:4)"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("1 dependency removed."),
        "{}",
        text.stdout
    );
    for out in [&run.stdout, &text.stdout] {
        assert!(!out.contains("new dependency: changes"), "{out}");
        assert!(!out.contains("new dependency"), "{out}");
    }
}

fn workflow(reference: &str, jobs: usize) -> String {
    let mut text = String::from("on: push\njobs:\n");
    for job in 0..jobs {
        text.push_str(&format!(
            "  job{job}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@{reference}\n      - run: make\n"
        ));
    }
    text
}

#[test]
fn one_action_bump_across_seven_lines_is_one_finding_with_the_others_related() {
    let repo = branch(
        &[
            (".github/workflows/ci.yml", &workflow("v3", 3)),
            (".github/workflows/release.yml", &workflow("v3", 2)),
            (".github/workflows/lint.yml", &workflow("v3", 2)),
        ],
        &[
            (".github/workflows/ci.yml", &workflow("v4", 3)),
            (".github/workflows/release.yml", &workflow("v4", 2)),
            (".github/workflows/lint.yml", &workflow("v4", 2)),
        ],
    );
    let json = repo.run(&["diff", "main", "--format", "json"]).json();
    let found = dependency_findings(&json);
    assert_eq!(found.len(), 1, "{found:#?}");
    let bump = &found[0];
    assert_eq!(bump["path"], ".github/workflows/ci.yml");
    assert_eq!(bump["line"], 6);
    assert!(
        bump["message"]
            .as_str()
            .unwrap()
            .ends_with("action `docker/setup-buildx-action` v3 → v4 (upgraded)"),
        "{bump}"
    );
    let related: Vec<(String, u64)> = bump["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_string(),
                p["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(related.len(), 6, "{related:?}");
    // Listed once too, with what changed.
    assert_eq!(
        changes(&json),
        vec![row("docker/setup-buildx-action", "v3", "v4", "upgraded")]
    );
    assert_eq!(bump["dependency"]["change"], "upgraded");
    assert!(related.contains(&(".github/workflows/release.yml".into(), 11)));
    // A third-party action moved to another mutable tag: new code runs with the workflow's token.
    assert_eq!(
        (bump["check"].as_str(), bump["severity"].as_str()),
        (Some("dependency.unpinned-action"), Some("warning"))
    );
}

#[test]
fn a_github_owned_action_bumped_by_tag_is_a_note() {
    let checkout = |tag: &str| {
        format!("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@{tag}\n")
    };
    let repo = branch(
        &[(".github/workflows/ci.yml", &checkout("v4"))],
        &[(".github/workflows/ci.yml", &checkout("v5"))],
    );
    let json = repo.run(&["diff", "main", "--format", "json"]).json();
    let found = dependency_findings(&json);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0]["check"].as_str(), found[0]["severity"].as_str()),
        (Some("dependency.new"), Some("note"))
    );
}

const LOCK_WITH_GIT: &str = r#"{
  "name": "shop",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "shop", "dependencies": { "utils": "github:someone/utils#main" } },
    "node_modules/utils": {
      "version": "1.0.0",
      "resolved": "git+ssh://git@github.com/someone/utils.git#0123456789abcdef0123456789abcdef01234567"
    }
  }
}
"#;

#[test]
fn a_package_in_its_manifest_and_its_lockfile_is_one_finding_at_the_manifest() {
    let repo = branch(
        &[(
            "package.json",
            "{\n  \"private\": true,\n  \"dependencies\": {}\n}\n",
        )],
        &[
            (
                "package.json",
                "{\n  \"private\": true,\n  \"dependencies\": {\n    \"utils\": \"github:someone/utils#main\",\n    \"later\": \"*\"\n  }\n}\n",
            ),
            ("package-lock.json", LOCK_WITH_GIT),
        ],
    );
    let json = repo.run(&["diff", "main", "--format", "json"]).json();
    let found: Vec<(String, String, usize)> = dependency_findings(&json)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["check"].as_str().unwrap().to_string(),
                f["parts"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            // The lockfile the change updates pins `*`: not unbounded.
            ("package.json".into(), "dependency.non-registry".into(), 1),
            ("package.json".into(), "dependency.new".into(), 0),
        ]
    );
}

#[test]
fn unbounded_is_a_warning_only_where_nothing_locks_the_version() {
    let repo = branch(
        &[("README.md", "x\n")],
        &[
            // An application without a lockfile: the next install takes any release.
            ("app/requirements.txt", "flask\n"),
            (
                "app/package.json",
                "{\n  \"private\": true,\n  \"dependencies\": { \"left-pad\": \"*\" }\n}\n",
            ),
            // A library's metadata: its users' lockfiles pin it.
            (
                "lib/pyproject.toml",
                "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"lib\"\ndependencies = [\"httpx>=0.27\"]\n",
            ),
            // A workspace member by path is the project's own code: a note; a path outside is not.
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\n\n[dependencies]\ncore = { path = \"crates/core\" }\nother = { path = \"../other\" }\n",
            ),
            (
                "pkg/package.json",
                "{\n  \"name\": \"pkg\",\n  \"main\": \"index.js\",\n  \"dependencies\": { \"debug\": \">=4\" }\n}\n",
            ),
        ],
    );
    let json = repo.run(&["diff", "main", "--format", "json"]).json();
    let mut unbounded: Vec<String> = dependency_findings(&json)
        .iter()
        .filter(|f| f["check"] == "dependency.unbounded")
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    unbounded.sort();
    assert_eq!(unbounded, vec!["app/package.json", "app/requirements.txt"]);
    let paths: Vec<(String, String)> = dependency_findings(&json)
        .iter()
        .filter(|f| f["path"] == "Cargo.toml")
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["snippet"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        paths,
        vec![
            (
                "dependency.new".into(),
                "core = { path = \"crates/core\" }".into()
            ),
            (
                "dependency.non-registry".into(),
                "other = { path = \"../other\" }".into()
            ),
        ]
    );
}

const UV_LOCK: &str = r#"version = 1

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }
"#;

#[test]
fn a_python_lockfile_lists_new_transitive_packages_and_flags_untrusted_sources() {
    let new_lock = format!(
        "{UV_LOCK}\n[[package]]\nname = \"idna-extra\"\nversion = \"1.0\"\nsource = {{ registry = \"https://pypi.org/simple\" }}\n\n[[package]]\nname = \"helper\"\nversion = \"0.2.0\"\nsource = {{ git = \"https://github.com/someone/helper?rev=main#0123abc\" }}\n\n[[package]]\nname = \"corp-auth\"\nversion = \"2.0\"\nsource = {{ registry = \"https://pkgs.corp.example/simple\" }}\n"
    );
    let repo = branch(&[("uv.lock", UV_LOCK)], &[("uv.lock", &new_lock)]);
    let json = repo.run(&["diff", "main", "--format", "json"]).json();
    let listed: Vec<(String, String)> = json["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("idna-extra".into(), "registry".into()),
            ("helper".into(), "git".into()),
            ("corp-auth".into(), "url".into()),
        ]
    );
    assert!(json["dependencies"][0]["locked"] == true);
    let text = repo.run(&["diff", "main"]);
    assert!(
        text.stdout
            .contains("New in lockfiles: idna-extra 1.0, helper"),
        "{}",
        text.stdout
    );
    let flagged: Vec<(String, String)> = dependency_findings(&json)
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(flagged.len(), 2, "{flagged:#?}");
    assert!(flagged
        .iter()
        .all(|(check, _)| check == "dependency.non-registry"));
    assert!(flagged[1]
        .1
        .contains("2.0 from https://pkgs.corp.example/simple"));
}

const PRE_COMMIT: &str = "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.5.0\n    hooks:\n      - id: trailing-whitespace\n  - repo: local\n    hooks:\n      - id: lint\n        name: lint\n        entry: make lint\n        language: system\n";

#[test]
fn pre_commit_repositories_are_dependencies() {
    let new = PRE_COMMIT.replace("v4.5.0", "v4.6.0")
        + "  - repo: https://github.com/psf/black\n    rev: stable\n    hooks:\n      - id: black\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.9\n    hooks:\n      - id: ruff\n";
    let repo = branch(
        &[(".pre-commit-config.yaml", PRE_COMMIT)],
        &[(".pre-commit-config.yaml", &new)],
    );
    let json = repo.run(&["diff", "main", "--format", "json"]).json();
    let found: Vec<(u64, String, String)> = dependency_findings(&json)
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["check"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let checks: Vec<(u64, &str)> = found.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
    assert_eq!(
        checks,
        vec![
            (3, "dependency.new"),
            (13, "dependency.pre-commit-repo"),
            (17, "dependency.pre-commit-repo"),
        ],
        "{found:#?}"
    );
    assert!(found[0]
        .2
        .ends_with("`github.com/pre-commit/pre-commit-hooks` v4.5.0 → v4.6.0 (upgraded)"));
    assert!(
        found[1].2.contains("rev `stable` is a branch"),
        "{found:#?}"
    );
    assert!(!found[2].2.contains("branch"), "{found:#?}");
    assert_eq!(json["dependencies"][0]["ecosystem"], "pre-commit");
}
