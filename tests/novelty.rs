//! Novelty end to end: what a modified file already did (its old version) against what it gains, the
//! severity a finding keeps, the capability digest, and the text report's output for people (grouped
//! notes, `--statistics`, `--quiet`, the silent pre-commit hook).

mod common;

use common::Repo;
use serde_json::Value;

/// A module that already talks HTTP through `requests` (a URL from request input: a warning).
const CLIENT: &str =
    "import requests\n\n\ndef fetch(url):\n    return requests.get(request.args[\"url\"], timeout=10)\n";

/// `CLIENT`, another `requests.get` of a computed URL, and a first `subprocess.run`.
const CLIENT_MORE: &str = "import requests\nimport subprocess\n\n\ndef fetch(url):\n    return requests.get(request.args[\"url\"], timeout=10)\n\n\ndef fetch_all(urls):\n    return [requests.get(request.args[u], timeout=10) for u in urls]\n\n\ndef convert(name):\n    subprocess.run([\"convert\", name], check=True)\n";

/// A repository whose `app/client.py` is `CLIENT`, with `CLIENT_MORE` and a new `app/jobs.py` staged.
fn staged_repo() -> Repo {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT);
    repo.commit("client");
    repo.write("app/client.py", CLIENT_MORE);
    repo.write(
        "app/jobs.py",
        "import requests\n\n\ndef ping(host):\n    requests.get(request.args[\"host\"], timeout=5)\n",
    );
    repo.git(&["add", "-A"]);
    repo
}

fn finding<'a>(json: &'a Value, path: &str, line: u64) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path && f["line"] == line)
        .unwrap_or_else(|| panic!("no finding at {path}:{line}: {json}"))
}

#[test]
fn an_existing_capability_is_a_note_and_a_first_one_a_warning() {
    let repo = staged_repo();
    let json = repo.run(&["staged", "--format", "json"]).json();
    // Another requests.get in a module that already made them: existing, lowered, traced.
    let more = finding(&json, "app/client.py", 10);
    assert_eq!(more["check"], "network.python.requests");
    assert_eq!(more["novelty"], "existing");
    assert_eq!(more["severity"], "note");
    assert_eq!(more["original_severity"], "warning");
    // The first process start in the file: new, a warning.
    let exec = finding(&json, "app/client.py", 14);
    assert_eq!(exec["check"], "exec.python.subprocess");
    assert_eq!(exec["novelty"], "new");
    assert_eq!(exec["severity"], "warning");
    assert!(exec.get("original_severity").is_none(), "{exec}");
    // A new file: everything in it is new.
    let new_file = finding(&json, "app/jobs.py", 5);
    assert_eq!(new_file["novelty"], "new");
    assert_eq!(new_file["severity"], "warning");
    // The digest: new capabilities first.
    let caps = json["capabilities"].as_array().unwrap();
    assert_eq!(caps[0]["directory"], "app");
    assert_eq!(caps[0]["novelty"], "new");
    assert!(caps
        .iter()
        .any(|c| c["category"] == "exec" && c["families"][0] == "subprocess"));
    // SARIF carries the same in each result's properties.
    let sarif = repo.run(&["staged", "--format", "sarif"]).json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let lowered = results
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"] == 10)
        .unwrap();
    assert_eq!(lowered["level"], "note");
    assert_eq!(lowered["properties"]["novelty"], "existing");
    assert_eq!(lowered["properties"]["originalSeverity"], "warning");
}

#[test]
fn a_branch_diff_reads_the_base_of_every_modified_file() {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT);
    repo.commit("client");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("app/client.py", CLIENT_MORE);
    repo.commit("more");
    let json = repo.run(&["diff", "main", "--format", "json"]).json();
    assert_eq!(finding(&json, "app/client.py", 10)["novelty"], "existing");
    assert_eq!(finding(&json, "app/client.py", 14)["novelty"], "new");
    // A scan has no base: nothing is lowered.
    let scan = repo.run(&["scan", "--format", "json"]).json();
    assert_eq!(finding(&scan, "app/client.py", 10)["novelty"], "unknown");
    assert_eq!(finding(&scan, "app/client.py", 10)["severity"], "warning");
}

#[test]
fn risky_context_is_new_even_where_the_capability_existed() {
    let repo = Repo::new();
    repo.write(
        "app/jobs.py",
        "import subprocess\n\n\ndef ls():\n    subprocess.run([\"ls\"], check=True)\n",
    );
    repo.commit("jobs");
    repo.write(
        "app/jobs.py",
        "import subprocess\n\n\ndef ls():\n    subprocess.run([\"ls\"], check=True)\n    subprocess.run([\"ls\", \"-l\"], check=True)\n\n\ndef convert(name):\n    subprocess.run(f\"convert {name}\", shell=True)\n",
    );
    repo.git(&["add", "-A"]);
    let json = repo.run(&["staged", "--format", "json"]).json();
    let again = finding(&json, "app/jobs.py", 6);
    assert_eq!(
        (again["novelty"].as_str(), again["severity"].as_str()),
        (Some("existing"), Some("note"))
    );
    // A shell string built from a variable: an error the old version never had.
    let shell = finding(&json, "app/jobs.py", 10);
    assert_eq!(
        (shell["novelty"].as_str(), shell["severity"].as_str()),
        (Some("new"), Some("error"))
    );
}

#[test]
fn a_check_marked_always_report_keeps_its_warning() {
    let repo = Repo::new();
    let old = "import requests\n\n\ndef get(u):\n    return requests.get(u, verify=False)\n";
    repo.write("app/insecure.py", old);
    repo.commit("insecure");
    repo.write(
        "app/insecure.py",
        format!("{old}\n\ndef post(u):\n    return requests.post(u, verify=False)\n"),
    );
    repo.git(&["add", "-A"]);
    let json = repo.run(&["staged", "--format", "json"]).json();
    let tls = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "network.any.tls-verify-off")
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(tls["novelty"], "existing");
    assert_eq!(tls["severity"], "warning");
}

#[test]
fn a_bare_patch_knows_no_base_but_a_created_file() {
    let repo = Repo::new();
    let patch = "diff --git a/app/client.py b/app/client.py\n--- a/app/client.py\n+++ b/app/client.py\n@@ -5,0 +6,1 @@\n+    return requests.get(url, timeout=10)\ndiff --git a/app/new.py b/app/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/new.py\n@@ -0,0 +1,2 @@\n+import requests\n+requests.get(url, timeout=10)\n";
    let json = repo
        .run_stdin(&["patch", "--format", "json"], patch.as_bytes())
        .json();
    assert_eq!(finding(&json, "app/client.py", 6)["novelty"], "unknown");
    assert_eq!(finding(&json, "app/new.py", 2)["novelty"], "new");
}

#[test]
fn the_text_report_leads_with_the_digest_and_groups_notes() {
    let repo = staged_repo();
    let run = repo.run(&["staged"]);
    let out = &run.stdout;
    assert!(
        out.starts_with(
            "Capabilities:\n  app: gains network (requests) and exec (subprocess) — new\n"
        ),
        "{out}"
    );
    // The note is counted, not listed.
    assert!(!out.contains("note[network.python.requests]"), "{out}");
    assert!(
        out.contains(
            "1 note, not listed (-v lists them):\n  network: 1 note in 1 file (requests ×1)\n"
        ),
        "{out}"
    );
    for args in [&["staged", "-v"][..], &["staged", "--show", "notes"]] {
        let listed = repo.run(args).stdout;
        assert!(
            listed.contains("app/client.py:10:13: note[network.python.requests]"),
            "{listed}"
        );
        assert!(!listed.contains("not listed"), "{listed}");
    }
}

#[test]
fn statistics_count_findings_by_check_most_first() {
    let repo = staged_repo();
    let out = repo.run(&["staged", "--statistics"]).stdout;
    assert!(
        out.contains(
            "2  network.python.requests  (warning)\n1  exec.python.subprocess  (warning)\n"
        ),
        "{out}"
    );
}

#[test]
fn quiet_prints_what_fails_and_one_summary_line() {
    let repo = staged_repo();
    let quiet = repo.run(&["staged", "--quiet", "--fail-on", "warning"]);
    assert_eq!(quiet.code, 1);
    let lines: Vec<&str> = quiet.stdout.lines().collect();
    assert!(lines[0].starts_with("app/client.py:14:5: warning[exec.python.subprocess]"));
    assert!(!quiet.stdout.contains("Capabilities"), "{}", quiet.stdout);
    assert!(!quiet.stdout.contains("note["), "{}", quiet.stdout);
    assert!(lines.last().unwrap().starts_with("3 findings in 2 files"));
    // Nothing at the fail level (errors): the summary line alone.
    let clean = repo.run(&["staged", "--quiet"]);
    assert_eq!(clean.code, 0);
    assert_eq!(clean.stdout.lines().count(), 1, "{}", clean.stdout);
}

#[test]
fn the_pre_commit_hook_is_silent_on_a_clean_commit() {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT);
    repo.commit("client");
    // Only an existing capability: a note.
    repo.write(
        "app/client.py",
        format!("{CLIENT}\n\ndef again(u):\n    return requests.get(u, timeout=10)\n"),
    );
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--silent-if-clean"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    // A warning is shown.
    repo.write("app/jobs.py", "import subprocess\nsubprocess.run(cmd)\n");
    repo.git(&["add", "-A"]);
    let run = repo.run(&["staged", "--silent-if-clean"]);
    assert!(
        run.stdout.contains("warning[exec.python.subprocess]"),
        "{}",
        run.stdout
    );
    // The installed hook passes the flag.
    repo.run(&["install"]);
    let hook = std::fs::read_to_string(repo.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains(" staged --silent-if-clean\n"), "{hook}");
}

#[test]
fn an_agent_edit_of_a_file_with_the_capability_sees_the_same_novelty() {
    let repo = Repo::new();
    repo.write("app/client.py", CLIENT);
    let edit = |new: &str| {
        serde_json::json!({
            "session_id": "s", "transcript_path": "/tmp/t.jsonl", "cwd": repo.path(),
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Edit",
            "tool_use_id": "t",
            "tool_input": {
                "file_path": repo.path().join("app/client.py"),
                "old_string": "    return requests.get(request.args[\"url\"], timeout=10)\n",
                "new_string": new,
            },
        })
        .to_string()
    };
    let decision = |input: String| {
        let run = common::run_in(repo.path(), &["agent-hook"], Some(input.as_bytes()));
        if run.stdout.trim().is_empty() {
            return "allow".to_string();
        }
        let out: Value = serde_json::from_str(&run.stdout).unwrap();
        out["hookSpecificOutput"]["permissionDecision"]
            .as_str()
            .unwrap_or("allow")
            .to_string()
    };
    // Another request of a computed URL, as the staged review judges it: a note, allowed.
    let more = edit(
        "    return requests.get(request.args[\"url\"], timeout=10)\n    requests.get(url + '/x', timeout=10)\n",
    );
    assert_eq!(decision(more), "allow");
    // The file's first process start: a warning, asked.
    let exec = edit(
        "    return requests.get(request.args[\"url\"], timeout=10)\n    import subprocess; subprocess.run(cmd)\n",
    );
    assert_eq!(decision(exec), "ask");
}

#[test]
fn the_first_request_a_production_file_gains_is_a_warning_and_the_rest_notes() {
    let repo = Repo::new();
    repo.write("app/util.py", "def noop():\n    return None\n");
    repo.commit("util");
    // Computed URLs are notes by themselves; the file's first one is the headline.
    let gains = "import requests\n\n\ndef noop():\n    return None\n\n\ndef fetch(url):\n    return requests.get(url, timeout=10)\n\n\ndef post(url, body):\n    return requests.post(url, json=body, timeout=10)\n";
    repo.write("app/util.py", gains);
    repo.write("tests/test_util.py", gains);
    repo.git(&["add", "-A"]);
    let json = repo.run(&["staged", "--format", "json"]).json();
    let first = finding(&json, "app/util.py", 9);
    assert_eq!(
        (
            first["severity"].as_str(),
            first["original_severity"].as_str()
        ),
        (Some("warning"), Some("note"))
    );
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .ends_with("(first in this file)"),
        "{first}"
    );
    assert_eq!(finding(&json, "app/util.py", 13)["severity"], "note");
    // A test file gains nothing a reviewer must stop for.
    assert_eq!(finding(&json, "tests/test_util.py", 9)["severity"], "note");
    // A scan knows no old version: nothing is raised.
    let scan = repo.run(&["scan", "--format", "json"]).json();
    assert_eq!(finding(&scan, "app/util.py", 9)["severity"], "note");
}
